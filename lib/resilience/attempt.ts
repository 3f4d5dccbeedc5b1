/**
 * One attempt on one target: send through the upstream client, enforce the
 * connect and first-byte timeouts, and decide whether the answer is good enough
 * to commit to. A streamed answer commits at its first chunk (so a failure before
 * it can still fail over invisibly); a whole answer is read completely and must
 * be a JSON object first (so upstream garbage becomes a 502 or a failover, never
 * a half-written response). Nothing is written to the client here.
 */
import type { ClientRequest, IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Socket } from 'node:net';
import type { JsonObject } from '../formats/canonical.js';
import { getCodec } from '../formats/registry.js';
import type { Target } from '../routing/target.js';
import type { RequestContext } from '../server/request-context.js';
import { firstChunk, readUpstreamBody } from '../server/relay.js';
import { UpstreamRequestError, type UpstreamCall, type UpstreamClient } from '../server/upstream.js';
import { AttemptTimeout, classifyRequestError, classifyStatus, HedgeLost, type Failure } from './failure.js';

/** Largest whole (non-streamed) answer llmux reads before answering; bigger is treated as malformed. */
const MAX_WHOLE_BODY = 64 * 1024 * 1024;
/** Largest upstream error body llmux reads (to relay it or read a cooldown from it). */
const ERROR_BODY_LIMIT = 1024 * 1024;

export type AttemptSuccess =
  | { readonly ok: true; readonly mode: 'stream'; readonly response: IncomingMessage; readonly first: Buffer | null; readonly ttfbMs: number }
  | {
      readonly ok: true;
      readonly mode: 'whole';
      readonly response: IncomingMessage;
      readonly body: Buffer;
      /** The parsed answer; absent when it is relayed as is (only checked). */
      readonly json: JsonObject | undefined;
      readonly ttfbMs: number;
    };

export interface AttemptFailure {
  readonly ok: false;
  readonly failure: Failure;
  /** For an HTTP error answer: its headers and body, to relay or to read a cooldown from. */
  readonly headers?: IncomingHttpHeaders | undefined;
  readonly body?: Buffer | undefined;
}

export type AttemptResult = AttemptSuccess | AttemptFailure;

export interface AttemptTimers {
  readonly connectMs: number;
  /** Time allowed until the first byte (already capped by the request's deadline). */
  readonly firstByteMs: number;
  /** Phase reported when the first-byte timer fires (`total` when the deadline, not the setting, was the cap). */
  readonly firstBytePhase: 'first_byte' | 'total';
  readonly idleMs: number;
}

export interface AttemptHandle {
  readonly result: Promise<AttemptResult>;
  /** Cuts the attempt short (a lost hedge); its result then reports `upstream_broken`. */
  abort(): void;
  readonly startedAt: number;
}

