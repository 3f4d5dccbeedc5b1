/**
 * Per-route resilience settings: retries, timeouts, circuit breaker, Retry-After
 * cooldowns and hedging. Every key has a default, so a route without any of them
 * still retries on the next target, times out, and ejects a failing one.
 */
import { z } from 'zod';

const ms = z.number().int().positive();

export const retriesSchema = z.strictObject({
  /** Most upstream attempts for one request, over all targets and fallback routes. */
  attempts: z.number().int().min(1).max(20).default(3),
  /** No new attempt starts later than this after the request arrived (ms). */
  deadline_ms: ms.default(60_000),
  /** Backoff before a second round over targets already tried: base, doubled per round, full jitter (ms). */
  backoff_ms: z.number().int().min(0).default(100),
  /** Cap of one backoff (ms). */
  backoff_max_ms: z.number().int().min(0).default(2_000),
});

export const timeoutsSchema = z.strictObject({
  /** Establishing the TCP/TLS connection (ms). */
  connect_ms: ms.default(5_000),
  /** From sending the request to the first body byte of the answer (ms). */
  first_byte_ms: ms.default(60_000),
  /** Longest silence between two chunks of a streamed answer (ms). */
  idle_ms: ms.default(30_000),
  /** The whole request, stream included (ms). */
  total_ms: ms.default(600_000),
});

export const breakerSchema = z.strictObject({
  /** Turn the breaker off for this route's targets. */
  enabled: z.boolean().default(true),
  /** Outcomes needed in the window before the breaker may open. */
  volume_threshold: z.number().int().min(1).default(10),
  /** Failure share (percent) at or above which it opens. */
  error_percentage: z.number().min(1).max(100).default(50),
  /** Length of the rolling outcome window (ms). */
  window_ms: ms.default(10_000),
  /** How long it stays open before one half-open probe is let through (ms). */
  reset_timeout_ms: ms.default(30_000),
});

export const cooldownSchema = z.strictObject({
  /** A Retry-After (or reset header) longer than this is capped to it (ms). */
  max_ms: ms.default(60_000),
  /** Cooldown after a 429 that says nothing about when to retry (ms). */
  default_ms: z.number().int().min(0).default(1_000),
});

export const hedgeSchema = z
  .strictObject({
    /** Start a second attempt when the first has no first byte after this long (ms). */
    delay_ms: ms.optional(),
    /** …or after this percentile of the route's recently observed time to first byte. */
    percentile: z.number().min(50).max(99.9).optional(),
    /** Delay used by `percentile` until enough samples exist (ms). */
    min_delay_ms: ms.default(50),
  })
  .refine((h) => (h.delay_ms === undefined) !== (h.percentile === undefined), 'set exactly one of delay_ms or percentile');

export type RetriesConfig = z.output<typeof retriesSchema>;
export type TimeoutsConfig = z.output<typeof timeoutsSchema>;
export type BreakerConfig = z.output<typeof breakerSchema>;
export type CooldownConfig = z.output<typeof cooldownSchema>;
export type HedgeConfig = z.output<typeof hedgeSchema>;

export const healthCheckSchema = z.strictObject({
  /** Path probed with GET, relative to the provider's base_url. */
  path: z.string().startsWith('/').default('/models'),
  /** Time between probes (ms). */
  interval_ms: ms.default(10_000),
  /** A probe slower than this fails (ms). */
  timeout_ms: ms.default(2_000),
  /** Consecutive failed probes that take the provider's targets out. */
  unhealthy_threshold: z.number().int().min(1).default(2),
  /** Consecutive passed probes that put them back. */
  healthy_threshold: z.number().int().min(1).default(1),
});

export type HealthCheckConfig = z.output<typeof healthCheckSchema>;
