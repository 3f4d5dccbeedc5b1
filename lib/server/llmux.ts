/**
 * The daemon as an object: load the config, open the state backend, listen, reload
 * when the config changes, and close again. The CLI, the demo and the integration
 * tests all start llmux here.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LoadedConfig } from '../config/load.js';
import { Reloader, type ReloadResult, type ReloadTrigger } from '../config/reloader.js';
import { ConfigError } from '../config/config-error.js';
import { exposureProblem } from '../config/exposure.js';
import { retireProviders, type Snapshot } from '../config/snapshot.js';
import { ConfigWatcher } from '../config/watch.js';
import { createStateStore } from '../state/create.js';
import { redisStateSchema } from '../state/redis/config.js';
import type { StateStore } from '../state/store.js';
import { createLogger, type Logger } from '../telemetry/logger.js';
import { BreakerBoard } from '../resilience/breakers.js';
import { HealthBoard } from '../resilience/health-checks.js';
import { TtfbTracker } from '../resilience/ttfb-tracker.js';
import { createAdminHandler } from './admin-server.js';
import { adminState } from './admin-state.js';
import { ForwardProxy } from './forward/forward-proxy.js';
import { createRequestHandler } from './http-server.js';
import { Metrics } from '../telemetry/metrics.js';
import { TrafficStats } from '../telemetry/traffic-stats.js';
import { UpstreamClient } from './upstream.js';
import { RequestTracker } from './request-tracker.js';

export interface StartOptions {
  /** Path of proxy.yaml. */
  readonly configFile: string;
  /** Environment for `${VAR}` interpolation. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** Overrides `listen.host` from the file (CLI `--host`). */
  readonly host?: string | undefined;
  /** Overrides `listen.port` from the file (CLI `--port`). */
  readonly port?: number | undefined;
  /** Overrides `log.level` from the file (CLI `--log-level`). */
  readonly logLevel?: string | undefined;
  /** Overrides `state` with a Redis backend at this URL (CLI `--redis`). */
  readonly redisUrl?: string | undefined;
  /** A ready logger (tests pass a silent one). @default a pino logger on stdout */
  readonly logger?: Logger;
  /** Source of randomness for strategies. @default Math.random */
  readonly random?: () => number;
}

const listenOn = (server: Server, port: number, host: string): Promise<void> =>
  new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });

const urlOf = (server: Server): string => {
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
};

export class Llmux {
  readonly #server: Server;
  readonly #admin: Server | undefined;
  readonly #upstream = new UpstreamClient();
  readonly #forward: ForwardProxy;
  readonly #reloader: Reloader;
  readonly breakers: BreakerBoard;
  readonly health: HealthBoard;
  readonly metrics: Metrics;
  readonly traffic = new TrafficStats();
  readonly #tracker = new RequestTracker();
  #watcher: ConfigWatcher | undefined;
  #snapshot: Snapshot;
  #accepting = true;
  #reloading: Promise<ReloadResult> | undefined;
  #reloadAgain = false;

