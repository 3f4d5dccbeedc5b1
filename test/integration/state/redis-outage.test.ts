/**
 * Redis dies under load: every call still resolves, quickly, on local state; the
 * store reports degraded, says so once (one event, one log line), and when Redis
 * is back it reconnects, re-syncs and shares state again without being told.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedisStore } from '../../../lib/state/redis/redis-store.js';
import { type StateEvent } from '../../../lib/state/store.js';
import { startRedisServer, type RedisServer } from '../../helpers/redis-server.js';
import { nextEvent, openStore, uniquePrefix, waitUntil } from './redis-fixtures.js';

const COMMAND_TIMEOUT_MS = 200;
let server: RedisServer | undefined;
const stores: RedisStore[] = [];

beforeAll(async () => {
  server = await startRedisServer();
});
afterAll(async () => {
  await Promise.all(stores.map((s) => s.close()));
  await server?.close();
});

interface Replica {
  readonly store: RedisStore;
  readonly events: StateEvent[];
  readonly logs: { level: number; msg: string }[];
}

async function replica(prefix: string, leaseTtlMs = 15_000): Promise<Replica> {
  const logs: { level: number; msg: string }[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) logs.push(JSON.parse(line) as { level: number; msg: string });
      done();
    },
  });
  const store = await openStore(
    { url: server?.url, prefix, command_timeout_ms: COMMAND_TIMEOUT_MS, recovery_check_ms: 100, reconnect_max_delay_ms: 200, lease_ttl_ms: leaseTtlMs },
    { logger: pino({ level: 'info' }, destination) },
  );
  stores.push(store);
  const events: StateEvent[] = [];
  store.subscribe((event) => events.push(event));
  return { store, events, logs };
}

/**
 * admit → release (and a success on the uncapped target) in a loop until stopped,
 * timing every call and counting rejections. `busy` has a quota, so its admissions
 * wait for Redis; `open` has none, so its slots and successes go in batches.
 */
function load(store: RedisStore, target: 'busy' | 'open' = 'busy') {
  const stats = { calls: 0, rejected: 0, slowest: 0 };
  let running = true;
  const timed = async (call: () => unknown): Promise<unknown> => {
    const started = performance.now();
    try {
      return await call();
    } catch {
      stats.rejected++;
      return undefined;
    } finally {
      stats.calls++;
      stats.slowest = Math.max(stats.slowest, performance.now() - started);
    }
  };
  const worker = async (): Promise<void> => {
    while (running) {
      const limits = target === 'busy' ? { maxConnections: Infinity, rpm: 1_000_000 } : { maxConnections: Infinity };
      const admission = (await timed(() => store.admit(target, limits))) as Awaited<ReturnType<RedisStore['admit']>> | undefined;
      if (admission?.ok) await timed(() => store.release(admission.lease, 10));
      if (target === 'open') await timed(() => store.recordOutcome(target, true, 10_000));
      // Yield to timers and I/O, as request handling would.
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  const workers = Array.from({ length: 4 }, worker);
  return {
    stats,
    async stop() {
      running = false;
      await Promise.all(workers);
    },
  };
}

describe('RedisStore when Redis goes away and comes back', () => {
  it('keeps serving on local state, reports it once, and resumes sharing by itself', async () => {
    const prefix = uniquePrefix('outage');
    const [a, b] = await Promise.all([replica(prefix), replica(prefix)]);
    const loads = [load(a.store), load(b.store), load(a.store, 'open'), load(b.store, 'open')];
    await waitUntil(() => loads[0]?.stats.calls ?? 0, (calls) => calls > 50);

    const down = Promise.all([a, b].map((r) => nextEvent(r.store, (e) => e.type === 'backend' && !e.healthy, 2_000)));
    const stoppedAt = performance.now();
    await server?.stop();
    await down;
    expect(performance.now() - stoppedAt).toBeLessThan(1_000);
    expect(a.store.status()).toMatchObject({ healthy: false, detail: expect.stringMatching(/unreachable/) });

    // Still serving while Redis is down, and a store opened now starts degraded instead of failing.
    const during = loads[0]?.stats.calls ?? 0;
    await waitUntil(() => loads[0]?.stats.calls ?? 0, (calls) => calls > during + 200);
    const late = await replica(prefix);
    expect(late.store.status().healthy).toBe(false);

    const up = Promise.all([a, b, late].map((r) => nextEvent(r.store, (e) => e.type === 'backend' && e.healthy, 10_000)));
    await server?.start();
    await up;
    for (const l of loads) await l.stop();

    for (const l of loads) {
      expect(l.stats.rejected).toBe(0);
      expect(l.stats.slowest).toBeLessThan(COMMAND_TIMEOUT_MS + 250);
    }
    for (const r of [a, b]) {
      expect(r.events.filter((e) => e.type === 'backend').map((e) => e.type === 'backend' && e.healthy)).toEqual([false, true]);
      expect(r.logs.filter((l) => l.level === 40)).toHaveLength(1);
      expect(r.logs.filter((l) => l.level === 30)).toHaveLength(1);
      expect(r.store.status().healthy).toBe(true);
    }

    // No slot leaked across the outage, and slots are shared again.
    for (const r of [a, b]) await waitUntil(() => r.store.inFlight(['busy', 'open']), (counts) => counts.every((n) => n === 0), 2_000);
    expect((await a.store.admit('after', { maxConnections: 1 })).ok).toBe(true);
    expect(await b.store.admit('after', { maxConnections: 1 })).toEqual({ ok: false, reason: 'connections' });
    expect(await late.store.admit('after', { maxConnections: 1 })).toEqual({ ok: false, reason: 'connections' });
    const seen = nextEvent(b.store, (e) => e.type === 'breaker', 1_000);
    await a.store.setBreaker('after', { phase: 'open', until: Date.now() + 5_000 });
    await seen;
  });

  it('does not let calls wait on a Redis that hangs (connections open, no answers)', async () => {
    const prefix = uniquePrefix('hang');
    // Commands sent just before the hang run when it ends; their slots expire with this TTL.
    const [a, b] = await Promise.all([replica(prefix, 1_000), replica(prefix, 1_000)]);
    const loads = [load(a.store), load(b.store)];
    await waitUntil(() => loads[0]?.stats.calls ?? 0, (calls) => calls > 50);

    const down = Promise.all([a, b].map((r) => nextEvent(r.store, (e) => e.type === 'backend' && !e.healthy, 2_000)));
    server?.pause();
    try {
      await down;
      const during = loads[0]?.stats.calls ?? 0;
      await waitUntil(() => loads[0]?.stats.calls ?? 0, (calls) => calls > during + 200);
      expect(a.store.status().healthy).toBe(false);
    } finally {
      server?.resume();
    }
    await Promise.all([a, b].map((r) => nextEvent(r.store, (e) => e.type === 'backend' && e.healthy, 5_000)));
    for (const l of loads) await l.stop();

    for (const l of loads) {
      expect(l.stats.rejected).toBe(0);
      expect(l.stats.slowest).toBeLessThan(COMMAND_TIMEOUT_MS + 250);
    }
    for (const r of [a, b]) expect(r.events.filter((e) => e.type === 'backend')).toHaveLength(2);
    for (const r of [a, b]) await waitUntil(() => r.store.inFlight(['busy']), ([n]) => n === 0, 3_000);
    expect((await a.store.admit('after', { maxConnections: 1 })).ok).toBe(true);
    expect(await b.store.admit('after', { maxConnections: 1 })).toEqual({ ok: false, reason: 'connections' });
  });
});
