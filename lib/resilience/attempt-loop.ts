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
import { mapMaybe, type Admission, type MaybePromise, type StateStore } from '../state/store.js';
import type { RequestContext } from '../server/request-context.js';
import type { Delivery } from '../server/deliver.js';
import type { RequestView } from '../server/request-view.js';
import type { UpstreamCall, UpstreamClient } from '../server/upstream.js';
import { isLlmuxError, type LlmuxError } from '../errors.js';
import type { Logger } from '../telemetry/logger.js';
import type { AttemptFailure, AttemptSuccess } from './attempt.js';
import { backoffDelay, sleep } from './backoff.js';
import type { BreakerBoard, BreakerTicket, BreakerVerdict } from './breakers.js';
import { candidatesFor, type Exclusion } from './candidates.js';
import { AttemptTimeout } from './failure.js';
import { finalError } from './final-error.js';
import type { HealthBoard } from './health-checks.js';
import { hedgeDelay, launchNext, runHedged, settleOne, start, type Launch, type Running } from './race.js';
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
export function runAttempts(
  ctx: RequestContext,
  chain: readonly Route[],
  operation: Operation,
  pick: PickContext,
  handlers: AttemptHandlers,
  deps: ResilienceDependencies,
  view?: RequestView,
): Promise<Served | undefined> {
  return new AttemptLoop(ctx, chain, operation, pick, handlers, deps, view).run();
}

/**
 * One request's walk over its route chain. Its state is fields of one object, and
 * the steps that usually answer at once (breaker, admission, delivery of a whole
 * answer) are plain calls that return a promise only when they must wait: the
 * suspended frames, closures and microtask hops of an async function per step are
 * measurable at saturation.
 */
class AttemptLoop {
  readonly #deadlineAt: number;
  readonly #totalAt: number;
  /** Targets tried in this request; made on the first attempt. */
  #tried: Set<string> | undefined;
  /** Why targets could not serve, for the final error; made on the first exclusion or failure. */
  #reasonMap: Map<string, Exclusion> | undefined;
  readonly #failed: FailedAttempt[] = [];
  #attemptsLeft: number;
  #minContextWindow: number | undefined;
  #rejection: LlmuxError | undefined;
  /** A breaker-ejected target kept in rotation because nothing else could serve. */
  #forcedId: string | undefined;

  constructor(
    private readonly ctx: RequestContext,
    private readonly chain: readonly Route[],
    private readonly operation: Operation,
    private readonly pick: PickContext,
    private readonly handlers: AttemptHandlers,
    private readonly deps: ResilienceDependencies,
    private readonly view: RequestView | undefined,
  ) {
    const primary = chain[0];
    if (!primary) throw new Error('empty route chain');
    this.#deadlineAt = ctx.startedAt + primary.retries.deadline_ms;
    this.#totalAt = ctx.startedAt + primary.timeouts.total_ms;
    this.#attemptsLeft = primary.retries.attempts;
  }

