/**
 * The failures a mock can inject, scripted (`enqueue`) or at random (`behavior.faults`).
 * Each one imitates something real upstreams do: error statuses with the provider's own
 * body, rate limits with their reset headers, context-length rejections, connections that
 * hang or reset before or during a stream, and bodies that are not what they claim.
 */
import { type Reply } from './delivery.js';

/** Which requests a fault may hit. */
export type FaultScope = 'any' | 'generate';

interface FaultBase {
  /**
   * `any`: the next request of any kind gets the fault. `generate`: only a model call
   * (chat, messages, generateContent, embeddings) does, so a health probe on the models
   * list cannot use up a fault meant for traffic.
   * @default 'any'
   */
  readonly scope?: FaultScope;
  /**
   * Extra response headers sent with the fault's answer (when it has headers at all).
   * @default {}
   */
  readonly headers?: Readonly<Record<string, string>>;
}

/** A server-side failure status with the provider's error body (529 is Anthropic's overload). */
export interface StatusFault extends FaultBase {
  readonly kind: 'status';
  /**
   * The HTTP status.
   * @default 503
   */
  readonly status?: number;
  /**
   * Replaces the provider's stock message for this status.
   * @default the provider's own wording
   */
  readonly message?: string;
}

/** A 429 with `Retry-After`, `retry-after-ms` and the provider's rate-limit headers. */
export interface RateLimitFault extends FaultBase {
  readonly kind: 'rate_limit';
  /**
   * Seconds until the client may retry.
   * @default 1
   */
  readonly retryAfterSeconds?: number;
  /**
   * How `Retry-After` is written: delta seconds, an HTTP date, or left out.
   * @default 'seconds'
   */
  readonly retryAfter?: 'seconds' | 'http-date' | 'none';
  /**
   * Send `retry-after-ms` (which the OpenAI and Anthropic SDKs prefer over `Retry-After`).
   * @default true
   */
  readonly retryAfterMs?: boolean;
}

/** A 400 with the provider's own "prompt is too long" wording. */
export interface ContextLengthFault extends FaultBase {
  readonly kind: 'context_length';
  /**
   * Prompt size reported in the message.
   * @default the request's estimate, at least `maxTokens + 1`
   */
  readonly promptTokens?: number;
  /**
   * Context window reported in the message.
   * @default `behavior.maxContextTokens`, else the format's usual window
   */
  readonly maxTokens?: number;
}

/** A 4xx the client caused (bad request, bad key, no such model…). */
export interface ClientErrorFault extends FaultBase {
  readonly kind: 'client_error';
  /**
   * The HTTP status.
   * @default 400
   */
  readonly status?: number;
  /**
   * Replaces the provider's stock message.
   * @default the provider's own wording
   */
  readonly message?: string;
}

/** Accept the request and never answer, until the client or `close()` ends the socket. */
export interface HangBeforeHeadersFault extends FaultBase {
  readonly kind: 'hang_before_headers';
}

/** Destroy the socket (TCP reset) before any byte of the answer. */
export interface ResetBeforeHeadersFault extends FaultBase {
  readonly kind: 'reset_before_headers';
}

/** Send the headers and the first events (or body bytes), then stall forever. */
export interface HangMidStreamFault extends FaultBase {
  readonly kind: 'hang_mid_stream';
  /**
   * Events (or body pieces) sent before the stall.
   * @default 1
   */
  readonly afterChunks?: number;
}

/** Send the headers and the first events (or body bytes), then destroy the socket. */
export interface ResetMidStreamFault extends FaultBase {
  readonly kind: 'reset_mid_stream';
  /**
   * Events (or body pieces) sent before the socket is destroyed.
   * @default 1
   */
  readonly afterChunks?: number;
}

/** Answer normally, but one event (or body piece) every `intervalMs`. */
export interface SlowDripFault extends FaultBase {
  readonly kind: 'slow_drip';
  /**
   * Pause before each event.
   * @default 200
   */
  readonly intervalMs?: number;
}

