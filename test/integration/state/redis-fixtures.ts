/** Shared pieces of the Redis state store tests: opening stores, awaiting events and conditions. */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { startRedisServer, type RedisServer } from '../../helpers/redis-server.js';
import { redisStateSchema, type RedisStateInput } from '../../../lib/state/redis/config.js';
import { RedisStore, type RedisStoreOptions } from '../../../lib/state/redis/redis-store.js';
import { type StateEvent, type StateStore } from '../../../lib/state/store.js';

/** A key prefix no other test uses, so a test starts from empty state. */
export function uniquePrefix(name: string): string {
  return `${name}-${randomUUID()}`;
}

export function openStore(config: Partial<RedisStateInput>, options: RedisStoreOptions = {}): Promise<RedisStore> {
  return RedisStore.open(redisStateSchema.parse({ backend: 'redis', prefix: uniquePrefix('test'), ...config }), options);
}

/** Resolves with the next event that matches, or rejects after `timeoutMs`. */
export function nextEvent(store: StateStore, accept: (event: StateEvent) => boolean, timeoutMs = 5_000): Promise<StateEvent> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no matching event within ${timeoutMs} ms`));
    }, timeoutMs);
    const off = store.subscribe((event) => {
      if (!accept(event)) return;
      clearTimeout(timer);
      off();
      resolve(event);
    });
  });
}

/** Polls `check` until it holds; rejects with the last value seen after `timeoutMs`. */
export async function waitUntil<T>(read: () => Promise<T> | T, check: (value: T) => boolean, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!check(value)) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms; last value ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
    value = await read();
  }
  return value;
}

export interface RedisFileFixture {
  /** URL of the file's redis-server. */
  url(): string;
  /** Closes these stores after the current test. */
  track<T extends StateStore>(...stores: T[]): T[];
  /** Two stores sharing a fresh key prefix, as two replicas would. */
  replicas(name: string, config?: Partial<RedisStateInput>): Promise<[RedisStore, RedisStore]>;
}

/** One redis-server for the whole test file; every tracked store is closed after its test. */
export function redisPerFile(): RedisFileFixture {
  let server: RedisServer | undefined;
  let stores: StateStore[] = [];
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterEach(async () => {
    await Promise.all(stores.map((s) => s.close()));
    stores = [];
  });
  afterAll(async () => {
    await server?.close();
  });
  const url = (): string => {
    if (!server) throw new Error('the redis-server has not started');
    return server.url;
  };
  const track = <T extends StateStore>(...added: T[]): T[] => {
    stores.push(...added);
    return added;
  };
  return {
    url,
    track,
    async replicas(name, config = {}) {
      const prefix = uniquePrefix(name);
      const pair = await Promise.all([openStore({ url: url(), prefix, ...config }), openStore({ url: url(), prefix, ...config })]);
      track(...pair);
      return pair;
    },
  };
}
