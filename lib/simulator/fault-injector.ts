/**
 * Turns an accepted request plus an optional fault into what actually goes on the wire.
 * Error faults replace the answer with the provider's error body; transport faults
 * change how the normal answer is delivered (never, cut short, dropped, dripped); body
 * faults swap the payload for something a client cannot parse. A plain JSON answer hit by
 * a mid-stream fault is cut into byte ranges, so "mid-stream" means mid-body there.
 */
import { type ServerResponse } from 'node:http';
import { type MockBehavior } from './behavior.js';
import { deliver, type Pacing, type Reply, resetConnection } from './delivery.js';
import { type CallContext, type Dialect, type Exchange } from './dialect.js';
import { type Fault, garbageReply, htmlReply } from './faults.js';
import { retryTiming } from './rate-limit.js';
import { splitBytes } from './sse-writer.js';

/** One request ready to be answered. */
export interface PendingAnswer {
  readonly res: ServerResponse;
  readonly dialect: Dialect;
  readonly ctx: CallContext;
  /** The dialect's verdict: an exchange to answer, or an error to send as is. */
  readonly accepted: Exchange | Reply;
  readonly fault: Fault | undefined;
}

/** Whether the dialect accepted the request (rather than answering it with an error). */
export function isExchange(accepted: Exchange | Reply): accepted is Exchange {
  return 'answer' in accepted;
}

/** Sends the answer to a request, with its fault applied. */
export function answerRequest(p: PendingAnswer): void {
  const { res, dialect, ctx, accepted, fault } = p;
  const behavior = ctx.script.behavior;
  const pacing: Pacing = { firstByteDelayMs: behavior.firstByteDelayMs, chunkDelayMs: behavior.chunkDelayMs };
  const exchange = isExchange(accepted) ? accepted : undefined;

  if (fault?.kind === 'hang_before_headers') return;
  if (fault?.kind === 'reset_before_headers') {
    if (behavior.firstByteDelayMs <= 0) return resetConnection(res);
    const timer = setTimeout(() => resetConnection(res), behavior.firstByteDelayMs);
    res.once('close', () => clearTimeout(timer));
    return;
  }
  const errorReply = faultError(fault, dialect, ctx, exchange, behavior);
  if (errorReply) {
    deliver(res, withHeaders(errorReply, fault?.headers), pacing);
    return;
  }

  const window = behavior.maxContextTokens;
  const tooLong = exchange?.isModelCall === true && window !== undefined && exchange.promptTokens > window;
  let reply = tooLong
    ? dialect.errorReply({ kind: 'context_length', promptTokens: exchange.promptTokens, maxTokens: window }, ctx)
    : exchange
      ? exchange.answer()
      : (accepted as Reply);
  switch (fault?.kind) {
    case 'garbage_body':
      reply = garbageReply(reply);
      break;
    case 'wrong_content_type':
      reply = htmlReply();
      break;
    case 'hang_mid_stream':
    case 'reset_mid_stream': {
      const after = Math.max(0, fault.afterChunks ?? 1);
      reply = cutWhole(reply, Math.max(behavior.chunks, after + 1, 2));
      deliver(res, withHeaders(reply, fault.headers), {
        ...pacing,
        ...(fault.kind === 'hang_mid_stream' ? { stallAfter: after } : { dropAfter: after }),
      });
      return;
    }
    case 'slow_drip':
      reply = cutWhole(reply, Math.max(behavior.chunks, 2));
      deliver(res, withHeaders(reply, fault.headers), { ...pacing, chunkDelayMs: fault.intervalMs ?? 200 });
      return;
    default:
      break;
  }
  deliver(res, withHeaders(reply, fault?.headers), pacing);
}

/** The error answer an error fault calls for, or `undefined` for other faults. */
function faultError(
  fault: Fault | undefined,
  dialect: Dialect,
  ctx: CallContext,
  exchange: Exchange | undefined,
  behavior: MockBehavior,
): Reply | undefined {
  switch (fault?.kind) {
    case 'status':
      return dialect.errorReply({ kind: 'server', status: fault.status ?? 503, ...optionalMessage(fault.message) }, ctx);
    case 'client_error':
      return dialect.errorReply({ kind: 'client', status: fault.status ?? 400, ...optionalMessage(fault.message) }, ctx);
    case 'rate_limit':
      return dialect.errorReply({ kind: 'rate_limit', timing: retryTiming(fault, ctx.now) }, ctx);
    case 'context_length': {
      const maxTokens = fault.maxTokens ?? behavior.maxContextTokens ?? dialect.defaultContextWindow;
      const promptTokens = fault.promptTokens ?? Math.max(exchange?.promptTokens ?? 0, maxTokens + 1);
      return dialect.errorReply({ kind: 'context_length', promptTokens, maxTokens }, ctx);
    }
    default:
      return undefined;
  }
}

function optionalMessage(message: string | undefined): { message?: string } {
  return message === undefined ? {} : { message };
}

/** A one-piece answer cut into byte ranges, so it can stall or break part-way; streams are left as they are. */
function cutWhole(reply: Reply, pieces: number): Reply {
  if (reply.pieces.length !== 1) return reply;
  return { ...reply, pieces: splitBytes(reply.pieces[0]!, pieces) };
}

function withHeaders(reply: Reply, extra: Readonly<Record<string, string>> | undefined): Reply {
  return extra === undefined ? reply : { ...reply, headers: { ...reply.headers, ...extra } };
}
