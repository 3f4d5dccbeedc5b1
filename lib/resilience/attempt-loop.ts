/**
 * The attempt loop: walk the route chain (the route, its fallbacks, the client's
 * fallbacks), let each route's strategy order the targets that may serve, and try
 * them until one answers, bounded by the first route's `retries.attempts` and
 * `retries.deadline_ms`. A target already tried is not tried again in the same
 * round; later rounds (after a jittered backoff) go over the targets again. With
 * hedging, a second attempt races the first when it is slow to answer.
 */
import { performance } from 'node:perf_hooks';
import type { Operation } from '../providers/types.js';
import type { PickContext } from '../routing/strategy.js';
import type { Route, Target } from '../routing/target.js';
import type { StateStore } from '../state/store.js';
import type { RequestContext } from '../server/request-context.js';
import type { Delivery } from '../server/deliver.js';
import type { RequestView } from '../server/request-view.js';
import type { UpstreamCall, UpstreamClient } from '../server/upstream.js';
import { isLlmuxError, type LlmuxError } from '../errors.js';
import type { Logger } from '../telemetry/logger.js';
import type { AttemptFailure, AttemptSuccess } from './attempt.js';
import { backoffDelay, sleep } from './backoff.js';
import type { BreakerBoard } from './breakers.js';
import { candidatesFor, type Exclusion } from './candidates.js';
import { AttemptTimeout } from './failure.js';
import { finalError } from './final-error.js';
import type { HealthBoard } from './health-checks.js';
import { runRace, type Launch, type Running } from './race.js';
import type { TtfbTracker } from './ttfb-tracker.js';
import { requestedWait } from './cooldown-headers.js';
import { timerMs } from './timer-ms.js';

/** What the pipeline supplies for one request: how to build a call, how to answer. */
export interface AttemptHandlers {
  /** Builds the upstream call for a target; throws an `LlmuxError` when the target cannot take this request. */
  prepare(target: Target): UpstreamCall;
  /** Answers the client from a committed attempt; resolves when the answer is complete. */
  deliver(target: Target, success: AttemptSuccess, limits: { readonly idleMs: number; readonly remainingMs: number }): Delivery | Promise<Delivery>;
  /** Relays an upstream error the client caused (never retried), in the client's format. */
  relayError(target: Target, failure: AttemptFailure): void;
}

export interface ResilienceDependencies {
  readonly state: StateStore;
  readonly upstream: UpstreamClient;
  readonly breakers: BreakerBoard;
  readonly health: HealthBoard;
  readonly ttfb: TtfbTracker;
  readonly logger: Logger;
  readonly random: () => number;
}

/** A failed attempt, kept for the final error and for relaying. */
export interface FailedAttempt {
  readonly target: Target;
  readonly result: AttemptFailure;
}

/** The attempt that answered the client, and how its answer went. */
export interface Served {
  readonly target: Target;
  readonly route: Route;
  readonly delivery: Delivery;
}

/**
 * Runs attempts until one commits; rejects with the error the client should get
 * when none does. Resolves `undefined` when the client left or was answered with
 * an upstream client error.
 */
