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
  return new Attempt(ctx, target, call, timers, upstream);
}

// Timer callbacks at module level, given the attempt as their argument: no closure per attempt.
function onFirstByteTimeout(attempt: Attempt): void {
  attempt.stop(new AttemptTimeout(attempt.timers.firstBytePhase, attempt.timers.firstByteMs));
}
function onIdleTimeout(attempt: Attempt): void {
  attempt.stop(new AttemptTimeout('idle', attempt.timers.idleMs));
}
function onConnectTimeout(attempt: Attempt): void {
  attempt.stop(new AttemptTimeout('connect', attempt.timers.connectMs));
}

/**
 * One attempt's state. A class rather than a set of closures: it lives as long as
 * the upstream takes to answer, and one object is cheaper to keep (and for the
 * young-generation GC to copy) than a dozen functions and their contexts.
 */
class Attempt implements AttemptHandle {
  readonly startedAt = performance.now();
  readonly result: Promise<AttemptResult>;
  #request: ClientRequest | undefined;
  #response: IncomingMessage | undefined;
  #cut: Error | undefined;
  #firstByteTimer: NodeJS.Timeout | undefined;
  #idleTimer: NodeJS.Timeout | undefined;
  /** Set once the first body chunk arrived (the first-byte wait is over). */
  #ttfbMs: number | undefined;

  constructor(
    private readonly ctx: RequestContext,
    private readonly target: Target,
    private readonly call: UpstreamCall,
    readonly timers: AttemptTimers,
    private readonly upstream: UpstreamClient,
  ) {
    this.#firstByteTimer = setTimeout(onFirstByteTimeout, timers.firstByteMs, this);
    this.result = this.#run();
  }

  /** Cuts the attempt short (a lost hedge); its result then reports `upstream_broken`. */
  abort(): void {
    this.stop(new HedgeLost());
  }

  stop(reason: Error): void {
    this.#cut ??= reason;
    this.#request?.destroy(reason);
    this.#response?.destroy(reason);
  }

  /** Called by the upstream client as soon as the request exists, so that it can be cut. */
  requestStarted(request: ClientRequest): void {
    this.#request = request;
    // The request is announced as soon as it exists; even a pooled socket is assigned a tick later.
    if (request.socket) this.#watchConnect(request.socket);
    else request.on('socket', this.#onSocket);
  }

  // A field, not a closure per request; 'socket' is emitted once, and the listener dies with the request.
  readonly #onSocket = (socket: Socket): void => this.#watchConnect(socket);

  /** A whole answer's first chunk ends the first-byte wait; later ones re-arm the idle timer. */
  readonly #onChunk = (): void => {
    if (this.#ttfbMs === undefined) {
      this.#ttfbMs = this.#gotFirstByte();
      this.#idleTimer = setTimeout(onIdleTimeout, this.timers.idleMs, this);
    } else this.#idleTimer?.refresh();
  };

  /** Stops the first-byte timer; returns the time to first byte. */
  #gotFirstByte(): number {
    clearTimeout(this.#firstByteTimer);
    this.#firstByteTimer = undefined;
    return performance.now() - this.startedAt;
  }

  /** A new connection gets the connect timeout; a reused keep-alive socket is already connected. */
  #watchConnect(socket: Socket): void {
    if (!socket.connecting) return;
    const connectTimer = setTimeout(onConnectTimeout, this.timers.connectMs, this);
    // All three come off together: a keep-alive socket outlives this attempt, and a listener
    // left on it would keep the whole finished request reachable for the socket's lifetime.
    const done = (): void => {
      clearTimeout(connectTimer);
      socket.off('connect', done);
      socket.off('secureConnect', done);
      socket.off('close', done);
    };
    socket.on('connect', done);
    socket.on('secureConnect', done);
    socket.on('close', done);
  }

  async #run(): Promise<AttemptResult> {
    const { ctx, call } = this;
    try {
      const exchange = await this.upstream.send(ctx.req, ctx.res, call, this);
      const response = exchange.response;
      this.#response = response;
      const status = response.statusCode ?? 502;
      const failed = status >= 400 || status < 200;
      const contentType = String(response.headers['content-type'] ?? '');
      if (ctx.stream && !failed) {
        const first = await firstChunk(response);
        const ttfbMs = this.#gotFirstByte();
        const problem = streamProblem(contentType, first);
        if (problem) return malformed(problem, response);
        return { ok: true, mode: 'stream', response, first, ttfbMs };
      }
      // A whole answer (or an error) is read in one pass, an idle timer guarding a body that stops arriving.
      const body = await readUpstreamBody(response, failed ? ERROR_BODY_LIMIT : MAX_WHOLE_BODY, this.#onChunk);
      const ttfbMs = this.#ttfbMs ?? this.#gotFirstByte();
      if (failed) {
        const error = getCodec(this.target.provider.bound.format).decodeError(status, body.toString('utf8'));
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
      const reason = this.#cut ?? (error instanceof UpstreamRequestError ? error.cause : (error as Error));
      if (!(reason instanceof AttemptTimeout) && !(reason instanceof HedgeLost) && this.#response) {
        return { ok: false, failure: { kind: 'upstream_broken', detail: reason.message } };
      }
      return { ok: false, failure: classifyRequestError(reason) };
    } finally {
      clearTimeout(this.#firstByteTimer);
      clearTimeout(this.#idleTimer);
      this.#firstByteTimer = this.#idleTimer = undefined;
    }
  }
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
