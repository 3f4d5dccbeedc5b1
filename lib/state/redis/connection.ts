/**
 * The two ioredis connections of a store, built from a `state:` block: one for
 * commands and one for pub/sub (a subscribed connection cannot send other
 * commands), with their lifecycle: connect, watch, re-subscribe, quit. Every option
 * here serves one rule: no request waits on a dead Redis. Commands are never
 * queued while disconnected (`enableOfflineQueue: false`), never re-sent after a
 * reconnect (the caller has already fallen back to local state), and time out
 * after `command_timeout_ms`.
 */
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import { type RedisStateConfig } from './config.js';
import { withDeadline } from './deadline.js';

/** Linear backoff: quick to notice a restarted Redis, gentle on one that stays down. */
function retryStrategy(maxDelayMs: number): (attempt: number) => number {
  return (attempt) => Math.min(attempt * 50, maxDelayMs);
}

function describe(config: RedisStateConfig): string {
  if (config.url !== undefined) {
    // Only the host: the URL may carry a password.
    return URL.canParse(config.url) ? `redis ${new URL(config.url).host}` : 'redis';
  }
  if (config.sentinels !== undefined) return `redis sentinel ${config.name ?? ''} via ${config.sentinels.map((n) => `${n.host}:${n.port}`).join(',')}`;
  return `redis cluster ${(config.cluster ?? []).map((n) => `${n.host}:${n.port}`).join(',')}`;
}

function nodeOptions(config: RedisStateConfig): RedisOptions {
  return {
    lazyConnect: true,
    enableOfflineQueue: false,
    autoResendUnfulfilledCommands: false,
    maxRetriesPerRequest: 0,
    commandTimeout: config.command_timeout_ms,
    connectTimeout: config.connect_timeout_ms,
    retryStrategy: retryStrategy(config.reconnect_max_delay_ms),
    ...(config.username !== undefined ? { username: config.username } : {}),
    ...(config.password !== undefined ? { password: config.password } : {}),
    ...(config.tls ? { tls: {} } : {}),
  };
}

function createCommandClient(config: RedisStateConfig): Redis | Cluster {
  if (config.cluster !== undefined) {
    const options: ClusterOptions = {
      lazyConnect: true,
      enableOfflineQueue: false,
      enableAutoPipelining: true,
      clusterRetryStrategy: retryStrategy(config.reconnect_max_delay_ms),
      slotsRefreshTimeout: config.connect_timeout_ms,
      redisOptions: nodeOptions(config),
    };
    return new Cluster(config.cluster, options);
  }
  // Concurrent calls (admissions of many requests, lease refreshes, cache reads) share one write.
  const options: RedisOptions = { ...nodeOptions(config), enableAutoPipelining: true };
  if (config.sentinels !== undefined) {
    return new Redis({
      ...options,
      sentinels: config.sentinels,
      name: config.name,
      sentinelRetryStrategy: retryStrategy(config.reconnect_max_delay_ms),
      ...(config.tls ? { enableTLSForSentinelMode: true, sentinelTLS: {} } : {}),
      ...(config.sentinel_password !== undefined ? { sentinelPassword: config.sentinel_password } : {}),
    });
  }
  return new Redis(config.url ?? '', options);
}

export interface LinkHandlers {
  /** A connection dropped. */
  readonly down: (error: Error) => void;
  /** A connection is (again) ready for commands. */
  readonly ready: () => void;
  readonly message: (channel: string, text: string) => void;
}

export class RedisLink {
  readonly commands: Redis | Cluster;
  readonly events: Redis | Cluster;
  /** Where the clients point, for status details and logs (no credentials). */
  readonly endpoint: string;
  readonly #config: RedisStateConfig;
  readonly #channel: string;

  constructor(config: RedisStateConfig, channel: string) {
    this.#config = config;
    this.#channel = channel;
    this.commands = createCommandClient(config);
    this.events = this.commands.duplicate();
    this.endpoint = describe(config);
  }

  watch(handlers: LinkHandlers): void {
    for (const client of [this.commands, this.events]) {
      // Errors also surface as failed commands or 'close'; without a listener ioredis would print them.
      client.on('error', () => undefined);
      client.on('close', () => handlers.down(new Error('connection to Redis lost')));
      client.on('ready', handlers.ready);
    }
    this.events.on('message', handlers.message);
  }

  /** Connects both and subscribes; rejects when that takes longer than a connect plus a command. */
  async connect(): Promise<void> {
    const connected = Promise.all([this.commands.connect(), this.events.connect()]).then(() => this.subscribe());
    await withDeadline(connected, this.#config.connect_timeout_ms + this.#config.command_timeout_ms);
  }

  /** Both connections up (ioredis reconnects by itself; this says whether it has). */
  get connected(): boolean {
    return this.commands.status === 'ready' && this.events.status === 'ready';
  }

  /** (Re-)subscribes to the channel; idempotent, and sure to be active when it resolves. */
  async subscribe(): Promise<void> {
    await withDeadline(this.events.subscribe(this.#channel), this.#config.command_timeout_ms);
  }

  /** Polite QUIT, bounded by the command timeout, then the sockets are closed regardless. */
  async quit(): Promise<void> {
    await Promise.all([this.commands, this.events].map((client) => withDeadline(client.quit(), this.#config.command_timeout_ms).catch(() => undefined)));
    this.disconnect();
  }

  disconnect(): void {
    this.commands.disconnect();
    this.events.disconnect();
  }
}