export async function runAttempts(
  ctx: RequestContext,
  chain: readonly Route[],
  operation: Operation,
  pick: PickContext,
  handlers: AttemptHandlers,
  deps: ResilienceDependencies,
  view?: RequestView,
): Promise<Served | undefined> {
  const primary = chain[0];
  if (!primary) throw new Error('empty route chain');
  const { retries, timeouts } = primary;
  const deadlineAt = ctx.startedAt + retries.deadline_ms;
  const totalAt = ctx.startedAt + timeouts.total_ms;
  const tried = new Set<string>();
  const reasons = new Map<string, Exclusion>();
  const failed: FailedAttempt[] = [];
  let attemptsLeft = retries.attempts;
  let minContextWindow: number | undefined;
  let rejection: LlmuxError | undefined;

  // Breakers and the state store usually answer at once; only a real promise is awaited.
  const launch: Launch = async (target, route) => {
    if (attemptsLeft <= 0 || performance.now() >= deadlineAt) return undefined;
    let verdict = target.id === forcedId ? { allow: true as const, ticket: deps.breakers.force(target.id) } : deps.breakers.admit(target.id);
    if (verdict instanceof Promise) verdict = await verdict;
    if (!verdict.allow) {
      reasons.set(target.id, { target: target.id, kind: 'breaker', reason: `circuit breaker ${verdict.phase === 'open' ? 'open' : 'half-open, probe in flight'}` });
      return undefined;
    }
    let call: UpstreamCall;
    try {
      call = handlers.prepare(target);
    } catch (error) {
      verdict.ticket.neutral();
      if (!isLlmuxError(error)) throw error;
      rejection ??= error;
      reasons.set(target.id, { target: target.id, kind: 'rejected', reason: error.message });
      return undefined;
    }
    const tokens = target.tpm === undefined ? undefined : pick.request.estimatedInputTokens() + (pick.request.maxTokens ?? 0);
    let admission = deps.state.admit(target.id, { maxConnections: target.maxConnections, rpm: target.rpm, tpm: target.tpm, tokens });
    if (admission instanceof Promise) admission = await admission;
    if (!admission.ok) {
      verdict.ticket.neutral();
      reasons.set(target.id, refusal(target, admission.reason, admission.retryAt));
      return undefined;
    }
    attemptsLeft--;
    tried.add(target.id);
    const now = performance.now();
    // Rounded so that concurrent requests' timers share Node's timer lists (see timer-ms.ts).
    const untilDeadline = timerMs(Math.min(deadlineAt, totalAt) - now);
    return {
      target,
      route,
      ticket: verdict.ticket,
      lease: admission.lease,
      call,
      timers: {
        connectMs: Math.min(timeouts.connect_ms, untilDeadline),
        firstByteMs: Math.min(timeouts.first_byte_ms, untilDeadline),
        firstBytePhase: timeouts.first_byte_ms <= untilDeadline ? 'first_byte' : 'total',
        idleMs: timeouts.idle_ms,
      },
    } satisfies Running;
  };
  let forcedId: string | undefined;

  for (let round = 0; attemptsLeft > 0; round++) {
    if (round > 0) {
      const wait = Math.min(backoffDelay(round, retries.backoff_ms, retries.backoff_max_ms, deps.random), deadlineAt - performance.now());
      if (wait > 0) await sleep(wait);
    }
    if (performance.now() >= deadlineAt || ctx.clientGone) break;
    let launched = false;
    for (const route of chain) {
      let set = candidatesFor(route, { operation, state: deps.state, breakers: deps.breakers, health: deps.health, now: Date.now(), minContextWindow, request: view });
      if (set instanceof Promise) set = await set;
      for (const exclusion of set.excluded) noteReason(reasons, exclusion);
      forcedId = set.forced?.id;
      let ordered = route.strategy.order(set.eligible, pick);
      if (ordered instanceof Promise) ordered = await ordered;
      const queue = round === 0 && tried.size > 0 ? ordered.filter((t) => !tried.has(t.id)) : ordered.slice();
      ctx.route = route.name;
      while (queue.length > 0 && attemptsLeft > 0) {
        const settled = await runRace(ctx, queue, route, launch, deps);
        if (!settled) break;
        launched = true;
        for (const loss of settled.failures) {
          failed.push(loss);
          await afterFailure(loss, route, deps);
          reasons.set(loss.target.id, { target: loss.target.id, kind: 'rejected', reason: `${loss.result.failure.kind} (${loss.result.failure.detail})` });
        }
        if (settled.success) {
          const delivery = await commit(ctx, settled.success.running, settled.success.result, handlers, deps, totalAt);
          return { target: settled.success.running.target, route: settled.success.running.route, delivery };
        }
        if (ctx.clientGone) return undefined;
        const last = settled.failures.at(-1)?.result.failure;
        if (last?.kind === 'client_error') {
          const loss = settled.failures.at(-1) as FailedAttempt;
          handlers.relayError(loss.target, loss.result);
          return undefined;
        }
        if (last?.kind === 'context_length') {
          // Only a target with a bigger configured window can help; the filter keeps just those.
          minContextWindow = Math.max(minContextWindow ?? 0, settled.failures.at(-1)?.target.contextWindow ?? 0);
          queue.length = 0;
          break;
        }
      }
    }
    if (!launched) break;
  }

  const relayable = failed.findLast((f) => f.result.failure.kind === 'context_length');
  if (relayable) {
    handlers.relayError(relayable.target, relayable.result);
    return undefined;
  }
  if (rejection && failed.length === 0) throw rejection;
  throw await finalError(ctx, primary, failed, reasons, deps.state);
}

