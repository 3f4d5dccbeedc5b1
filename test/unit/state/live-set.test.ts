import { describe, expect, it } from 'vitest';
import { LiveSet } from '../../../lib/state/live-set.js';

const members = (set: LiveSet<{ id: number }>): number[] => [...set].map((m) => m.id).sort((a, b) => a - b);

describe('LiveSet', () => {
  it('keeps exactly the members added and not yet deleted, whatever the order of deletion', () => {
    const set = new LiveSet<{ id: number }>();
    const items = Array.from({ length: 9 }, (_, id) => ({ id }));
    for (const item of items) set.add(item);
    // Middle, last, first, then around: every swap must leave the moved member findable.
    const order = [4, 8, 0, 5, 1, 7, 2, 6, 3];
    for (const [done, i] of order.entries()) {
      expect(set.delete(items[i] as { id: number })).toBe(true);
      const left = order.slice(done + 1).sort((a, b) => a - b);
      expect(members(set)).toEqual(left);
      expect(set.size).toBe(left.length);
    }
  });

  it('ignores a second add and a delete of a non-member', () => {
    const set = new LiveSet<{ id: number }>();
    const a = { id: 1 };
    set.add(a);
    set.add(a);
    expect(set.size).toBe(1);
    expect(set.delete({ id: 1 })).toBe(false);
    expect(set.delete(a)).toBe(true);
    expect(set.delete(a)).toBe(false);
    expect(set.size).toBe(0);
  });

  it('lets an object belong to two sets independently', () => {
    const first = new LiveSet<{ id: number }>();
    const second = new LiveSet<{ id: number }>();
    const [a, b] = [{ id: 1 }, { id: 2 }];
    first.add(a);
    first.add(b);
    second.add(b);
    second.add(a);
    first.delete(a);
    expect(members(first)).toEqual([2]);
    expect(members(second)).toEqual([1, 2]);
    expect(second.has(a)).toBe(true);
    expect(first.has(a)).toBe(false);
  });

  it('iterates over a copy, so members can be deleted while it walks them', () => {
    const set = new LiveSet<{ id: number }>();
    for (let id = 0; id < 5; id++) set.add({ id });
    const seen: number[] = [];
    for (const member of set) {
      seen.push(member.id);
      set.delete(member);
    }
    expect(seen.sort()).toEqual([0, 1, 2, 3, 4]);
    expect(set.size).toBe(0);
  });

  it('clear empties the set, and a cleared member can be added again', () => {
    const set = new LiveSet<{ id: number }>();
    const items = [{ id: 1 }, { id: 2 }, { id: 3 }];
    for (const item of items) set.add(item);
    set.clear();
    expect(set.size).toBe(0);
    expect(items.some((item) => set.has(item))).toBe(false);
    set.add(items[2] as { id: number });
    expect(members(set)).toEqual([3]);
  });
});
