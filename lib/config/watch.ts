/**
 * Watches the directories that hold proxy.yaml and the policy files, not the files
 * themselves: editors and `kubectl cp` replace a file by renaming a new one over
 * it, and a Kubernetes ConfigMap volume swaps its `..data` symlink to a new
 * folder. A file watch would lose track after either; a directory watch sees
 * both, and sees policy files being added or removed. Bursts of events (an editor
 * writes, renames and chmods) are debounced into one reload.
 */
import { watch, type FSWatcher } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';

export interface ConfigWatcherOptions {
  /** Absolute path of proxy.yaml. */
  readonly configFile: string;
  /** The policy globs as configured (relative to proxy.yaml's directory). */
  readonly policyGlobs: readonly string[];
  /** Quiet time after the last event before `onChange` runs (ms). @default 100 */
  readonly debounceMs?: number;
  readonly onChange: (paths: readonly string[]) => void;
  /** A directory could not be watched (it may not exist yet). */
  readonly onError?: (directory: string, error: Error) => void;
}

/** The part of a glob before its first wildcard, as a directory. */
export function globBase(glob: string): string {
  const parts = glob.split('/');
  const fixed: string[] = [];
  for (const part of parts) {
    if (/[*?[\]{}()!]/.test(part)) break;
    fixed.push(part);
  }
  // A glob without wildcards names a file: watch its directory.
  return fixed.length === parts.length ? dirname(glob) : fixed.join('/') || '.';
}

export class ConfigWatcher {
  readonly #watchers: FSWatcher[] = [];
  readonly #options: ConfigWatcherOptions;
  #timer: NodeJS.Timeout | undefined;
  #pending = new Set<string>();

  constructor(options: ConfigWatcherOptions) {
    this.#options = options;
    const root = dirname(options.configFile);
    const directories = new Map<string, boolean>([[root, false]]);
    for (const glob of options.policyGlobs) {
      const base = globBase(glob);
      const dir = isAbsolute(base) ? base : resolve(root, base);
      directories.set(dir, (directories.get(dir) ?? false) || glob.includes('**'));
    }
    for (const [directory, recursive] of directories) this.#watch(directory, recursive);
  }

  #watch(directory: string, recursive: boolean): void {
    try {
      const watcher = watch(directory, { persistent: false, recursive }, (_event, name) => {
        this.#pending.add(name ? join(directory, name.toString()) : directory);
        this.#schedule();
      });
      watcher.on('error', (error) => this.#options.onError?.(directory, error));
      this.#watchers.push(watcher);
    } catch (error) {
      this.#options.onError?.(directory, error as Error);
    }
  }

  #schedule(): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      const paths = [...this.#pending];
      this.#pending = new Set();
      this.#options.onChange(paths);
    }, this.#options.debounceMs ?? 100);
  }

  close(): void {
    clearTimeout(this.#timer);
    for (const watcher of this.#watchers) watcher.close();
    this.#watchers.length = 0;
  }
}