/** 200 with a body that does not parse: broken JSON, or SSE whose data is not JSON. */
export interface GarbageBodyFault extends FaultBase {
  readonly kind: 'garbage_body';
}

/** 200 with `text/html` (a CDN or captive-portal page) instead of the API's content type. */
export interface WrongContentTypeFault extends FaultBase {
  readonly kind: 'wrong_content_type';
}

/** Any injectable fault. */
export type Fault =
  | StatusFault
  | RateLimitFault
  | ContextLengthFault
  | ClientErrorFault
  | HangBeforeHeadersFault
  | ResetBeforeHeadersFault
  | HangMidStreamFault
  | ResetMidStreamFault
  | SlowDripFault
  | GarbageBodyFault
  | WrongContentTypeFault;

/** The name of a fault kind. */
export type FaultKind = Fault['kind'];

/** A fault, or just its kind to take every default. */
export type FaultInput = Fault | FaultKind;

/** A fault that hits each request with the given probability. */
export interface RandomFault {
  /** The fault to inject. */
  readonly fault: FaultInput;
  /** Chance per request, 0 to 1. */
  readonly probability: number;
}

/** Every fault kind, for CLIs and exhaustive tests. */
export const FAULT_KINDS: readonly FaultKind[] = [
  'status',
  'rate_limit',
  'context_length',
  'client_error',
  'hang_before_headers',
  'reset_before_headers',
  'hang_mid_stream',
  'reset_mid_stream',
  'slow_drip',
  'garbage_body',
  'wrong_content_type',
];

/** Expands a bare kind into a fault with defaults. */
export function toFault(input: FaultInput): Fault {
  if (typeof input !== 'string') return input;
  if (!FAULT_KINDS.includes(input)) throw new RangeError(`unknown fault kind: ${String(input)}`);
  return { kind: input } as Fault;
}

/** Whether `fault` may hit a request that is (or is not) a model call. */
export function faultApplies(fault: Fault, isModelCall: boolean): boolean {
  return (fault.scope ?? 'any') === 'any' || isModelCall;
}

/**
 * Draws at most one random fault: entries are tried in order, each with its own
 * probability, so `[{…, probability: 1}]` always fires and order sets precedence.
 */
export function drawRandomFault(
  faults: readonly RandomFault[],
  isModelCall: boolean,
  random: () => number,
): Fault | undefined {
  for (const entry of faults) {
    const fault = toFault(entry.fault);
    if (!faultApplies(fault, isModelCall)) continue;
    if (entry.probability >= 1 || (entry.probability > 0 && random() < entry.probability)) return fault;
  }
  return undefined;
}

/** A 200 whose body does not parse: SSE whose data is cut-off JSON, or a truncated JSON document. */
export function garbageReply(normal: Reply): Reply {
  const pieces = normal.streaming
    ? ['data: {"id":"garbage","choices":[{"delta":{"content":"Hel\n\n', 'data: \u0000\u0001 not json at all }\n\n']
    : ['{"id":"garbage","object":"chat.completion","choices":[{"message":{"content":"Hel'];
  return {
    status: 200,
    headers: {
      ...normal.headers,
      'content-type': normal.streaming ? 'text/event-stream; charset=utf-8' : 'application/json',
    },
    pieces,
    streaming: normal.streaming,
  };
}

const HTML_PAGE =
  '<!DOCTYPE html>\n<html><head><title>Service temporarily unavailable</title></head>' +
  '<body><h1>Service temporarily unavailable</h1><p>The upstream server returned an invalid response. Please try again later.</p></body></html>\n';

/** A 200 with an HTML page, as a CDN, captive portal or misrouted proxy serves. */
export function htmlReply(): Reply {
  return { status: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, pieces: [HTML_PAGE], streaming: false };
}
