/**
 * The StateStore contract: every backend must pass this suite unchanged. Call
 * `describeStateStoreContract` from a backend's test file with a factory that
 * builds a fresh, empty store around the given clock.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { StateEvent, StateStore } from '../../lib/state/store.js';

export interface ContractClock {
  now(): number;
  advance(ms: number): void;
}

export type StoreFactory = (now: () => number) => Promise<StateStore>;

function clock(start = 1_700_000_000_000): ContractClock {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

/** Resolves with the next event a store emits that matches `accept`. */
function nextEvent(store: StateStore, accept: (event: StateEvent) => boolean): Promise<StateEvent> {
  return new Promise((resolve) => {
    const off = store.subscribe((event) => {
      if (!accept(event)) return;
      off();
      resolve(event);
    });
  });
}

export function describeStateStoreContract(name: string, factory: StoreFactory): void {
  describe(`StateStore contract: ${name}`, () => {
    let stores: StateStore[] = [];
    let time: ContractClock;
    const fresh = async (): Promise<StateStore> => {
      time = clock();
      const store = await factory(() => time.now());
      stores.push(store);
      return store;
    };
    afterEach(async () => {
      await Promise.all(stores.map((s) => s.close()));
      stores = [];
    });

    describe('admission and connection slots', () => {
      it('admits up to maxConnections and refuses beyond it', async () => {
        const store = await fresh();
        const a = await store.admit('t', { maxConnections: 2 });
        const b = await store.admit('t', { maxConnections: 2 });
        const c = await store.admit('t', { maxConnections: 2 });
        expect(a.ok && b.ok).toBe(true);
        expect(c).toEqual({ ok: false, reason: 'connections' });
        expect(await store.inFlight(['t', 'other'])).toEqual([2, 0]);
      });

      it('frees a slot on release, and a second release of the same lease is a no-op', async () => {
        const store = await fresh();
        const first = await store.admit('t', { maxConnections: 1 });
        if (!first.ok) throw new Error('not admitted');
        await store.release(first.lease);
        await store.release(first.lease);
        expect(await store.inFlight(['t'])).toEqual([0]);
        const second = await store.admit('t', { maxConnections: 1 });
        expect(second.ok).toBe(true);
        expect(await store.inFlight(['t'])).toEqual([1]);
      });

      it('is atomic: of many concurrent admissions exactly the cap succeeds', async () => {
        const store = await fresh();
        const results = await Promise.all(Array.from({ length: 25 }, () => store.admit('t', { maxConnections: 5 })));
        expect(results.filter((r) => r.ok)).toHaveLength(5);
        expect(await store.inFlight(['t'])).toEqual([5]);
      });

      it('keeps targets apart and treats Infinity as uncapped', async () => {
        const store = await fresh();
        for (let i = 0; i < 50; i++) expect((await store.admit('open', { maxConnections: Infinity })).ok).toBe(true);
        expect((await store.admit('closed', { maxConnections: 0 })).ok).toBe(false);
        expect(await store.inFlight(['open', 'closed'])).toEqual([50, 0]);
      });
    });

    describe('rpm and tpm quotas', () => {
      it('admits at most rpm requests in a rolling minute, with the time when the next one fits', async () => {
        const store = await fresh();
        for (let i = 0; i < 3; i++) {
          const admitted = await store.admit('t', { maxConnections: Infinity, rpm: 3 });
          expect(admitted.ok).toBe(true);
          if (admitted.ok) await store.release(admitted.lease);
          time.advance(1_000);
        }
        const refused = await store.admit('t', { maxConnections: Infinity, rpm: 3 });
        expect(refused.ok).toBe(false);
        if (refused.ok) return;
        expect(refused.reason).toBe('rpm');
        expect(refused.retryAt).toBeGreaterThan(time.now());
        expect(refused.retryAt).toBeLessThanOrEqual(time.now() + 60_000);
        time.advance(refused.retryAt! - time.now());
        expect((await store.admit('t', { maxConnections: Infinity, rpm: 3 })).ok).toBe(true);
      });

      it('reserves estimated tokens against tpm and corrects them with the real count on release', async () => {
        const store = await fresh();
        const first = await store.admit('t', { maxConnections: Infinity, tpm: 1_000, tokens: 800 });
        expect(first.ok).toBe(true);
        const refused = await store.admit('t', { maxConnections: Infinity, tpm: 1_000, tokens: 300 });
        expect(refused).toMatchObject({ ok: false, reason: 'tpm' });
        if (first.ok) await store.release(first.lease, 200);
        expect((await store.admit('t', { maxConnections: Infinity, tpm: 1_000, tokens: 300 })).ok).toBe(true);
      });

      it('forgets requests older than the window', async () => {
        const store = await fresh();
        expect((await store.admit('t', { maxConnections: Infinity, rpm: 1 })).ok).toBe(true);
        expect((await store.admit('t', { maxConnections: Infinity, rpm: 1 })).ok).toBe(false);
        time.advance(61_000);
        expect((await store.admit('t', { maxConnections: Infinity, rpm: 1 })).ok).toBe(true);
      });
    });

    describe('latency', () => {
      it('keeps an exponentially weighted moving average per target', async () => {
        const store = await fresh();
        expect(await store.latency(['t'])).toEqual([undefined]);
        await store.recordLatency('t', 100);
        await store.recordLatency('t', 200);
        const [average] = await store.latency(['t']);
        expect(average).toBeCloseTo(130, 5);
      });
    });

    describe('cooldowns', () => {
      it('keeps the later of two cooldowns and forgets one that has ended', async () => {
        const store = await fresh();
        const start = time.now();
        await store.setCooldown('t', start + 5_000);
        await store.setCooldown('t', start + 2_000);
        expect(await store.cooldowns(['t', 'u'])).toEqual([start + 5_000, undefined]);
        time.advance(5_001);
        expect(await store.cooldowns(['t'])).toEqual([undefined]);
      });

      it('tells subscribers', async () => {
        const store = await fresh();
        const event = nextEvent(store, (e) => e.type === 'cooldown');
        await store.setCooldown('t', time.now() + 1_000);
        expect(await event).toEqual({ type: 'cooldown', target: 't', until: time.now() + 1_000 });
      });
    });

    describe('breaker windows and transitions', () => {
      it('counts outcomes in a rolling window and can be reset', async () => {
        const store = await fresh();
        await store.recordOutcome('t', true, 10_000);
        await store.recordOutcome('t', false, 10_000);
        expect(await store.recordOutcome('t', false, 10_000)).toEqual({ successes: 1, failures: 2 });
        time.advance(11_000);
        expect(await store.recordOutcome('t', true, 10_000)).toEqual({ successes: 1, failures: 0 });
        await store.resetOutcomes('t');
        expect(await store.recordOutcome('t', false, 10_000)).toEqual({ successes: 0, failures: 1 });
      });

      it('stores breaker states and tells subscribers', async () => {
        const store = await fresh();
        const event = nextEvent(store, (e) => e.type === 'breaker');
        await store.setBreaker('t', { phase: 'open', until: time.now() + 30_000 });
        expect(await event).toEqual({ type: 'breaker', target: 't', breaker: { phase: 'open', until: time.now() + 30_000 } });
        expect(await store.breakers(['t', 'u'])).toEqual([{ phase: 'open', until: time.now() + 30_000 }, undefined]);
        await store.setBreaker('t', { phase: 'closed' });
        expect((await store.breakers(['t']))[0]?.phase).toBe('closed');
      });

      it('grants the half-open probe to exactly one caller per ttl', async () => {
        const store = await fresh();
        const claims = await Promise.all(Array.from({ length: 10 }, () => store.claimProbe('t', 5_000)));
        expect(claims.filter(Boolean)).toHaveLength(1);
        time.advance(5_001);
        expect(await store.claimProbe('t', 5_000)).toBe(true);
      });

      it('stops delivering events after unsubscribe', async () => {
        const store = await fresh();
        const seen: StateEvent[] = [];
        const off = store.subscribe((e) => seen.push(e));
        off();
        await store.setBreaker('t', { phase: 'open', until: time.now() + 1 });
        await store.setCooldown('t', time.now() + 1_000);
        // A later event proves delivery would have happened by now.
        const later = nextEvent(store, (e) => e.type === 'cooldown' && e.target === 'v');
        await store.setCooldown('v', time.now() + 1_000);
        await later;
        expect(seen).toEqual([]);
      });
    });

    describe('budgets', () => {
      it('sums spend per budget and window, and starts each window from zero', async () => {
        const store = await fresh();
        expect(await store.addSpend('route:a', 0, 60_000, 0.25)).toBeCloseTo(0.25, 10);
        expect(await store.addSpend('route:a', 0, 60_000, 0.5)).toBeCloseTo(0.75, 10);
        await store.addSpend('route:b', 0, 60_000, 1);
        const [a, b, none] = await store.spent(['route:a', 'route:b', 'route:c'], 0);
        expect(a).toBeCloseTo(0.75, 10);
        expect(b).toBeCloseTo(1, 10);
        expect(none).toBe(0);
        expect(await store.spent(['route:a'], 60_000)).toEqual([0]);
        expect(await store.addSpend('route:a', 60_000, 60_000, 0.1)).toBeCloseTo(0.1, 10);
      });
    });

    it('reports its health', async () => {
      const store = await fresh();
      expect(store.status()).toMatchObject({ healthy: true });
      expect(typeof store.backend).toBe('string');
    });
  });
}
