/**
 * Connection slots are leases: a replica that dies (here: `abandon()`, which
 * stops refreshing and releasing the way SIGKILL would) stops counting after the
 * lease TTL, while a live replica's slots outlive the TTL because it refreshes them.
 */
import { describe, expect, it } from 'vitest';
import { type RedisStore } from '../../../lib/state/redis/redis-store.js';
import { redisPerFile, waitUntil } from './redis-fixtures.js';

const TTL_MS = 300;
const redis = redisPerFile();
const replicas = (): Promise<[RedisStore, RedisStore]> => redis.replicas('lease', { lease_ttl_ms: TTL_MS });

describe('RedisStore slot leases', () => {
  it('returns a crashed replica’s slots to the truth within the lease TTL', async () => {
    const [crashing, survivor] = await replicas();
    for (let i = 0; i < 3; i++) expect((await crashing.admit('t', { maxConnections: 4 })).ok).toBe(true);
    const mine = await survivor.admit('t', { maxConnections: 4 });
    expect(mine.ok).toBe(true);
    expect(await survivor.inFlight(['t'])).toEqual([4]);
    expect((await survivor.admit('t', { maxConnections: 4 })).ok).toBe(false);

    const crashedAt = Date.now();
    crashing.abandon();
    await waitUntil(() => survivor.inFlight(['t']), ([n]) => n === 1, 3 * TTL_MS + 1_000);
    // Gone after the TTL (plus at most one cache refresh), not before.
    expect(Date.now() - crashedAt).toBeGreaterThanOrEqual(TTL_MS - 50);
    expect((await survivor.admit('t', { maxConnections: 4 })).ok).toBe(true);
  });

  it('keeps a live replica’s slots beyond the TTL by refreshing them', async () => {
    const [holder, other] = await replicas();
    const held = await holder.admit('t', { maxConnections: 1 });
    expect(held.ok).toBe(true);
    // A condition that must stay true for several TTLs: there is nothing to await but time.
    await new Promise((resolve) => setTimeout(resolve, 3 * TTL_MS));
    expect(await other.inFlight(['t'])).toEqual([1]);
    expect(await other.admit('t', { maxConnections: 1 })).toEqual({ ok: false, reason: 'connections' });
    if (held.ok) await holder.release(held.lease);
    expect((await other.admit('t', { maxConnections: 1 })).ok).toBe(true);
  });

  it('gives back the slots still held when a replica closes', async () => {
    const [closing, other] = await replicas();
    for (let i = 0; i < 2; i++) expect((await closing.admit('t', { maxConnections: 2 })).ok).toBe(true);
    await closing.close();
    expect((await other.admit('t', { maxConnections: 2 })).ok).toBe(true);
  });

  it('releases a lease exactly once, also when released from two places', async () => {
    const [a, b] = await replicas();
    const first = await a.admit('t', { maxConnections: 5 });
    const second = await b.admit('t', { maxConnections: 5 });
    if (!first.ok || !second.ok) throw new Error('not admitted');
    await Promise.all([a.release(first.lease), a.release(first.lease), a.release(first.lease)]);
    expect(await b.inFlight(['t'])).toEqual([1]);
  });
});
