import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { pino } from 'pino';
import { BreakerBoard, type BreakerTicket } from '../../../lib/resilience/breakers.js';
import { MemoryStore } from '../../../lib/state/memory-store.js';
import { breakerSchema } from '../../../lib/config/resilience-schema.js';

const config = breakerSchema.parse({ volume_threshold: 4, error_percentage: 50, window_ms: 10_000, reset_timeout_ms: 30_000 });

async function ticketFor(board: BreakerBoard, target = 't'): Promise<BreakerTicket> {
  const verdict = await board.admit(target);
  if (!verdict.allow) throw new Error(`breaker refused: ${verdict.phase}`);
  return verdict.ticket;
}

/** Lets queued promise callbacks (outcome recording, opossum's settle) run. */
const flush = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

describe('circuit breaker lifecycle (fake timers)', () => {
  let store: MemoryStore;
  let board: BreakerBoard;
  beforeEach(() => {
    vi.useFakeTimers();
    store = new MemoryStore({ now: () => Date.now() });
    board = new BreakerBoard(store, pino({ level: 'silent' }), () => Date.now());
    board.configure('t', config);
  });
  afterEach(() => {
    board.close();
    vi.useRealTimers();
  });

  async function fail(times: number): Promise<void> {
    for (let i = 0; i < times; i++) {
      (await ticketFor(board)).failure();
      await flush();
    }
  }

  it('stays closed below the volume threshold, opens at it', async () => {
    await fail(3);
    expect(board.phase('t').phase).toBe('closed');
    await fail(1);
    expect(board.phase('t')).toMatchObject({ phase: 'open', until: Date.now() + 30_000 });
    expect((await board.admit('t')).allow).toBe(false);
    expect(await store.breakers(['t'])).toEqual([{ phase: 'open', until: Date.now() + 30_000 }]);
  });

  it('does not open while the error share is under the threshold', async () => {
    for (let i = 0; i < 6; i++) {
      (await ticketFor(board)).success();
      await flush();
    }
    await fail(5);
    expect(board.phase('t').phase).toBe('closed');
    await fail(1);
    expect(board.phase('t').phase).toBe('open');
  });

  it('ignores neutral outcomes (client errors)', async () => {
    for (let i = 0; i < 10; i++) {
      (await ticketFor(board)).neutral();
      await flush();
    }
    expect(board.phase('t').phase).toBe('closed');
  });

  it('half-opens after the reset timeout and closes on a good probe', async () => {
    await fail(4);
    vi.advanceTimersByTime(29_999);
    expect(board.phase('t').phase).toBe('open');
    vi.advanceTimersByTime(1);
    expect(board.phase('t').phase).toBe('half_open');
    const probe = await board.admit('t');
    expect(probe).toMatchObject({ allow: true, probe: true });
    // Only one probe: a second request is refused while it is in flight.
    expect((await board.admit('t')).allow).toBe(false);
    if (probe.allow) probe.ticket.success();
    await flush();
    expect(board.phase('t').phase).toBe('closed');
    expect((await store.breakers(['t']))[0]?.phase).toBe('closed');
  });

  it('opens again on a bad probe, for another reset timeout', async () => {
    await fail(4);
    vi.advanceTimersByTime(30_000);
    const probe = await board.admit('t');
    if (!probe.allow) throw new Error('no probe');
    probe.ticket.failure();
    await flush();
    expect(board.phase('t').phase).toBe('open');
    vi.advanceTimersByTime(29_999);
    expect(board.phase('t').phase).toBe('open');
    vi.advanceTimersByTime(1);
    expect(board.phase('t').phase).toBe('half_open');
  });

  it('follows a transition another replica published', async () => {
    await store.setBreaker('t', { phase: 'open', until: Date.now() + 30_000 });
    expect(board.phase('t').phase).toBe('open');
    await store.setBreaker('t', { phase: 'closed' });
    expect(board.phase('t').phase).toBe('closed');
  });

  it('lets a forced attempt through an open breaker, and closes it when that attempt succeeds', async () => {
    await fail(4);
    const forced = board.force('t');
    forced.success();
    expect(board.phase('t').phase).toBe('closed');
  });

  it('keeps a breaker\'s state when it is configured again (a reload)', async () => {
    await fail(4);
    board.configure('t', { ...config, reset_timeout_ms: 5_000 });
    expect(board.phase('t').phase).toBe('open');
  });
});
