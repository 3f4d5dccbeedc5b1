/**
 * Builds the StateStore a `state:` block asks for: the embedded memory backend
 * (the default), or Redis shared by every replica.
 */
import { pino } from 'pino';
import { MemoryStore } from './memory-store.js';
import { type RedisStateConfig } from './redis/config.js';
import { type StateStore } from './store.js';
import { type Logger } from '../telemetry/logger.js';

export type StateConfig = { readonly backend: 'memory' } | RedisStateConfig;

export interface CreateStateStoreOptions {
  /** Where backend transitions are logged (Redis down / back). @default a silent logger */
  readonly logger?: Logger;
  /** Clock in epoch ms; tests pass a fake one. @default Date.now */
  readonly now?: () => number;
}

/**
 * Resolves once the store can serve. A Redis store that cannot reach Redis
 * within its connect timeout still resolves, degraded to local state, and
 * connects by itself later.
 */
export async function createStateStore(config: StateConfig, options: CreateStateStoreOptions = {}): Promise<StateStore> {
  const now = options.now ?? Date.now;
  if (config.backend === 'memory') return new MemoryStore({ now });
  // ioredis loads only for a Redis backend: the embedded default does not carry it.
  const { RedisStore } = await import('./redis/redis-store.js');
  return RedisStore.open(config, { now, logger: options.logger ?? pino({ level: 'silent' }) });
}