function refusal(target: Target, reason: 'connections' | 'rpm' | 'tpm', retryAt: number | undefined): Exclusion {
  if (reason === 'connections') return { target: target.id, kind: 'capacity', reason: `at its connection cap (${target.maxConnections})` };
  const limit = reason === 'rpm' ? `${target.rpm} requests` : `${target.tpm} tokens`;
  const until = retryAt === undefined ? '' : ` until ${new Date(retryAt).toISOString()}`;
  return { target: target.id, kind: 'quota', reason: `${reason} quota of ${limit} per minute used up${until}`, until: retryAt };
}

function noteReason(reasons: Map<string, Exclusion>, exclusion: Exclusion): void {
  if (!reasons.has(exclusion.target)) reasons.set(exclusion.target, exclusion);
}

/** Books a failed attempt: breaker, cooldown, slot. */
async function afterFailure(loss: FailedAttempt, route: Route, deps: ResilienceDependencies): Promise<void> {
  const { failure, headers, body } = loss.result;
  if (failure.kind === 'rate_limited' || (failure.kind === 'overloaded' && headers)) {
    const asked = headers ? requestedWait(headers, body?.toString('utf8') ?? '', Date.now()) : undefined;
    const wait = asked ?? (failure.kind === 'rate_limited' ? route.cooldown.default_ms : undefined);
    if (wait !== undefined && wait > 0) await deps.state.setCooldown(loss.target.id, Date.now() + Math.min(wait, route.cooldown.max_ms));
  }
  deps.logger.debug({ target: loss.target.id, failure: failure.kind, detail: failure.detail }, 'attempt failed');
}

async function commit(
  ctx: RequestContext,
  running: Running,
  result: AttemptSuccess,
  handlers: AttemptHandlers,
  deps: ResilienceDependencies,
  totalAt: number,
): Promise<Delivery> {
  const { target, route } = running;
  ctx.target = target.id;
  ctx.route = route.name;
  ctx.ttfbMs = result.ttfbMs;
  deps.ttfb.record(route.name, result.ttfbMs);
  void deps.state.recordLatency(target.id, result.ttfbMs);
  let delivery: Delivery = { end: { kind: 'client_abort' } };
  // Shutdown (past its drain timeout) or a gone client can end the answer from outside.
  ctx.upstreamAnswer = result.response;
  try {
    if (ctx.clientGone || ctx.res.writableEnded) result.response.destroy();
    else {
      const delivering = handlers.deliver(target, result, { idleMs: route.timeouts.idle_ms, remainingMs: totalAt - performance.now() });
      delivery = delivering instanceof Promise ? await delivering : delivering;
    }
  } finally {
    ctx.upstreamAnswer = undefined;
    const { end, usage } = delivery;
    if (end.kind === 'complete') running.ticket.success();
    else if (end.kind === 'upstream_broken') running.ticket.failure();
    else running.ticket.neutral();
    ctx.usage = usage;
    // The tpm reservation was an estimate; the real count replaces it where the answer reported one.
    void deps.state.release(running.lease, usage ? usage.inputTokens + usage.outputTokens : undefined);
    if (end.kind === 'upstream_broken') {
      ctx.brokeOff = end.error instanceof AttemptTimeout ? `timeout_${end.error.phase}` : 'upstream_broken';
      deps.logger.warn({ id: ctx.id, target: target.id, kind: ctx.brokeOff, detail: end.error.message }, 'upstream broke off after the answer started');
    }
  }
  return delivery;
}

