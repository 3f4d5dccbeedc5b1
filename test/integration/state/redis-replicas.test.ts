/**
 * Two RedisStore instances on one redis-server behave as two llmux replicas:
 * slots, quotas, breakers, cooldowns, probes and latency are shared.
 */
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { createStateStore } from '../../../lib/state/create.js';
import { MemoryStore } from '../../../lib/state/memory-store.js';
import { redisStateSchema } from '../../../lib/state/redis/config.js';
import { RedisStore } from '../../../lib/state/redis/redis-store.js';
import { type StateEvent } from '../../../lib/state/store.js';
import { nextEvent, openStore, redisPerFile, uniquePrefix, waitUntil } from './redis-fixtures.js';

const redis = redisPerFile();
/** Two replicas sharing one key prefix. */
const replicas = (): Promise<[RedisStore, RedisStore]> => redis.replicas('replicas');

describe('RedisStore replicas on one Redis', () => {
  it('counts a slot taken on one replica on the other, against the same cap', async () => {
    const [a, b] = await replicas();
    expect((await a.admit('t', { maxConnections: 2 })).ok).toBe(true);
    expect(await b.inFlight(['t'])).toEqual([1]);
    const second = await b.admit('t', { maxConnections: 2 });
    expect(second.ok).toBe(true);
    expect(await a.admit('t', { maxConnections: 2 })).toEqual({ ok: false, reason: 'connections' });
    if (second.ok) await b.release(second.lease);
    // a's cached count follows b's release within the refresh interval.
    await waitUntil(() => a.inFlight(['t']), (counts) => counts[0] === 1, 2_000);
    expect((await a.admit('t', { maxConnections: 2 })).ok).toBe(true);
  });

  it('shares slots of an uncapped target (sent in batches, off the request path) and their release', async () => {
    const [a, b] = await replicas();
    const leases = [];
    for (let i = 0; i < 5; i++) {
      const admission = a.admit('open', { maxConnections: Infinity });
      // Nothing to refuse: the slot is taken without waiting for Redis.
      expect(admission).not.toBeInstanceOf(Promise);
      const settled = await admission;
      if (settled.ok) leases.push(settled.lease);
    }
    expect(leases).toHaveLength(5);
    await waitUntil(() => b.inFlight(['open']), (counts) => counts[0] === 5, 2_000);
    // Given back in the same batch as two more are taken: the count is what is still held.
    for (const lease of leases) await a.release(lease);
    const more = [await a.admit('open', { maxConnections: Infinity }), await a.admit('open', { maxConnections: Infinity })];
    await waitUntil(() => b.inFlight(['open']), (counts) => counts[0] === 2, 2_000);
    for (const admission of more) if (admission.ok) await a.release(admission.lease);
    await waitUntil(() => b.inFlight(['open']), (counts) => counts[0] === 0, 2_000);
    // Successes are batched too, and each caller still hears the window after its own.
    const [first, second] = await Promise.all([a.recordOutcome('open', true, 10_000), a.recordOutcome('open', true, 10_000)]);
    expect(first).toEqual({ successes: 2, failures: 0 });
    expect(second).toEqual({ successes: 2, failures: 0 });
    expect(await b.recordOutcome('open', false, 10_000)).toEqual({ successes: 2, failures: 1 });
  });

  it('holds an rpm quota across replicas', async () => {
    const [a, b] = await replicas();
    expect((await a.admit('t', { maxConnections: Infinity, rpm: 2 })).ok).toBe(true);
    expect((await b.admit('t', { maxConnections: Infinity, rpm: 2 })).ok).toBe(true);
    expect(await a.admit('t', { maxConnections: Infinity, rpm: 2 })).toMatchObject({ ok: false, reason: 'rpm' });
    expect(await b.admit('t', { maxConnections: Infinity, rpm: 2 })).toMatchObject({ ok: false, reason: 'rpm' });
  });

  it('shows a breaker opened on one replica to the other replica’s subscribers and cache', async () => {
    const [a, b] = await replicas();
    expect(await b.breakers(['t'])).toEqual([undefined]);
    expect(await a.breakers(['t'])).toEqual([undefined]);
    const heard = { a: [] as StateEvent[], b: [] as StateEvent[] };
    a.subscribe((e) => heard.a.push(e));
    b.subscribe((e) => heard.b.push(e));
    const seen = nextEvent(b, (e) => e.type === 'breaker' && e.target === 't', 1_000);
    const until = Date.now() + 30_000;
    await a.setBreaker('t', { phase: 'open', until });
    expect(await seen).toEqual({ type: 'breaker', target: 't', breaker: { phase: 'open', until } });
    expect(await b.breakers(['t'])).toEqual([{ phase: 'open', until }]);
    const closed = nextEvent(b, (e) => e.type === 'breaker' && e.breaker.phase === 'closed', 1_000);
    await a.setBreaker('t', { phase: 'closed' });
    await closed;
    expect(await b.breakers(['t'])).toEqual([{ phase: 'closed' }]);
    // Message and periodic re-read both bring each change; it must be announced once. Let several re-reads pass.
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (const events of [heard.a, heard.b]) expect(events.map((e) => e.type === 'breaker' && e.breaker.phase)).toEqual(['open', 'closed']);
  });

  it('shows a cooldown set on one replica to the other within a second', async () => {
    const [a, b] = await replicas();
    expect(await b.cooldowns(['t'])).toEqual([undefined]);
    const seen = nextEvent(b, (e) => e.type === 'cooldown', 1_000);
    const until = Date.now() + 10_000;
    await a.setCooldown('t', until);
    expect(await seen).toEqual({ type: 'cooldown', target: 't', until });
    expect(await b.cooldowns(['t'])).toEqual([until]);
  });

  it('announces a breaker change whose pub/sub message was lost, from its periodic re-read', async () => {
    const prefix = uniquePrefix('lost');
    const store = await openStore({ url: redis.url(), prefix });
    redis.track(store);
    expect(await store.breakers(['t'])).toEqual([undefined]);
    const seen = nextEvent(store, (e) => e.type === 'breaker', 1_000);
    const until = Date.now() + 5_000;
    // What another replica's transition leaves in Redis, minus the PUBLISH.
    const raw = new Redis(redis.url());
    try {
      await raw.hset(`${prefix}:{t:t}:breaker`, 'phase', 'open', 'until', until, 'version', 1);
    } finally {
      raw.disconnect();
    }
    expect(await seen).toEqual({ type: 'breaker', target: 't', breaker: { phase: 'open', until } });
    expect(await store.breakers(['t'])).toEqual([{ phase: 'open', until }]);
  });

  it('grants the half-open probe to exactly one replica', async () => {
    const [a, b] = await replicas();
    const claims = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? a : b).claimProbe('t', 5_000)));
    expect(claims.filter(Boolean)).toHaveLength(1);
  });

  it('sums breaker outcome windows over replicas', async () => {
    const [a, b] = await replicas();
    await a.recordOutcome('t', false, 10_000);
    await b.recordOutcome('t', true, 10_000);
    expect(await a.recordOutcome('t', false, 10_000)).toEqual({ successes: 1, failures: 2 });
  });

  it('shares the latency average (batched writes, cached reads)', async () => {
    const [a, b] = await replicas();
    expect(await b.latency(['t'])).toEqual([undefined]);
    await a.recordLatency('t', 100);
    await a.recordLatency('t', 200);
    const [average] = await waitUntil(() => b.latency(['t']), ([v]) => v !== undefined, 2_000);
    expect(average).toBeCloseTo(130, 5);
  });

  it('is built by createStateStore from a state block', async () => {
    const memory = await createStateStore({ backend: 'memory' });
    expect(memory).toBeInstanceOf(MemoryStore);
    const shared = await createStateStore(redisStateSchema.parse({ backend: 'redis', url: redis.url(), prefix: uniquePrefix('create') }));
    redis.track(memory, shared);
    expect(shared).toBeInstanceOf(RedisStore);
    expect(shared.status()).toMatchObject({ healthy: true });
  });
});
