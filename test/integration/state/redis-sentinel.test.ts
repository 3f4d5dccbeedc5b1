/** The Sentinel connection config: stores find the master through a real sentinel and share state there. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedisStore } from '../../../lib/state/redis/redis-store.js';
import { startRedisSentinel, startRedisServer, type RedisSentinel, type RedisServer } from '../../helpers/redis-server.js';
import { nextEvent, openStore, uniquePrefix } from './redis-fixtures.js';

let server: RedisServer | undefined;
let sentinel: RedisSentinel | undefined;
const stores: RedisStore[] = [];

beforeAll(async () => {
  server = await startRedisServer();
  sentinel = await startRedisSentinel(server);
});
afterAll(async () => {
  await Promise.all(stores.map((s) => s.close()));
  await sentinel?.close();
  await server?.close();
});

describe('RedisStore through Sentinel', () => {
  it('reaches the master the sentinel names and shares slots and breakers there', async () => {
    const prefix = uniquePrefix('sentinel');
    const config = { sentinels: sentinel?.sentinels.map((n) => ({ ...n })), name: sentinel?.name, prefix };
    const [a, b] = await Promise.all([openStore(config), openStore(config)]);
    stores.push(a, b);
    expect(a.status()).toMatchObject({ healthy: true, detail: expect.stringMatching(/sentinel/) });
    expect((await a.admit('t', { maxConnections: 1 })).ok).toBe(true);
    expect(await b.admit('t', { maxConnections: 1 })).toEqual({ ok: false, reason: 'connections' });
    const seen = nextEvent(b, (e) => e.type === 'breaker', 1_000);
    await a.setBreaker('t', { phase: 'open', until: Date.now() + 1_000 });
    await seen;
  });
});