  get #reasons(): Map<string, Exclusion> {
    this.#reasonMap ??= new Map();
    return this.#reasonMap;
  }

  /** How a hedged race launches another attempt: one function per request, made with the loop. */
  readonly #launch: Launch = (target, route) => this.#launchOn(target, route);

  async run(): Promise<Served | undefined> {
    const { ctx, deps } = this;
    const primary = this.chain[0] as Route;
    const { retries } = primary;
    for (let round = 0; this.#attemptsLeft > 0; round++) {
      if (round > 0) {
        const wait = Math.min(backoffDelay(round, retries.backoff_ms, retries.backoff_max_ms, deps.random), this.#deadlineAt - performance.now());
        if (wait > 0) await sleep(wait);
      }
      if (performance.now() >= this.#deadlineAt || ctx.clientGone) break;
      let launched = false;
      for (const route of this.chain) {
        let set = candidatesFor(route, {
          operation: this.operation,
          state: deps.state,
          breakers: deps.breakers,
          health: deps.health,
          now: Date.now(),
          minContextWindow: this.#minContextWindow,
          request: this.view,
        });
        if (set instanceof Promise) set = await set;
        for (const exclusion of set.excluded) noteReason(this.#reasons, exclusion);
        this.#forcedId = set.forced?.id;
        // One eligible target leaves a strategy nothing to order (nor to ask the store about).
        let ordered = set.eligible.length <= 1 ? set.eligible : route.strategy.order(set.eligible, this.pick);
        if (ordered instanceof Promise) ordered = await ordered;
        const tried = this.#tried;
        const queue = round === 0 && tried ? ordered.filter((t) => !tried.has(t.id)) : ordered.slice();
        ctx.route = route.name;
        while (queue.length > 0 && this.#attemptsLeft > 0) {
          let running = launchNext(queue, route, this.#launch);
          if (running instanceof Promise) running = await running;
          if (!running) break;
          launched = true;
          const raceStart = performance.now();
          const delay = queue.length > 0 ? hedgeDelay(route, deps) : undefined;
          // Without hedging (the usual case) the attempt runs alone and is awaited right here.
          const settled = delay === undefined ? settleOne(deps, running, await start(ctx, running, deps).result) : await runHedged(ctx, running, queue, route, this.#launch, deps, delay);
          ctx.upstreamMs += performance.now() - raceStart;
          for (const loss of settled.failures) {
            this.#failed.push(loss);
            await afterFailure(loss, route, deps);
            this.#reasons.set(loss.target.id, { target: loss.target.id, kind: 'rejected', reason: `${loss.result.failure.kind} (${loss.result.failure.detail})` });
          }
          if (settled.success) {
            const { running: winner, result } = settled.success;
            let delivery = this.#commit(winner, result);
            if (delivery instanceof Promise) delivery = await delivery;
            return { target: winner.target, route: winner.route, delivery };
          }
          if (ctx.clientGone) return undefined;
          const loss = settled.failures.at(-1);
          const last = loss?.result.failure;
          if (loss && last?.kind === 'client_error') {
            this.handlers.relayError(loss.target, loss.result);
            return undefined;
          }
          if (loss && last?.kind === 'context_length') {
            // Only a target with a bigger configured window can help; the filter keeps just those.
            this.#minContextWindow = Math.max(this.#minContextWindow ?? 0, loss.target.contextWindow ?? 0);
            queue.length = 0;
            break;
          }
        }
      }
      if (!launched) break;
    }

    const relayable = this.#failed.findLast((f) => f.result.failure.kind === 'context_length');
    if (relayable) {
      this.handlers.relayError(relayable.target, relayable.result);
      return undefined;
    }
    if (this.#rejection && this.#failed.length === 0) throw this.#rejection;
    throw await finalError(ctx, primary, this.#failed, this.#reasons, deps.state);
  }

  /** Breakers and the state store usually answer at once; only a real promise is waited for. */
  #launchOn(target: Target, route: Route): MaybePromise<Running | undefined> {
    if (this.#attemptsLeft <= 0 || performance.now() >= this.#deadlineAt) return undefined;
    const { breakers } = this.deps;
    const verdict = target.id === this.#forcedId ? { allow: true as const, probe: false, ticket: breakers.force(target.id) } : breakers.admit(target.id);
    return verdict instanceof Promise ? verdict.then((settled) => this.#prepare(target, route, settled)) : this.#prepare(target, route, verdict);
  }

  #prepare(target: Target, route: Route, verdict: BreakerVerdict): MaybePromise<Running | undefined> {
    if (!verdict.allow) {
      this.#reasons.set(target.id, { target: target.id, kind: 'breaker', reason: `circuit breaker ${verdict.phase === 'open' ? 'open' : 'half-open, probe in flight'}` });
      return undefined;
    }
    let call: UpstreamCall;
    try {
      call = this.handlers.prepare(target);
    } catch (error) {
      verdict.ticket.neutral();
      if (!isLlmuxError(error)) throw error;
      this.#rejection ??= error;
      this.#reasons.set(target.id, { target: target.id, kind: 'rejected', reason: error.message });
      return undefined;
    }
    const { request } = this.pick;
    const tokens = target.tpm === undefined ? undefined : request.estimatedInputTokens() + (request.maxTokens ?? 0);
    const admission = this.deps.state.admit(target.id, { maxConnections: target.maxConnections, rpm: target.rpm, tpm: target.tpm, tokens });
    return mapMaybe(admission, (settled) => this.#admitted(target, route, verdict.ticket, call, settled));
  }

  #admitted(target: Target, route: Route, ticket: BreakerTicket, call: UpstreamCall, admission: Admission): Running | undefined {
    if (!admission.ok) {
      ticket.neutral();
      this.#reasons.set(target.id, refusal(target, admission.reason, admission.retryAt));
      return undefined;
    }
    this.#attemptsLeft--;
    (this.#tried ??= new Set()).add(target.id);
    const { timeouts } = this.chain[0] as Route;
    // Rounded so that concurrent requests' timers share Node's timer lists (see timer-ms.ts).
    const untilDeadline = timerMs(Math.min(this.#deadlineAt, this.#totalAt) - performance.now());
    return {
      target,
      route,
      ticket,
      lease: admission.lease,
      call,
      timers: {
        connectMs: Math.min(timeouts.connect_ms, untilDeadline),
        firstByteMs: Math.min(timeouts.first_byte_ms, untilDeadline),
        firstBytePhase: timeouts.first_byte_ms <= untilDeadline ? 'first_byte' : 'total',
        idleMs: timeouts.idle_ms,
      },
    };
  }

  /**
   * Answers the client from the winning attempt, then settles its breaker ticket and
   * slot (also when delivering throws). A whole answer is delivered synchronously.
   */
  #commit(running: Running, result: AttemptSuccess): MaybePromise<Delivery> {
    const { ctx, deps } = this;
    const { target, route } = running;
    ctx.target = target.id;
    ctx.route = route.name;
    ctx.ttfbMs = result.ttfbMs;
    deps.ttfb.record(route.name, result.ttfbMs);
    void deps.state.recordLatency(target.id, result.ttfbMs);
    // Shutdown (past its drain timeout) or a gone client can end the answer from outside.
    ctx.upstreamAnswer = result.response;
    let delivering: MaybePromise<Delivery>;
    try {
      if (ctx.clientGone || ctx.res.writableEnded) {
        result.response.destroy();
        delivering = CLIENT_ABORT;
      } else delivering = this.handlers.deliver(target, result, { idleMs: route.timeouts.idle_ms, remainingMs: this.#totalAt - performance.now() });
    } catch (error) {
      this.#delivered(running, CLIENT_ABORT);
      throw error;
    }
    if (!(delivering instanceof Promise)) return this.#delivered(running, delivering);
    return delivering.then(
      (delivery) => this.#delivered(running, delivery),
      (error: unknown) => {
        this.#delivered(running, CLIENT_ABORT);
        throw error;
      },
    );
  }

  #delivered(running: Running, delivery: Delivery): Delivery {
    const { ctx, deps } = this;
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
      deps.logger.warn({ id: ctx.id, target: running.target.id, kind: ctx.brokeOff, detail: end.error.message }, 'upstream broke off after the answer started');
    }
    return delivery;
  }
}

/** What a delivery that never started (a gone client) or threw reports. */
const CLIENT_ABORT: Delivery = Object.freeze({ end: Object.freeze({ kind: 'client_abort' as const }) });

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
