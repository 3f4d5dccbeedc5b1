/**
 * Builds the ioredis clients for a `state:` block: one for commands and one for
 * pub/sub (a subscribed connection cannot send other commands). Every option
 * here serves one rule: no request waits on a dead Redis. Commands are never
 * queued while disconnected (`enableOfflineQueue: false`), never re-sent after a
 * reconnect (the caller has already fallen back to local state), and time out
 * after `command_timeout_ms`.
 */
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import { type RedisStateConfig } from './config.js';

export interface RedisClients {
  readonly commands: Redis | Cluster;
  readonly events: Redis | Cluster;
  /** Where the clients point, for status details and logs (no credentials). */
  readonly endpoint: string;
}

/** Linear backoff: quick to notice a restarted Redis, gentle on one that stays down. */
function retryStrategy(maxDelayMs: number): (attempt: number) => number {
  return (attempt) => Math.min(attempt * 50, maxDelayMs);
}

function describe(config: RedisStateConfig): string {
  if (config.url !== undefined) {
    const url = new URL(config.url);
    return `redis ${url.host}`;
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
      ...(config.sentinel_password !== undefined ? { sentinelPassword: config.sentinel_password } : {}),
    });
  }
  return new Redis(config.url ?? '', options);
}

export function createClients(config: RedisStateConfig): RedisClients {
  const commands = createCommandClient(config);
  return { commands, events: commands.duplicate(), endpoint: describe(config) };
}
