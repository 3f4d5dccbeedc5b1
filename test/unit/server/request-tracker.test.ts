import { describe, expect, it } from 'vitest';
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import type { Snapshot } from '../../../lib/config/snapshot.js';
import { isLlmuxError } from '../../../lib/errors.js';
import { ShutdownCut } from '../../../lib/server/deliver.js';
import { RequestContext } from '../../../lib/server/request-context.js';
import { RequestTracker } from '../../../lib/server/request-tracker.js';

/** A request context over real (unconnected) http objects: the tracker only needs its identity and fields. */
function context(): RequestContext {
  const req = new IncomingMessage(new Socket());
  return new RequestContext(req, new ServerResponse(req), {} as Snapshot);
}

describe('RequestTracker', () => {
  it('counts requests that leave in any order, and each exactly once', () => {
    const tracker = new RequestTracker();
    const contexts = Array.from({ length: 7 }, context);
    for (const ctx of contexts) tracker.enter(ctx, 0);
    expect(tracker.size).toBe(7);
    // Middle, last, first, then the rest: every swap-removal must keep the other slots right.
    for (const i of [3, 6, 0, 5, 1, 4, 2]) {
      const ctx = contexts[i] as RequestContext;
      tracker.leave(ctx);
      tracker.leave(ctx);
    }
    expect(tracker.size).toBe(0);
  });

  it('ignores a request it never registered', () => {
    const tracker = new RequestTracker();
    const kept = context();
    tracker.enter(kept, 0);
    tracker.leave(context());
    expect(tracker.size).toBe(1);
    tracker.leave(kept);
    expect(tracker.size).toBe(0);
  });

  it('refuses a request beyond the limit with LLMUX_ERR_OVERLOADED and takes it again once one left', () => {
    const tracker = new RequestTracker();
    const [a, b, c] = [context(), context(), context()];
    tracker.enter(a, 2);
    tracker.enter(b, 2);
    let refused: unknown;
    try {
      tracker.enter(c, 2);
    } catch (error) {
      refused = error;
    }
    expect(isLlmuxError(refused) && refused.code).toBe('LLMUX_ERR_OVERLOADED');
    // The refused request's own cleanup must not take another one's place.
    tracker.leave(c);
    expect(tracker.size).toBe(2);
    tracker.leave(a);
    tracker.enter(c, 2);
    expect(tracker.size).toBe(2);
  });

  it('drain resolves true as soon as the last request leaves', async () => {
    const tracker = new RequestTracker();
    const [a, b] = [context(), context()];
    tracker.enter(a, 0);
    tracker.enter(b, 0);
    const drained = tracker.drain(60_000);
    tracker.leave(b);
    tracker.leave(a);
    await expect(drained).resolves.toBe(true);
  });

  it('cutAll cuts every committed upstream answer with a ShutdownCut', () => {
    const tracker = new RequestTracker();
    const answers = [context(), context(), context()].map((ctx) => {
      const answer = new IncomingMessage(new Socket());
      ctx.upstreamAnswer = answer;
      tracker.enter(ctx, 0);
      return answer;
    });
    const reasons: unknown[] = [];
    for (const answer of answers) answer.on('error', (error) => reasons.push(error));
    tracker.cutAll(1500);
    expect(answers.every((answer) => answer.destroyed)).toBe(true);
    return new Promise<void>((resolve) =>
      setImmediate(() => {
        expect(reasons).toHaveLength(3);
        expect(reasons.every((r) => r instanceof ShutdownCut)).toBe(true);
        resolve();
      }),
    );
  });
});
