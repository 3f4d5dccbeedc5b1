/**
 * The requests being served right now: caps concurrency (503 beyond
 * `limits.max_concurrent_requests`), and lets a shutdown wait for them to finish
 * and, past the drain timeout, cut what remains cleanly.
 */
import { llmuxError } from '../errors.js';
import { ShutdownCut } from './deliver.js';
import { sendError } from './error-response.js';
import { LiveSet } from '../state/live-set.js';
import type { RequestContext } from './request-context.js';

/** A LiveSet, not a Set: see live-set.ts for what a churned Set costs. */
export class RequestTracker {
  readonly #active = new LiveSet<RequestContext>();
  #idle: (() => void) | undefined;

  get size(): number {
    return this.#active.size;
  }

  /** Registers a request; throws 503 when `limit` (0 = none) requests are already being served. */
  enter(ctx: RequestContext, limit: number): void {
    if (limit > 0 && this.#active.size >= limit) throw llmuxError('LLMUX_ERR_OVERLOADED', [limit]);
    this.#active.add(ctx);
  }

  leave(ctx: RequestContext): void {
    if (this.#active.delete(ctx) && this.#active.size === 0) this.#idle?.();
  }

  /** Resolves when no request is left, or after `ms`; returns whether all finished. */
  drain(ms: number): Promise<boolean> {
    if (this.#active.size === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#idle = undefined;
        resolve(this.#active.size === 0);
      }, ms);
      this.#idle = () => {
        clearTimeout(timer);
        this.#idle = undefined;
        resolve(true);
      };
    });
  }

  /** Ends every remaining request: a stream with a terminal error event, an unanswered one with 503. */
  cutAll(drainMs: number): void {
    for (const ctx of this.#active) {
      if (ctx.upstreamAnswer) ctx.upstreamAnswer.destroy(new ShutdownCut(drainMs));
      else if (!ctx.res.headersSent) {
        ctx.clientGone = true;
        sendError(ctx, llmuxError('LLMUX_ERR_SHUTTING_DOWN', []));
      } else ctx.res.destroy();
    }
  }
}
