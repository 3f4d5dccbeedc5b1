/**
 * Hedging: on a route that enables it, when the first attempt has no first byte
 * after the hedge delay, a second starts on the next candidate; the first good
 * answer wins and the other is aborted, its slot freed. Without hedging the loop
 * sends an attempt (`start`) and settles its result (`settleOne`) itself.
 */
import type { Route, Target } from '../routing/target.js';
import type { RequestContext } from '../server/request-context.js';
import type { UpstreamCall } from '../server/upstream.js';
import type { Lease, MaybePromise } from '../state/store.js';
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
export type Launch = (target: Target, route: Route) => MaybePromise<Running | undefined>;

export interface Settled {
  readonly success?: { readonly running: Running; readonly result: AttemptSuccess } | undefined;
  readonly failures: readonly FailedAttempt[];
}

/** Sends an admitted attempt. */
export const start = (ctx: RequestContext, running: Running, deps: ResilienceDependencies): AttemptHandle =>
  startAttempt(ctx, running.target, running.call, running.timers, deps.upstream);

/** Launches the queue's targets in order until one is admitted. */
export function launchNext(queue: Target[], route: Route, launch: Launch): MaybePromise<Running | undefined> {
  while (queue.length > 0) {
    const running = launch(queue.shift() as Target, route);
    if (running instanceof Promise) return running.then((admitted) => admitted ?? launchNext(queue, route, launch));
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

/** How long the first attempt may go without a first byte before a second races it; `undefined` without hedging. */
export function hedgeDelay(route: Route, deps: ResilienceDependencies): number | undefined {
  const hedge = route.hedge;
  if (!hedge) return undefined;
  if (hedge.delay_ms !== undefined) return hedge.delay_ms;
  return Math.max(hedge.min_delay_ms, deps.ttfb.percentile(route.name, hedge.percentile ?? 95) ?? hedge.min_delay_ms);
}

const NO_FAILURES: readonly FailedAttempt[] = Object.freeze([]);

/** A finished attempt as the loop sees it: the success, or the failure booked. */
export function settleOne(deps: ResilienceDependencies, running: Running, result: AttemptResult): Settled {
  if (result.ok) return { success: { running, result }, failures: NO_FAILURES };
  return { failures: [book(deps, running, result)] };
}

/** Runs an admitted attempt, racing a second from `queue` against it once it is `delay` ms without an answer. */
export async function runHedged(
  ctx: RequestContext,
  firstRunning: Running,
  queue: Target[],
  route: Route,
  launch: Launch,
  deps: ResilienceDependencies,
  delay: number,
): Promise<Settled> {
  const first = start(ctx, firstRunning, deps);
  let timer: NodeJS.Timeout | undefined;
  const hedgeDue = new Promise<'hedge'>((resolve) => (timer = setTimeout(() => resolve('hedge'), timerMs(delay))));
  const early = await Promise.race([first.result, hedgeDue]);
  clearTimeout(timer);
  if (early !== 'hedge') return settleOne(deps, firstRunning, early);

  const secondRunning = await launchNext(queue, route, launch);
  if (!secondRunning) return settleOne(deps, firstRunning, await first.result);
  const second = start(ctx, secondRunning, deps);
  return await firstGood(deps, [
    [firstRunning, first],
    [secondRunning, second],
  ]);
}

/** The first attempt to succeed wins and the other is aborted; if both fail, both are reported. */
async function firstGood(deps: ResilienceDependencies, racers: readonly (readonly [Running, AttemptHandle])[]): Promise<Settled> {
  const failures: FailedAttempt[] = [];
  const pending = new Map(racers);
  while (pending.size > 0) {
    const [running, result] = await Promise.race([...pending].map(([r, handle]) => handle.result.then((settled) => [r, settled] as const)));
    pending.delete(running);
    if (!result.ok) {
      failures.push(book(deps, running, result));
      continue;
    }
    for (const [loser, handle] of pending) {
      handle.record('hedge_lost');
      handle.abort();
      // The loser's own result settles later; it is neutral for its breaker and frees its slot.
      void handle.result.then((late) => {
        if (late.ok) late.response.destroy();
        loser.ticket.neutral();
        void deps.state.release(loser.lease);
      });
    }
    return { success: { running, result }, failures };
  }
  return { failures };
}
