import { describe, expect, it } from 'vitest';
import { getStrategy } from '../../../lib/routing/registry.js';
import type { Strategy } from '../../../lib/routing/strategy.js';
import type { Target } from '../../../lib/routing/target.js';
import { MemoryStore } from '../../../lib/state/memory-store.js';
import { facts, pickContext, seeded, target } from '../../helpers/targets.js';

function create(type: string, options: Record<string, unknown> = {}): Strategy {
  const definition = getStrategy(type);
  return definition.create(definition.options.parse({ type, ...options }));
}

async function firstPicks(strategy: Strategy, targets: readonly Target[], n: number, ctx = pickContext()): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const [first] = await strategy.order(targets, ctx);
    counts.set(first!.id, (counts.get(first!.id) ?? 0) + 1);
  }
  return counts;
}

describe('weighted (smooth weighted round robin)', () => {
  it("produces nginx's interleaved sequence for weights 5,1,1", async () => {
    const strategy = create('weighted');
    const targets = [target('a', { weight: 5 }), target('b', { weight: 1 }), target('c', { weight: 1 })];
    const sequence: string[] = [];
    for (let i = 0; i < 14; i++) sequence.push((await strategy.order(targets, pickContext()))[0]!.id);
    expect(sequence.join('')).toBe('aabacaa'.repeat(2));
  });

  it('picks within ±2 percentage points of the weights over 10,000 picks', async () => {
    const targets = [target('a', { weight: 6 }), target('b', { weight: 3 }), target('c', { weight: 1 })];
    const counts = await firstPicks(create('weighted'), targets, 10_000);
    expect(Math.abs(counts.get('a')! / 10_000 - 0.6)).toBeLessThan(0.02);
    expect(Math.abs(counts.get('b')! / 10_000 - 0.3)).toBeLessThan(0.02);
    expect(Math.abs(counts.get('c')! / 10_000 - 0.1)).toBeLessThan(0.02);
  });

  it('never picks a weight-0 target first while a weighted one is available, but keeps it as a fallback', async () => {
    const strategy = create('weighted');
    const targets = [target('a', { weight: 1 }), target('z', { weight: 0 })];
    for (let i = 0; i < 10; i++) {
      const order = await strategy.order(targets, pickContext());
      expect(order.map((t) => t.id)).toEqual(['a', 'z']);
    }
  });
});

describe('random (weighted)', () => {
  it('picks within ±2 percentage points of the weights over 10,000 picks', async () => {
    const targets = [target('a', { weight: 5 }), target('b', { weight: 3 }), target('c', { weight: 2 })];
    const counts = await firstPicks(create('random'), targets, 10_000, pickContext({ random: seeded(7) }));
    expect(Math.abs(counts.get('a')! / 10_000 - 0.5)).toBeLessThan(0.02);
    expect(Math.abs(counts.get('b')! / 10_000 - 0.3)).toBeLessThan(0.02);
    expect(Math.abs(counts.get('c')! / 10_000 - 0.2)).toBeLessThan(0.02);
  });

  it('returns every target, so the rest are fallbacks', async () => {
    const order = await create('random').order([target('a'), target('b'), target('c')], pickContext());
    expect(order.map((t) => t.id).sort()).toEqual(['a', 'b', 'c']);
  });
});

describe('round_robin', () => {
  it('starts each request at the next target', async () => {
    const strategy = create('round_robin');
    const targets = [target('a'), target('b'), target('c')];
    const firsts: string[] = [];
    for (let i = 0; i < 6; i++) firsts.push((await strategy.order(targets, pickContext()))[0]!.id);
    expect(firsts).toEqual(['a', 'b', 'c', 'a', 'b', 'c']);
    expect((await strategy.order(targets, pickContext())).map((t) => t.id)).toEqual(['a', 'b', 'c']);
  });
});

describe('hash (rendezvous)', () => {
  it('is sticky: the same key always gets the same target', async () => {
    const strategy = create('hash', { key: 'header:x-session-id' });
    const targets = [target('a'), target('b'), target('c')];
    const ctx = pickContext({ request: facts({ headers: { 'x-session-id': 'session-42' } }) });
    const first = (await strategy.order(targets, ctx))[0]!.id;
    for (let i = 0; i < 20; i++) expect((await strategy.order(targets, ctx))[0]!.id).toBe(first);
  });

  it('moves only the removed target\'s keys (about 1/N) when one of N targets is removed', async () => {
    const strategy = create('hash', { key: 'user' });
    const all = ['t1', 't2', 't3', 't4', 't5'].map((id) => target(id));
    const without = all.filter((t) => t.id !== 't3');
    let moved = 0;
    let ownedByRemoved = 0;
    const keys = 5_000;
    for (let k = 0; k < keys; k++) {
      const ctx = pickContext({ request: facts({ user: `user-${k}` }) });
      const before = (await strategy.order(all, ctx))[0]!.id;
      const after = (await strategy.order(without, ctx))[0]!.id;
      if (before === 't3') ownedByRemoved++;
      else if (before !== after) moved++;
    }
    expect(moved).toBe(0);
    expect(ownedByRemoved / keys).toBeGreaterThan(0.17);
    expect(ownedByRemoved / keys).toBeLessThan(0.23);
  });

  it('spreads keys by weight', async () => {
    const targets = [target('a', { weight: 3 }), target('b', { weight: 1 })];
    const strategy = create('hash', { key: 'user' });
    let a = 0;
    for (let k = 0; k < 4_000; k++) {
      if ((await strategy.order(targets, pickContext({ request: facts({ user: `u${k}` }) })))[0]!.id === 'a') a++;
    }
    expect(Math.abs(a / 4_000 - 0.75)).toBeLessThan(0.03);
  });

  it('falls back to the client address when the configured header is missing', async () => {
    const strategy = create('hash', { key: 'header:x-session-id' });
    const targets = [target('a'), target('b'), target('c'), target('d')];
    const picks = new Set<string>();
    for (let i = 0; i < 40; i++) {
      picks.add((await strategy.order(targets, pickContext({ request: facts({ clientIp: `10.0.0.${i}` }) })))[0]!.id);
    }
    expect(picks.size).toBeGreaterThan(1);
  });
});

