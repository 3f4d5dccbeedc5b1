/**
 * Format-neutral pieces of error translation: the kind an HTTP status implies, the
 * canonical form of llmux's own errors, and the errors a broken upstream stream becomes.
 */
import { type ErrorKind, type LlmuxError, llmuxError } from '../../errors.js';
import { type CanonicalError, type JsonValue } from '../canonical.js';
import { isObject } from './json.js';

export function kindFromStatus(status: number): ErrorKind {
  switch (status) {
    case 400:
    case 422:
      return 'invalid_request';
    case 401:
      return 'authentication';
    case 402:
    case 403:
      return 'permission';
    case 404:
      return 'not_found';
    case 405:
      return 'method_not_allowed';
    case 408:
      return 'request_timeout';
    case 413:
      return 'request_too_large';
    case 429:
      return 'rate_limit';
    case 502:
      return 'bad_gateway';
    case 503:
      return 'unavailable';
    case 504:
      return 'timeout';
    case 529:
      return 'overloaded';
    default:
      return status >= 500 ? 'api_error' : 'invalid_request';
  }
}

/** The error body as JSON when it is JSON; Google sometimes wraps it in a one-element array. */
export function parseErrorBody(body: string): { readonly [key: string]: JsonValue } | undefined {
  try {
    const v = JSON.parse(body) as JsonValue;
    const first = Array.isArray(v) ? v[0] : v;
    return isObject(first) ? first : undefined;
  } catch {
    return undefined;
  }
}

/** An upstream error body → canonical: `fromBody` reads a JSON body in its format; anything else is opaque. */
export function decodeErrorWith(
  status: number,
  body: string,
  fromBody: (status: number, parsed: { readonly [key: string]: JsonValue }) => CanonicalError,
): CanonicalError {
  const parsed = parseErrorBody(body);
  if (parsed) return fromBody(status, parsed);
  return { status, kind: kindFromStatus(status), message: opaqueErrorMessage(status, body) };
}

/** What a client is told when the upstream error body says nothing usable. */
export function opaqueErrorMessage(status: number, body: string): string {
  const text = body.trim().replace(/\s+/g, ' ').slice(0, 200);
  return text ? `The upstream answered HTTP ${status}: ${text}` : `The upstream answered HTTP ${status} with an empty body.`;
}

const CONTEXT_LENGTH =
  /context[_ ]length|context window|maximum context|prompt is too long|input token count.*exceeds|exceeds the maximum number of tokens|too many (input )?tokens/i;

export function looksLikeContextLength(message: string, code?: string): boolean {
  return code === 'context_length_exceeded' || CONTEXT_LENGTH.test(message);
}

export function toCanonicalError(err: LlmuxError): CanonicalError {
  return { status: err.status, kind: err.kind, message: err.message, code: err.code };
}

/** An upstream event that is not what its format promises (bad JSON, wrong shape). */
export function malformedEvent(upstream: string, detail: string): CanonicalError {
  return toCanonicalError(llmuxError('LLMUX_ERR_UPSTREAM_BAD_RESPONSE', [upstream, detail]));
}

/** An upstream stream that ended before its format's terminal event. */
export function brokenStream(upstream: string, detail: string): CanonicalError {
  return toCanonicalError(llmuxError('LLMUX_ERR_UPSTREAM_STREAM_BROKEN', [upstream, detail]));
}

/** Shortens an upstream event for an error message without flooding logs or clients. */
export function excerpt(text: string): string {
  return text.length > 120 ? `${text.slice(0, 120)}…` : text;
}