  private constructor(
    snapshot: Snapshot,
    reloader: Reloader,
    readonly state: StateStore,
    readonly logger: Logger,
    random: () => number,
  ) {
    this.#snapshot = snapshot;
    this.#reloader = reloader;
    this.breakers = new BreakerBoard(state, logger);
    this.health = new HealthBoard(logger);
    this.metrics = new Metrics({ snapshot: () => this.#snapshot, state, breakers: this.breakers });
    this.#applyResilience(snapshot);
    const handler = createRequestHandler({
      state,
      upstream: this.#upstream,
      breakers: this.breakers,
      health: this.health,
      ttfb: new TtfbTracker(),
      logger,
      metrics: this.metrics,
      traffic: this.traffic,
      tracker: this.#tracker,
      random,
      current: () => this.#snapshot,
      accepting: () => this.#accepting,
    });
    // The forward proxy shares the listener: CONNECT and absolute-form requests, same handler.
    this.#forward = new ForwardProxy({ handler, current: () => this.#snapshot, logger });
    // requestTimeout stays off: it would also cut long streams; bodies have their own timeout (408).
    const { header_timeout_ms } = snapshot.proxy.limits;
    this.#server = createServer(
      // Node checks header timeouts on an interval (30 s by default); check often enough to honour the setting.
      { keepAliveTimeout: 65_000, requestTimeout: 0, headersTimeout: header_timeout_ms, connectionsCheckingInterval: Math.min(1_000, header_timeout_ms) },
      this.#forward.wrap(handler),
    );
    this.#forward.attach(this.#server);
    if (snapshot.proxy.admin.enabled) {
      this.#admin = createServer(
        createAdminHandler({
          token: () => this.#snapshot.proxy.admin.token,
          state: () =>
            adminState({
              snapshot: this.#snapshot,
              state,
              breakers: this.breakers,
              health: this.health,
              lastReload: this.#reloader.last,
              reloads: this.#reloader.counts,
              traffic: this.traffic,
            }),
          metrics: async () => ({ contentType: this.metrics.contentType, text: await this.metrics.text() }),
          reload: () => this.reload('admin'),
          readiness: () => ({
            ready: this.#accepting,
            detail: { config_version: this.#snapshot.version, listening: this.#server.listening, accepting: this.#accepting, state: { backend: state.backend, ...state.status() } },
          }),
        }),
      );
    }
  }

  static async start(options: StartOptions): Promise<Llmux> {
    const reloader = new Reloader({ configFile: options.configFile, env: options.env ?? process.env, override: (loaded) => withOverrides(loaded, options) });
    const snapshot = await reloader.initial();
    // Checked again here because CLI flags (--host) can move a valid file's listener off loopback.
    const exposure = exposureProblem(snapshot.proxy);
    if (exposure) throw new ConfigError([{ file: snapshot.file, line: 1, col: 1, key: 'listen.host', message: exposure }]);
    const logger = options.logger ?? createLogger({ level: snapshot.proxy.log.level });
    const state = await createStateStore(snapshot.proxy.state, { logger });
    const llmux = new Llmux(snapshot, reloader, state, logger, options.random ?? Math.random);
    await llmux.breakers.syncFromStore();
    await llmux.#forward.prepare(snapshot);
    const { listen, admin } = snapshot.proxy;
    await listenOn(llmux.#server, listen.port, listen.host);
    if (llmux.#admin) await listenOn(llmux.#admin, admin.port, admin.host);
    llmux.#watch();
    logger.info(
      { url: llmux.url, admin: llmux.adminUrl, routes: snapshot.routeNames, config: snapshot.file, state: llmux.state.backend },
      'llmux started',
    );
    return llmux;
  }

  get snapshot(): Snapshot {
    return this.#snapshot;
  }

  /** Base URL of the listener, e.g. `http://127.0.0.1:4100`. */
  get url(): string {
    return urlOf(this.#server);
  }

  /** Base URL of the admin listener, when it is enabled. */
  get adminUrl(): string | undefined {
    return this.#admin ? urlOf(this.#admin) : undefined;
  }

  get lastReload(): ReloadResult | undefined {
    return this.#reloader.last;
  }

  /**
   * Re-reads every file and swaps the snapshot if all of it is valid. Requests in
   * flight finish on the snapshot they started with. Reloads never overlap: a
   * trigger during a reload runs one more reload after it.
   */
  reload(trigger: ReloadTrigger): Promise<ReloadResult> {
    if (this.#reloading) {
      this.#reloadAgain = true;
      return this.#reloading;
    }
    this.#reloading = (async () => {
      let result: ReloadResult;
      do {
        this.#reloadAgain = false;
        result = await this.#reloadOnce(trigger);
      } while (this.#reloadAgain);
      return result;
    })().finally(() => {
      this.#reloading = undefined;
    });
    return this.#reloading;
  }

  async #reloadOnce(trigger: ReloadTrigger): Promise<ReloadResult> {
    const previous = this.#snapshot;
    const { result, snapshot } = await this.#reloader.reload(previous, trigger);
    this.metrics.observeReload(result.ok);
    if (!snapshot) {
      this.logger.error({ trigger, problems: result.problems }, `config reload failed, the running config stays: ${result.error}`);
      return result;
    }
    this.#snapshot = snapshot;
    this.#applyResilience(snapshot);
    retireProviders(previous, snapshot);
    this.#forward.prepare(snapshot).catch((error: unknown) => this.logger.error({ err: error }, 'forward proxy: the CA is not available'));
    this.logger.level = snapshot.proxy.log.level;
    if (JSON.stringify(snapshot.files) !== JSON.stringify(previous.files)) this.#watch();
    if (result.restartRequired) {
      this.logger.warn({ settings: result.restartRequired }, `config reloaded, but ${result.restartRequired.join(', ')} changed and only take effect after a restart`);
    }
    this.logger.info({ trigger, version: snapshot.version, routes: snapshot.routeNames }, 'config reloaded');
    return result;
  }

  #watch(): void {
    this.#watcher?.close();
    this.#watcher = undefined;
    const { reload } = this.#snapshot.proxy;
    if (!reload.watch) return;
    const policies = this.#snapshot.proxy.policies;
    this.#watcher = new ConfigWatcher({
      configFile: this.#snapshot.file,
      policyGlobs: typeof policies === 'string' ? [policies] : policies,
      debounceMs: reload.debounce_ms,
      files: this.#snapshot.files,
      onChange: () => void this.reload('watch'),
      onError: (directory, error) => this.logger.warn({ directory, err: error.message }, 'cannot watch a config directory; use SIGHUP or POST /admin/reload'),
    });
  }

  /** Breakers and health checks follow the snapshot; unchanged targets keep their state. */
  #applyResilience(snapshot: Snapshot): void {
    const ids = new Set<string>();
    for (const route of snapshot.routes.values()) {
      for (const target of route.targets) {
        if (ids.has(target.id)) continue;
        ids.add(target.id);
        this.breakers.configure(target.id, route.breaker);
      }
    }
    this.breakers.retain(ids);
    this.health.sync(snapshot.providers.values());
  }

  /**
   * Graceful shutdown: stop accepting (new connections are refused, new requests on
   * open connections get 503), let in-flight requests and streams finish for up to
   * `shutdown.drain_timeout_ms`, then cut what remains with a proper error (a
   * terminal event in the client's stream format), release every slot, and close.
   */
  async close(): Promise<void> {
    this.#accepting = false;
    this.#forward.close();
    this.#watcher?.close();
    const stopped = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeIdleConnections();
    const drainMs = this.#snapshot.proxy.shutdown.drain_timeout_ms;
    if (this.#tracker.size > 0) this.logger.info({ in_flight: this.#tracker.size, drain_timeout_ms: drainMs }, 'draining in-flight requests');
    if (!(await this.#tracker.drain(drainMs))) {
      this.logger.warn({ in_flight: this.#tracker.size }, 'drain timeout reached; cutting the remaining requests');
      this.#tracker.cutAll(drainMs);
      await this.#tracker.drain(2_000);
    }
    this.#server.closeAllConnections();
    await stopped;
    if (this.#admin) {
      const admin = this.#admin;
      const adminStopped = new Promise<void>((resolve) => admin.close(() => resolve()));
      admin.closeAllConnections();
      await adminStopped;
    }
    await this.#reloading;
    this.#upstream.close();
    this.breakers.close();
    this.health.close();
    for (const provider of this.#snapshot.providers.values()) provider.agent.destroy();
    await this.state.close();
    this.logger.flush();
  }
}

function withOverrides(loaded: LoadedConfig, options: StartOptions): LoadedConfig {
  const { proxy } = loaded;
  return {
    ...loaded,
    proxy: {
      ...proxy,
      listen: { host: options.host ?? proxy.listen.host, port: options.port ?? proxy.listen.port },
      log: { ...proxy.log, level: (options.logLevel as typeof proxy.log.level | undefined) ?? proxy.log.level },
      state: options.redisUrl ? redisStateSchema.parse({ backend: 'redis', url: options.redisUrl }) : proxy.state,
    },
  };
}