describe('least_connections', () => {
  it('prefers the target with the fewest in-flight requests', async () => {
    const state = new MemoryStore();
    await state.admit('a', { maxConnections: Infinity });
    await state.admit('a', { maxConnections: Infinity });
    await state.admit('b', { maxConnections: Infinity });
    const order = await create('least_connections').order([target('a'), target('b'), target('c')], pickContext({ state }));
    expect(order.map((t) => t.id)).toEqual(['c', 'b', 'a']);
  });

  it('spreads ties instead of always choosing the first', async () => {
    const counts = await firstPicks(create('least_connections'), [target('a'), target('b'), target('c')], 3_000);
    for (const id of ['a', 'b', 'c']) expect(counts.get(id)! / 3_000).toBeGreaterThan(0.28);
  });

  it('divides connections by weight', async () => {
    const state = new MemoryStore();
    for (let i = 0; i < 3; i++) await state.admit('big', { maxConnections: Infinity });
    await state.admit('small', { maxConnections: Infinity });
    const order = await create('least_connections').order(
      [target('big', { weight: 4 }), target('small', { weight: 1 })],
      pickContext({ state }),
    );
    expect(order[0]!.id).toBe('big');
  });
});

describe('latency', () => {
  it('prefers the faster target and still samples the slower one', async () => {
    const state = new MemoryStore();
    for (let i = 0; i < 5; i++) {
      await state.recordLatency('fast', 50);
      await state.recordLatency('slow', 400);
    }
    const counts = await firstPicks(create('latency', { exploration: 0.1 }), [target('slow'), target('fast')], 2_000, pickContext({ state }));
    expect(counts.get('fast')! / 2_000).toBeGreaterThan(0.85);
    expect(counts.get('slow')!).toBeGreaterThan(100);
  });

  it('tries a target without samples first, so every target gets measured', async () => {
    const state = new MemoryStore();
    await state.recordLatency('known', 10);
    const order = await create('latency', { exploration: 0 }).order([target('known'), target('new')], pickContext({ state }));
    expect(order[0]!.id).toBe('new');
  });

  it('moves back to a target once it recovers', async () => {
    const state = new MemoryStore();
    const strategy = create('latency', { exploration: 0.2 });
    const targets = [target('a'), target('b')];
    for (let i = 0; i < 5; i++) {
      await state.recordLatency('a', 500);
      await state.recordLatency('b', 100);
    }
    const ctx = pickContext({ state, random: seeded(3) });
    // Serve 200 requests; each one records the latency the target has "now": a has recovered to 20 ms.
    let aLate = 0;
    for (let i = 0; i < 200; i++) {
      const [first] = await strategy.order(targets, ctx);
      await state.recordLatency(first!.id, first!.id === 'a' ? 20 : 100);
      if (i >= 150 && first!.id === 'a') aLate++;
    }
    expect(aLate / 50).toBeGreaterThan(0.7);
  });
});

describe('cost', () => {
  const cheapInput = target('cheap-input', { price: { input: 0.1, output: 10 } });
  const cheapOutput = target('cheap-output', { price: { input: 3, output: 1 } });

  it('picks the cheapest target for a small request', async () => {
    // 100 in, 1000 out: cheap-input = 0.00001 + 0.01; cheap-output = 0.0003 + 0.001
    const order = await create('cost').order([cheapInput, cheapOutput], pickContext({ request: facts({ inputTokens: 100, maxTokens: 1000 }) }));
    expect(order[0]!.id).toBe('cheap-output');
  });

  it('picks the cheapest target for a large prompt', async () => {
    // 200k in, 100 out: cheap-input = 0.02 + 0.001; cheap-output = 0.6 + 0.0001
    const order = await create('cost').order([cheapInput, cheapOutput], pickContext({ request: facts({ inputTokens: 200_000, maxTokens: 100 }) }));
    expect(order[0]!.id).toBe('cheap-input');
  });

  it('breaks equal costs by latency', async () => {
    const state = new MemoryStore();
    await state.recordLatency('slow', 300);
    await state.recordLatency('quick', 30);
    const price = { input: 1, output: 1 };
    const order = await create('cost').order([target('slow', { price }), target('quick', { price })], pickContext({ state }));
    expect(order[0]!.id).toBe('quick');
  });

  it('requires a price on every target', () => {
    const problems = getStrategy('cost').validate({ targets: [{ weight: 1, price: { input: 1, output: 1 } }, { weight: 1 }] });
    expect(problems).toEqual([{ path: ['targets', 1], message: expect.stringContaining('price') }]);
  });
});

describe('priority', () => {
  it('keeps config order', async () => {
    const order = await create('priority').order([target('x'), target('y'), target('z')], pickContext());
    expect(order.map((t) => t.id)).toEqual(['x', 'y', 'z']);
  });
});
