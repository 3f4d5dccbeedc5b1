/**
 * Runs one attempt — or, on a route with hedging, two racing attempts: when the
 * first has no first byte after the hedge delay, a second starts on the next
 * candidate; the first good answer wins and the other is aborted, its slot freed.
 */
import { performance } from 'node:perf_hooks';
import type { Route, Target } from '../routing/target.js';
import type { RequestContext } from '../server/request-context.js';
import type { UpstreamCall } from '../server/upstream.js';
import type { Lease } from '../state/store.js';
import { startAttempt, type AttemptFailure, type AttemptHandle, type AttemptResult, type AttemptSuccess, type AttemptTimers } from './attempt.js';
import type { FailedAttempt, ResilienceDependencies } from './attempt-loop.js';
import type { BreakerTicket } from './breakers.js';
import { countsAgainstTarget } from './failure.js';
import { timerMs } from './timer-ms.js';

/** An admitted attempt, ready to send. */
export interface Running {
  readonly target: Target;
  readonly route: Route;
  readonly ticket: BreakerTicket;
  readonly lease: Lease;
  readonly call: UpstreamCall;
  readonly timers: AttemptTimers;
}

/** Admits and prepares the next attempt on `target`, or says why it cannot run (by returning undefined). */
export type Launch = (target: Target, route: Route) => Promise<Running | undefined>;

export interface Settled {
  readonly success?: { readonly running: Running; readonly result: AttemptSuccess } | undefined;
  readonly failures: readonly FailedAttempt[];
}

/** A started attempt; it records itself in `x-llmux-attempts` once, when it settles or loses. */
class Started {
  readonly #ctx: RequestContext;
  readonly #handle: AttemptHandle;
  #recorded = false;

  constructor(
    ctx: RequestContext,
    readonly running: Running,
    deps: ResilienceDependencies,
  ) {
    this.#ctx = ctx;
    this.#handle = startAttempt(ctx, running.target, running.call, running.timers, deps.upstream);
  }

  /** The attempt's result, recorded. */
  async done(): Promise<AttemptResult> {
    const result = await this.#handle.result;
    this.record(result.ok ? 'ok' : result.failure.kind, result.ok ? result.response.statusCode : result.failure.status);
    return result;
  }

  record(outcome: string, status?: number): void {
    if (this.#recorded) return;
    this.#recorded = true;
    this.#ctx.attempts.push({ target: this.running.target.id, outcome, status, ms: performance.now() - this.#handle.startedAt });
  }

  abort(): void {
    this.#handle.abort();
  }
}

async function launchNext(queue: Target[], route: Route, launch: Launch): Promise<Running | undefined> {
  while (queue.length > 0) {
    const running = await launch(queue.shift() as Target, route);
    if (running) return running;
  }
  return undefined;
}

/** Books a finished failed attempt: breaker ticket and slot. */
function book(deps: ResilienceDependencies, running: Running, result: AttemptFailure): FailedAttempt {
  if (countsAgainstTarget(result.failure.kind)) running.ticket.failure();
  else running.ticket.neutral();
  void deps.state.release(running.lease);
  return { target: running.target, result };
}

function hedgeDelay(route: Route, deps: ResilienceDependencies): number | undefined {
  const hedge = route.hedge;
  if (!hedge) return undefined;
  if (hedge.delay_ms !== undefined) return hedge.delay_ms;
  return Math.max(hedge.min_delay_ms, deps.ttfb.percentile(route.name, hedge.percentile ?? 95) ?? hedge.min_delay_ms);
}

export async function runRace(
  ctx: RequestContext,
  queue: Target[],
  route: Route,
  launch: Launch,
  deps: ResilienceDependencies,
): Promise<Settled | undefined> {
  let firstRunning: Running | undefined;
  while (!firstRunning && queue.length > 0) firstRunning = await launch(queue.shift() as Target, route);
  if (!firstRunning) return undefined;
  const raceStart = performance.now();
  try {
    const first = new Started(ctx, firstRunning, deps);
    const delay = queue.length > 0 ? hedgeDelay(route, deps) : undefined;
    if (delay === undefined) return settleOne(deps, first, await first.done());

    const firstDone = first.done();
    let timer: NodeJS.Timeout | undefined;
    const hedgeDue = new Promise<'hedge'>((resolve) => (timer = setTimeout(() => resolve('hedge'), timerMs(delay))));
    const early = await Promise.race([firstDone, hedgeDue]);
    clearTimeout(timer);
    if (early !== 'hedge') return settleOne(deps, first, early);

    const secondRunning = await launchNext(queue, route, launch);
    if (!secondRunning) return settleOne(deps, first, await firstDone);
    const second = new Started(ctx, secondRunning, deps);
    return await firstGood(deps, [
      [first, firstDone],
      [second, second.done()],
    ]);
  } finally {
    ctx.upstreamMs += performance.now() - raceStart;
  }
}

const NO_FAILURES: readonly FailedAttempt[] = Object.freeze([]);

function settleOne(deps: ResilienceDependencies, started: Started, result: AttemptResult): Settled {
  if (result.ok) return { success: { running: started.running, result }, failures: NO_FAILURES };
  return { failures: [book(deps, started.running, result)] };
}

/** The first attempt to succeed wins and the other is aborted; if both fail, both are reported. */
async function firstGood(deps: ResilienceDependencies, racers: readonly (readonly [Started, Promise<AttemptResult>])[]): Promise<Settled> {
  const failures: FailedAttempt[] = [];
  const pending = new Map(racers);
  while (pending.size > 0) {
    const [started, result] = await Promise.race([...pending].map(([s, done]) => done.then((r) => [s, r] as const)));
    pending.delete(started);
    if (!result.ok) {
      failures.push(book(deps, started.running, result));
      continue;
    }
    for (const [loser, lost] of pending) {
      loser.record('hedge_lost');
      loser.abort();
      // The loser's own result settles later; it is neutral for its breaker and frees its slot.
      void lost.then((late) => {
        if (late.ok) late.response.destroy();
        loser.running.ticket.neutral();
        void deps.state.release(loser.running.lease);
      });
    }
    return { success: { running: started.running, result }, failures };
  }
  return { failures };
}
