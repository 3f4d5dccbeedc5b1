import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { OFFLINE } from '../../../lib/state/redis/deadline.js';
import { SlotBatcher, type PendingBatch } from '../../../lib/state/redis/slot-batcher.js';
import type { SlotBatch, SyncResult } from '../../../lib/state/redis/script-client.js';
import type { Lease } from '../../../lib/state/store.js';

const lease = (target: string, id: string): Lease => ({ target, id, at: 0, tokens: 0 });

/** A batcher whose sends are recorded as copies taken at send time. */
function recording(windowMs: number, answer: (batch: SlotBatch) => SyncResult | typeof OFFLINE = (): SyncResult => ({ inFlight: 0, counts: undefined })) {
  const sent: { target: string; adds: string[]; removes: string[]; successes: number }[] = [];
  const failed: { target: string; batch: PendingBatch }[] = [];
  const batcher = new SlotBatcher({
    windowMs,
    send: (target, batch) => {
      sent.push({ target, adds: [...batch.adds], removes: [...batch.removes], successes: batch.successes });
      return Promise.resolve(answer(batch));
    },
    synced: () => {},
    failed: (target, batch) => {
      failed.push({ target, batch });
      return { successes: batch.successes, failures: 0 };
    },
  });
  return { batcher, sent, failed };
}

describe('SlotBatcher', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('gathers one target’s changes over the window into one send', async () => {
    const { batcher, sent } = recording(5);
    batcher.add(lease('a', '1'));
    await vi.advanceTimersByTimeAsync(2);
    batcher.add(lease('a', '2'));
    batcher.remove(lease('a', '1'), undefined);
    void batcher.success('a', 10_000);
    expect(sent).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(3);
    expect(sent).toEqual([{ target: 'a', adds: ['1', '2'], removes: ['1'], successes: 1 }]);
    // The next change opens a new window.
    batcher.add(lease('a', '3'));
    await vi.advanceTimersByTimeAsync(4);
    expect(sent).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(sent).toHaveLength(2);
    expect(sent[1]).toMatchObject({ adds: ['3'], removes: [] });
  });

  it('sends each target separately, and with a window of 0 at the end of the event-loop turn', async () => {
    const { batcher, sent } = recording(0);
    batcher.add(lease('a', '1'));
    batcher.add(lease('b', '2'));
    expect(sent).toHaveLength(0);
    await vi.advanceTimersToNextTimerAsync();
    expect(sent.map((s) => s.target).sort()).toEqual(['a', 'b']);
  });

  it('flush sends at once and cancels the pending window', async () => {
    const { batcher, sent } = recording(1_000);
    batcher.add(lease('a', '1'));
    await batcher.flush();
    expect(sent).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(sent).toHaveLength(1);
  });

  it('counts slots Redis has not confirmed yet, until its answer arrives', async () => {
    let answer: ((result: SyncResult) => void) | undefined;
    const batcher = new SlotBatcher({
      windowMs: 5,
      send: () => new Promise<SyncResult>((resolve) => (answer = resolve)),
      synced: () => {},
      failed: () => undefined,
    });
    batcher.add(lease('a', '1'));
    batcher.add(lease('a', '2'));
    batcher.remove(lease('a', '1'), undefined);
    expect(batcher.unconfirmed('a')).toBe(1);
    expect(batcher.unconfirmed('b')).toBe(0);
    await vi.advanceTimersByTimeAsync(5);
    // Sent, not answered: still this replica's to count.
    expect(batcher.unconfirmed('a')).toBe(1);
    batcher.add(lease('a', '3'));
    expect(batcher.unconfirmed('a')).toBe(2);
    answer?.({ inFlight: 1, counts: undefined });
    await vi.advanceTimersByTimeAsync(0);
    expect(batcher.unconfirmed('a')).toBe(1);
  });

  it('hands a batch Redis could not take back, and settles the successes with the local window', async () => {
    const { batcher, failed } = recording(5, () => OFFLINE);
    batcher.remove(lease('a', '1'), 42);
    const counts = batcher.success('a', 10_000);
    await vi.advanceTimersByTimeAsync(5);
    await expect(counts).resolves.toEqual({ successes: 1, failures: 0 });
    expect(failed).toHaveLength(1);
    expect(failed[0]?.batch.removedLeases).toEqual([{ lease: lease('a', '1'), actualTokens: 42 }]);
  });
});