export function startAttempt(
  ctx: RequestContext,
  target: Target,
  call: UpstreamCall,
  timers: AttemptTimers,
  upstream: UpstreamClient,
): AttemptHandle {
  const startedAt = performance.now();
  let request: ClientRequest | undefined;
  let response: IncomingMessage | undefined;
  let cut: Error | undefined;
  const stop = (reason: Error): void => {
    cut ??= reason;
    request?.destroy(reason);
    response?.destroy(reason);
  };
  let firstByteTimer: NodeJS.Timeout | undefined = setTimeout(
    () => stop(new AttemptTimeout(timers.firstBytePhase, timers.firstByteMs)),
    timers.firstByteMs,
  );
  let idleTimer: NodeJS.Timeout | undefined;
  const clearTimers = (): void => {
    clearTimeout(firstByteTimer);
    clearTimeout(idleTimer);
    firstByteTimer = idleTimer = undefined;
  };

  /** Stops the first-byte timer; returns the time to first byte. */
  const gotFirstByte = (): number => {
    clearTimeout(firstByteTimer);
    firstByteTimer = undefined;
    return performance.now() - startedAt;
  };

  const onSocket = (socket: Socket): void => {
    if (!socket.connecting) return;
    const connectTimer = setTimeout(() => stop(new AttemptTimeout('connect', timers.connectMs)), timers.connectMs);
    const done = (): void => clearTimeout(connectTimer);
    socket.once('connect', done);
    socket.once('secureConnect', done);
    socket.once('close', done);
  };

  const run = async (): Promise<AttemptResult> => {
    try {
      const exchange = await upstream.send(ctx.req, ctx.res, call, (r) => {
        request = r;
        // http-proxy-3 announces the request from its 'socket' event, so the socket is usually there already.
        if (r.socket) onSocket(r.socket);
        else r.once('socket', onSocket);
      });
      response = exchange.response;
      const status = response.statusCode ?? 502;
      const failed = status >= 400 || status < 200;
      const contentType = String(response.headers['content-type'] ?? '');
      if (ctx.stream && !failed) {
        const first = await firstChunk(response);
        const ttfbMs = gotFirstByte();
        const problem = streamProblem(contentType, first);
        if (problem) return malformed(problem, response);
        return { ok: true, mode: 'stream', response, first, ttfbMs };
      }
      // A whole answer (or an error) is read in one pass: its first chunk ends the
      // first-byte wait, and an idle timer guards a body that stops arriving.
      let ttfbMs: number | undefined;
      const onChunk = (): void => {
        if (ttfbMs === undefined) {
          ttfbMs = gotFirstByte();
          idleTimer = setTimeout(() => stop(new AttemptTimeout('idle', timers.idleMs)), timers.idleMs);
        } else idleTimer?.refresh();
      };
      const body = await readUpstreamBody(response, failed ? ERROR_BODY_LIMIT : MAX_WHOLE_BODY, onChunk);
      ttfbMs ??= gotFirstByte();
      if (failed) {
        const error = getCodec(target.provider.bound.format).decodeError(status, body.toString('utf8'));
        return { ok: false, failure: classifyStatus(status, error), headers: response.headers, body };
      }
      if (call.relayAsIs) {
        const problem = objectProblem(body, contentType);
        if (problem) return malformed(problem, response);
        return { ok: true, mode: 'whole', response, body, json: undefined, ttfbMs };
      }
      const json = parseObject(body, contentType);
      if (typeof json === 'string') return malformed(json, response);
      return { ok: true, mode: 'whole', response, body, json, ttfbMs };
    } catch (error) {
      const reason = cut ?? (error instanceof UpstreamRequestError ? error.cause : (error as Error));
      if (!(reason instanceof AttemptTimeout) && !(reason instanceof HedgeLost) && response) {
        return { ok: false, failure: { kind: 'upstream_broken', detail: reason.message } };
      }
      return { ok: false, failure: classifyRequestError(reason) };
    } finally {
      clearTimers();
    }
  };

  return { result: run(), abort: () => stop(new HedgeLost()), startedAt };
}

function malformed(detail: string, response: IncomingMessage): AttemptFailure {
  response.destroy();
  return { ok: false, failure: { kind: 'malformed', detail } };
}

/** What is wrong with a streamed answer's first chunk, if anything. */
function streamProblem(contentType: string, first: Buffer | null): string | undefined {
  if (!contentType.startsWith('text/event-stream')) return `a stream was asked for, but the answer is ${contentType || 'untyped'}`;
  if (!first) return 'the stream ended before its first event';
  const head = first.subarray(0, 16).toString('utf8').replace(/^\uFEFF/, '').trimStart();
  if (!/^(data|event|id|retry)?:/.test(head) && head.length > 0) return 'the stream does not start with a server-sent event';
  return undefined;
}

const isSpace = (c: number | undefined): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/**
 * What is wrong with an answer that will be relayed as is, judged without parsing
 * it: a JSON content type, and a body that opens and closes like an object (a
 * truncated or garbled answer does not).
 */
function objectProblem(body: Buffer, contentType: string): string | undefined {
  if (!/json/i.test(contentType)) return `a JSON answer was expected, but it is ${contentType || 'untyped'}`;
  let start = 0;
  let end = body.length - 1;
  while (start <= end && isSpace(body[start])) start++;
  while (end >= start && isSpace(body[end])) end--;
  if (body[start] !== 0x7b || body[end] !== 0x7d) return 'the answer is not a complete JSON object';
  return undefined;
}

/** The answer as a JSON object, or a description of what is wrong with it. */
function parseObject(body: Buffer, contentType: string): JsonObject | string {
  if (!/json/i.test(contentType)) return `a JSON answer was expected, but it is ${contentType || 'untyped'}`;
  try {
    const value: unknown = JSON.parse(body.toString('utf8'));
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as JsonObject;
    return 'the answer is JSON but not an object';
  } catch (error) {
    return `the answer is not valid JSON (${error instanceof Error ? error.message : 'unparseable'})`;
  }
}
