/**
 * The attempt loop: walk the route chain (the route, its fallbacks, the client's
 * fallbacks), let each route's strategy order its candidates, take a connection
 * slot, send, and on a retryable failure before the first byte move to the next
 * candidate. The first attempt that produces a first byte is committed: from then
 * on the client is being answered and nothing else is tried.
 */
import { performance } from 'node:perf_hooks';
import type { ClientRequest, IncomingMessage } from 'node:http';
import { llmuxError, type LlmuxError } from '../errors.js';
import type { Operation } from '../providers/types.js';
import type { PickContext } from '../routing/strategy.js';
import type { Route, Target } from '../routing/target.js';
import type { StateStore } from '../state/store.js';
import type { RequestContext } from '../server/request-context.js';
import { firstChunk } from '../server/relay.js';
import { UpstreamRequestError, type UpstreamCall, type UpstreamClient } from '../server/upstream.js';
import { candidatesFor, type Exclusion } from './candidates.js';
import { brokenBeforeFirstByte, classifyRequestError, type Failure } from './failure.js';

/** What the pipeline supplies for one request: how to build a call, how to answer. */
export interface AttemptHandlers {
  /** Builds the upstream call for a target; throws an `LlmuxError` when the target cannot take this request. */
  prepare(target: Target): UpstreamCall;
  /** Answers the client from a committed upstream response; resolves when the answer is complete. */
  deliver(target: Target, response: IncomingMessage, first: Buffer | null): Promise<void>;
}

export interface LoopDependencies {
  readonly state: StateStore;
  readonly upstream: UpstreamClient;
  readonly pick: PickContext;
}

/** Runs attempts until one commits; rejects with the error the client should get when none does. */
export async function runAttempts(
  ctx: RequestContext,
  chain: readonly Route[],
  operation: Operation,
  handlers: AttemptHandlers,
  deps: LoopDependencies,
): Promise<void> {
  const reasons: Exclusion[] = [];
  let lastFailure: { target: Target; failure: Failure } | undefined;
  let rejection: LlmuxError | undefined;

  for (const route of chain) {
    const { eligible, excluded } = candidatesFor(route, operation);
    reasons.push(...excluded);
    if (eligible.length === 0) continue;
    const ordered = await route.strategy.order(eligible, deps.pick);
    for (const target of ordered) {
      const admission = await deps.state.admit(target.id, { maxConnections: target.maxConnections });
      if (!admission.ok) {
        reasons.push({ target: target.id, reason: `at its connection cap (${target.maxConnections})` });
        continue;
      }
      const { lease } = admission;
      let released = false;
      const release = (): void => {
        if (released) return;
        released = true;
        void deps.state.release(lease);
      };
      try {
        ctx.route = route.name;
        let call: UpstreamCall;
        try {
          call = handlers.prepare(target);
        } catch (error) {
          rejection ??= error as LlmuxError;
          reasons.push({ target: target.id, reason: (error as Error).message });
          continue;
        }
        const outcome = await attempt(ctx, target, call, deps);
        if (ctx.clientGone) return;
        if ('failure' in outcome) {
          lastFailure = { target, failure: outcome.failure };
          reasons.push({ target: target.id, reason: `${outcome.failure.kind} (${outcome.failure.detail})` });
          if (!outcome.failure.retryable) break;
          continue;
        }
        ctx.target = target.id;
        void deps.state.recordLatency(target.id, outcome.ttfbMs);
        await handlers.deliver(target, outcome.response, outcome.first);
        return;
      } finally {
        release();
      }
    }
  }

  if (rejection && !lastFailure) throw rejection;
  const summary = reasons.map((r) => `${r.target}: ${r.reason}`).join('; ') || 'the route has no targets';
  if (lastFailure?.failure.kind === 'connect_error' && reasons.every((r) => r.reason.startsWith('connect_error'))) {
    throw llmuxError('LLMUX_ERR_UPSTREAM_UNREACHABLE', [lastFailure.target.id, summary]);
  }
  throw llmuxError('LLMUX_ERR_NO_TARGET', [ctx.route ?? chain[0]?.name ?? '?', summary]);
}

type AttemptOutcome =
  | { readonly failure: Failure }
  | { readonly response: IncomingMessage; readonly first: Buffer | null; readonly ttfbMs: number };

async function attempt(ctx: RequestContext, target: Target, call: UpstreamCall, deps: LoopDependencies): Promise<AttemptOutcome> {
  const sentAt = performance.now();
  let request: ClientRequest | undefined;
  const settle = (outcome: string, status?: number): number => {
    const ms = performance.now() - sentAt;
    ctx.upstreamMs += ms;
    ctx.attempts.push({ target: target.id, outcome, status, ms });
    return ms;
  };
  try {
    const exchange = await deps.upstream.send(ctx.req, ctx.res, call, (r) => (request = r));
    const { response } = exchange;
    const first = await firstChunk(response).catch((error: Error) => {
      request?.destroy();
      throw new BrokenError(error);
    });
    const status = response.statusCode ?? 502;
    const ttfbMs = settle(status < 400 ? 'ok' : `http_${status}`, status);
    ctx.ttfbMs = ttfbMs;
    return { response, first, ttfbMs };
  } catch (error) {
    const failure =
      error instanceof BrokenError
        ? brokenBeforeFirstByte(error.cause)
        : classifyRequestError(error instanceof UpstreamRequestError ? error.cause : (error as Error));
    settle(failure.kind);
    return { failure };
  }
}

class BrokenError extends Error {
  constructor(override readonly cause: Error) {
    super(cause.message);
  }
}
