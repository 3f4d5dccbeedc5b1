/**
 * The daemon as an object: load the config, open the state backend, listen, and
 * close again. The CLI, the demo and the integration tests all start llmux here.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig, type LoadedConfig } from '../config/load.js';
import { buildSnapshot, type Snapshot } from '../config/snapshot.js';
import { MemoryStore } from '../state/memory-store.js';
import type { StateStore } from '../state/store.js';
import { createLogger, type Logger } from '../telemetry/logger.js';
import { createRequestHandler } from './http-server.js';
import { UpstreamClient } from './upstream.js';
import { BreakerBoard } from '../resilience/breakers.js';
import { HealthBoard } from '../resilience/health-checks.js';
import { TtfbTracker } from '../resilience/ttfb-tracker.js';

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
  /** A ready logger (tests pass a silent one). @default a pino logger on stdout */
  readonly logger?: Logger;
  /** Source of randomness for strategies. @default Math.random */
  readonly random?: () => number;
}

export class Llmux {
  readonly #server: Server;
  readonly #upstream = new UpstreamClient();
  readonly breakers: BreakerBoard;
  readonly health: HealthBoard;
  #snapshot: Snapshot;
  #accepting = true;

  private constructor(
    snapshot: Snapshot,
    readonly state: StateStore,
    readonly logger: Logger,
    random: () => number,
  ) {
    this.#snapshot = snapshot;
    this.breakers = new BreakerBoard(state, logger);
    this.health = new HealthBoard(logger);
    this.#applyResilience(snapshot);
    const handler = createRequestHandler({
      state,
      upstream: this.#upstream,
      breakers: this.breakers,
      health: this.health,
      ttfb: new TtfbTracker(),
      logger,
      random,
      current: () => this.#snapshot,
      accepting: () => this.#accepting,
    });
    this.#server = createServer({ keepAliveTimeout: 65_000, requestTimeout: 0, headersTimeout: 60_000 }, handler);
  }

  static async start(options: StartOptions): Promise<Llmux> {
    const loaded = withOverrides(await loadConfig(options.configFile, { env: options.env ?? process.env }), options);
    const snapshot = buildSnapshot(loaded);
    const logger = options.logger ?? createLogger({ level: snapshot.proxy.log.level });
    const llmux = new Llmux(snapshot, new MemoryStore(), logger, options.random ?? Math.random);
    await llmux.#listen();
    logger.info({ url: llmux.url, routes: snapshot.routeNames, config: snapshot.file, state: llmux.state.backend }, 'llmux started');
    return llmux;
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

  get snapshot(): Snapshot {
    return this.#snapshot;
  }

  /** Base URL of the listener, e.g. `http://127.0.0.1:4100`. */
  get url(): string {
    const address = this.#server.address() as AddressInfo;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return `http://${host}:${address.port}`;
  }

  #listen(): Promise<void> {
    const { host, port } = this.#snapshot.proxy.listen;
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, host, () => {
        this.#server.off('error', reject);
        resolve();
      });
    });
  }

  /** Stops accepting, lets in-flight requests finish, then releases everything. */
  async close(): Promise<void> {
    this.#accepting = false;
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeIdleConnections();
    await closed;
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
    },
  };
}
