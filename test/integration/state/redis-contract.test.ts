/**
 * The StateStore contract against real Redis: a standalone redis-server and a
 * 3-master Cluster, both started here on free ports. Every store gets its own
 * key prefix, so each test starts from empty state. The Cluster run also checks
 * the key layout that makes it work: one hash tag, hence one node, per target.
 */
import { randomUUID } from 'node:crypto';
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisStateSchema, type RedisStateInput } from '../../../lib/state/redis/config.js';
import { RedisStore } from '../../../lib/state/redis/redis-store.js';
import { describeStateStoreContract } from '../../contract/state-store.contract.js';
import { startRedisCluster, startRedisServer, type RedisCluster, type RedisServer } from '../../helpers/redis-server.js';

let server: RedisServer | undefined;
let cluster: RedisCluster | undefined;

beforeAll(async () => {
  // Started side by side; whichever did start is kept for afterAll even if the other failed.
  const [standalone, clustered] = await Promise.allSettled([startRedisServer(), startRedisCluster()]);
  if (standalone.status === 'fulfilled') server = standalone.value;
  if (clustered.status === 'fulfilled') cluster = clustered.value;
  for (const started of [standalone, clustered]) if (started.status === 'rejected') throw started.reason;
});

afterAll(async () => {
  await Promise.all([server?.close(), cluster?.close()]);
});

function open(connection: Partial<RedisStateInput>, now: () => number): Promise<RedisStore> {
  const config = redisStateSchema.parse({ backend: 'redis', prefix: `contract-${randomUUID()}`, ...connection });
  return RedisStore.open(config, { now });
}

describeStateStoreContract('redis standalone', (now) => open({ url: server?.url }, now));
describeStateStoreContract('redis cluster', (now) => open({ cluster: cluster?.nodes.map((n) => ({ ...n })) }, now));

describe('Redis Cluster key layout', () => {
  it('keeps every key of a target on one node and spreads targets over the masters', async () => {
    const prefix = `layout-${randomUUID()}`;
    const store = await RedisStore.open(redisStateSchema.parse({ backend: 'redis', prefix, cluster: cluster?.nodes.map((n) => ({ ...n })) }));
    const targets = Array.from({ length: 12 }, (_, i) => `provider-${i}/model{${i}}`);
    const client = new Cluster(cluster?.nodes.map((n) => ({ ...n })) ?? []);
    try {
      for (const target of targets) {
        expect((await store.admit(target, { maxConnections: 5, rpm: 10, tokens: 5 })).ok).toBe(true);
        await store.recordOutcome(target, false, 10_000);
        await store.setCooldown(target, Date.now() + 60_000);
        await store.setBreaker(target, { phase: 'open', until: Date.now() + 60_000 });
      }
      // Closing gives the slots back, so the slots key is gone and the other four remain.
      await store.close();
      await client.ping();
      const masters = client.nodes('master');
      expect(masters).toHaveLength(3);
      const nodeOfKey = new Map<string, number>();
      for (const [index, node] of masters.entries()) for (const key of await node.keys(`${prefix}:*`)) nodeOfKey.set(key, index);
      const nodesUsed = new Set<number>();
      for (const target of targets) {
        const escaped = target.replace('{', '%7B').replace('}', '%7D');
        const keys = [...nodeOfKey.keys()].filter((key) => key.startsWith(`${prefix}:{t:${escaped}}:`));
        expect(keys.map((key) => key.slice(key.lastIndexOf(':') + 1)).sort()).toEqual(['breaker', 'cooldown', 'outcomes', 'quota']);
        const nodes = new Set(keys.map((key) => nodeOfKey.get(key)));
        expect(nodes.size).toBe(1);
        nodesUsed.add([...nodes][0] ?? -1);
      }
      expect(nodesUsed.size).toBeGreaterThan(1);
    } finally {
      await store.close();
      client.disconnect();
    }
  });
});
