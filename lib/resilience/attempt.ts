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
import { readFirstChunk, readWholeBody, type BodyListener } from '../server/relay.js';
import type { UpstreamCall, UpstreamClient, UpstreamListener } from '../server/upstream.js';
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
  /** Settles once, never rejects. */
  readonly result: Promise<AttemptResult>;
  /** Cuts the attempt short (a lost hedge); its result then reports `hedge_lost` or `upstream_broken`. */
  abort(): void;
  /**
   * Adds the attempt to `x-llmux-attempts`, once: the attempt records its own outcome
   * when it settles, unless something recorded it first (a lost hedge).
   */
  record(outcome: string, status?: number): void;
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
 * One attempt's state, driven by the events of its upstream request and answer:
 * sent, answered (headers), body read (or its first chunk, for a stream), or broken.
 * A class that settles one promise rather than an async function awaiting one per
 * step: it lives as long as the upstream takes to answer, and one object is cheaper
 * to keep (and for the young-generation GC to copy) than a chain of promises,
 * closures and suspended frames.
 */
class Attempt implements AttemptHandle, UpstreamListener, BodyListener {
  readonly startedAt = performance.now();
  readonly result: Promise<AttemptResult>;
  #settle!: (result: AttemptResult) => void;
  #settled = false;
  #recorded = false;
  #request: ClientRequest | undefined;
  #response: IncomingMessage | undefined;
  /** The status of an error answer, whose body is read for relaying and cooldowns. */
  #errorStatus: number | undefined;
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
    upstream: UpstreamClient,
  ) {
    this.result = new Promise((resolve) => (this.#settle = resolve));
    this.#firstByteTimer = setTimeout(onFirstByteTimeout, timers.firstByteMs, this);
    upstream.send(ctx.req, ctx.res, call, this);
  }

  abort(): void {
    this.stop(new HedgeLost());
  }

  stop(reason: Error): void {
    this.#cut ??= reason;
    this.#request?.destroy(reason);
    this.#response?.destroy(reason);
  }

  record(outcome: string, status?: number): void {
    if (this.#recorded) return;
    this.#recorded = true;
    this.ctx.attempts.push({ target: this.target.id, outcome, status, ms: performance.now() - this.startedAt });
  }

  requestStarted(request: ClientRequest): void {
    this.#request = request;
    // The request is announced as soon as it exists; even a pooled socket is assigned a tick later.
    if (request.socket) this.#watchConnect(request.socket);
    else request.on('socket', this.#onSocket);
  }

  // A field, not a closure per request; 'socket' is emitted once, and the listener dies with the request.
  readonly #onSocket = (socket: Socket): void => this.#watchConnect(socket);

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

  failed(error: Error): void {
    const reason = this.#cut ?? error;
    this.#finish({ ok: false, failure: classifyRequestError(reason) });
  }

  responded(response: IncomingMessage): void {
    this.#response = response;
    const status = response.statusCode ?? 502;
    const failed = status >= 400 || status < 200;
    if (failed) this.#errorStatus = status;
    // A stream commits at its first chunk; a whole answer (or an error) is read in one
    // pass, an idle timer guarding a body that stops arriving.
    if (this.ctx.stream && !failed) readFirstChunk(response, this);
    else readWholeBody(response, failed ? ERROR_BODY_LIMIT : MAX_WHOLE_BODY, this);
  }

  chunkArrived(all: boolean): void {
    if (this.#ttfbMs === undefined) {
      this.#ttfbMs = this.#gotFirstByte();
      // A body whose declared length has all arrived cannot stall: no idle timer for it.
      if (!all) this.#idleTimer = setTimeout(onIdleTimeout, this.timers.idleMs, this);
    } else this.#idleTimer?.refresh();
  }

  bodyRead(body: Buffer | null): void {
    const response = this.#response as IncomingMessage;
    const ttfbMs = this.#ttfbMs ?? this.#gotFirstByte();
    const contentType = String(response.headers['content-type'] ?? '');
    const status = this.#errorStatus;
    if (status !== undefined) {
      const text = body ? body.toString('utf8') : '';
      const error = getCodec(this.target.provider.bound.format).decodeError(status, text);
      this.#finish({ ok: false, failure: classifyStatus(status, error), headers: response.headers, body: body ?? Buffer.alloc(0) });
    } else if (this.ctx.stream) {
      const problem = streamProblem(contentType, body);
      this.#finish(problem ? malformed(problem, response) : { ok: true, mode: 'stream', response, first: body, ttfbMs });
    } else {
      const whole = body ?? Buffer.alloc(0);
      // Relayed byte for byte: only checked to be an object. Translated: parsed.
      const json = this.call.relayAsIs ? objectProblem(whole, contentType) : parseObject(whole, contentType);
      this.#finish(typeof json === 'string' ? malformed(json, response) : { ok: true, mode: 'whole', response, body: whole, json, ttfbMs });
    }
  }

  bodyBroken(error: Error): void {
    const reason = this.#cut ?? error;
    // llmux's own cut (a timeout, a lost hedge) says why; anything else broke an answer that had begun.
    const failure = reason instanceof AttemptTimeout || reason instanceof HedgeLost ? classifyRequestError(reason) : { kind: 'upstream_broken' as const, detail: reason.message };
    this.#finish({ ok: false, failure });
  }

  /** Stops the first-byte timer; returns the time to first byte. */
  #gotFirstByte(): number {
    clearTimeout(this.#firstByteTimer);
    this.#firstByteTimer = undefined;
    return performance.now() - this.startedAt;
  }

  #finish(result: AttemptResult): void {
    if (this.#settled) return;
    this.#settled = true;
    clearTimeout(this.#firstByteTimer);
    clearTimeout(this.#idleTimer);
    this.#firstByteTimer = this.#idleTimer = undefined;
    this.record(result.ok ? 'ok' : result.failure.kind, result.ok ? result.response.statusCode : result.failure.status);
    this.#settle(result);
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
