/**
 * Rate-limit header values in the notations the providers use: OpenAI writes reset
 * times as Go durations (`6ms`, `1s`, `6m0s`), Anthropic as RFC 3339 instants, and
 * `Retry-After` is either delta seconds or an HTTP date (RFC 9110 §10.2.3).
 */
import { type RateLimitFault } from './faults.js';

/** Formats a duration the way Go's `time.Duration.String()` does, which OpenAI's headers use. */
export function goDuration(ms: number): string {
  if (ms <= 0) return '0s';
  if (ms < 1000) return `${trimDecimals(ms)}ms`;
  const totalSeconds = ms / 1000;
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  const s = `${trimDecimals(seconds)}s`;
  if (hours > 0) return `${hours}h${minutes}m${s}`;
  if (minutes > 0) return `${minutes}m${s}`;
  return s;
}

function trimDecimals(n: number): string {
  return String(Math.round(n * 1000) / 1000);
}

/** An RFC 3339 instant in whole seconds, as in `anthropic-ratelimit-requests-reset`. */
export function rfc3339(epochMs: number): string {
  return new Date(Math.ceil(epochMs / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** The retry timing a rate-limit fault asks for, resolved against the clock. */
export interface RetryTiming {
  readonly seconds: number;
  /** When the limit resets (epoch ms). */
  readonly resetAt: number;
  /** `Retry-After` / `retry-after-ms` headers as the fault asks for them. */
  readonly headers: Readonly<Record<string, string>>;
}

/** Resolves a rate-limit fault's retry headers. */
export function retryTiming(fault: RateLimitFault, now = Date.now()): RetryTiming {
  const seconds = fault.retryAfterSeconds ?? 1;
  if (!Number.isFinite(seconds) || seconds < 0) throw new RangeError(`retryAfterSeconds must be >= 0, got ${seconds}`);
  const resetAt = now + seconds * 1000;
  const headers: Record<string, string> = {};
  const style = fault.retryAfter ?? 'seconds';
  // Retry-After's delta form is whole seconds; round up so a client never retries early.
  if (style === 'seconds') headers['retry-after'] = String(Math.ceil(seconds));
  if (style === 'http-date') headers['retry-after'] = new Date(Math.ceil(resetAt / 1000) * 1000).toUTCString();
  if (fault.retryAfterMs ?? true) headers['retry-after-ms'] = String(Math.round(seconds * 1000));
  return { seconds, resetAt, headers };
}

/** Request and token quota a mock reports in its rate-limit headers. */
export interface QuotaSnapshot {
  readonly requestLimit: number;
  readonly requestsRemaining: number;
  readonly tokenLimit: number;
  readonly tokensRemaining: number;
  /** Epoch ms when the request window resets. */
  readonly resetAt: number;
}

/** Quota the mocks claim: large enough never to matter, with a remaining count that moves. */
export function quotaAfter(served: number, now = Date.now()): QuotaSnapshot {
  const requestLimit = 10_000;
  const tokenLimit = 2_000_000;
  return {
    requestLimit,
    requestsRemaining: Math.max(0, requestLimit - 1 - (served % requestLimit)),
    tokenLimit,
    tokensRemaining: tokenLimit - 100,
    resetAt: now + 6,
  };
}

/** A quota with nothing left, for 429 answers. */
export function exhaustedQuota(resetAt: number): QuotaSnapshot {
  return { requestLimit: 10_000, requestsRemaining: 0, tokenLimit: 2_000_000, tokensRemaining: 0, resetAt };
}
