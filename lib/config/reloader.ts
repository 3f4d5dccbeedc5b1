/**
 * Turns "the files changed" into a new snapshot, or into a clear refusal. A
 * reload reads and validates everything first and swaps nothing unless all of it
 * is valid, so a broken edit leaves the old config serving. Settings that only
 * take effect at start (listen address, admin listener, state backend) keep their
 * running values and are reported as needing a restart, never silently ignored.
 */
import { ConfigError, formatProblem } from './config-error.js';
import { loadConfig, type LoadedConfig, type LoadOptions } from './load.js';
import type { ProxyConfig } from './schema.js';
import { buildSnapshot, type Snapshot } from './snapshot.js';

export type ReloadTrigger = 'start' | 'watch' | 'signal' | 'admin';

export interface ReloadResult {
  readonly ok: boolean;
  readonly trigger: ReloadTrigger;
  /** ISO time the reload finished. */
  readonly at: string;
  /** Snapshot version serving after the reload. */
  readonly version: number;
  /** The first problem, as `file:line:col: key: message`. */
  readonly error?: string | undefined;
  /** Every problem found. */
  readonly problems?: readonly string[] | undefined;
  /** Changed settings that only apply after a restart (their running values were kept). */
  readonly restartRequired?: readonly string[] | undefined;
}

/** Keys of proxy.yaml that a running process cannot change. */
const RESTART_ONLY = ['listen', 'admin', 'state'] as const satisfies readonly (keyof ProxyConfig)[];

export interface ReloaderOptions extends LoadOptions {
  readonly configFile: string;
  /** Applied to every load (CLI flags win over the file). */
  readonly override: (loaded: LoadedConfig) => LoadedConfig;
}

export class Reloader {
  readonly #options: ReloaderOptions;
  #last: ReloadResult | undefined;
  readonly counts = { ok: 0, failed: 0 };

  constructor(options: ReloaderOptions) {
    this.#options = options;
  }

  get last(): ReloadResult | undefined {
    return this.#last;
  }

  /** The first load: problems throw (a process must not start on a broken config). */
  async initial(): Promise<Snapshot> {
    const snapshot = buildSnapshot(this.#options.override(await loadConfig(this.#options.configFile, this.#options)));
    this.#last = { ok: true, trigger: 'start', at: new Date().toISOString(), version: snapshot.version };
    return snapshot;
  }

  /** Builds the next snapshot from the files, or reports why it cannot (keeping `current`). */
  async reload(current: Snapshot, trigger: ReloadTrigger): Promise<{ result: ReloadResult; snapshot?: Snapshot }> {
    let loaded: LoadedConfig;
    try {
      loaded = this.#options.override(await loadConfig(this.#options.configFile, this.#options));
    } catch (error) {
      const problems = error instanceof ConfigError ? error.problems.map(formatProblem) : [error instanceof Error ? error.message : String(error)];
      this.counts.failed++;
      this.#last = { ok: false, trigger, at: new Date().toISOString(), version: current.version, error: problems[0], problems };
      return { result: this.#last };
    }
    const restartRequired = RESTART_ONLY.filter((key) => JSON.stringify(loaded.proxy[key]) !== JSON.stringify(current.proxy[key]));
    const kept: LoadedConfig = {
      ...loaded,
      proxy: { ...loaded.proxy, ...Object.fromEntries(RESTART_ONLY.map((key) => [key, current.proxy[key]])) },
    };
    const snapshot = buildSnapshot(kept, current);
    this.counts.ok++;
    this.#last = {
      ok: true,
      trigger,
      at: new Date().toISOString(),
      version: snapshot.version,
      restartRequired: restartRequired.length ? restartRequired : undefined,
    };
    return { result: this.#last, snapshot };
  }
}
