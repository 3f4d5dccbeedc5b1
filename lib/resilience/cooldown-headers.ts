/**
 * How long the upstream asked us to stay away: `retry-after-ms`, `Retry-After`
 * (seconds or an HTTP date), OpenAI's `x-ratelimit-reset-*` durations ("1s",
 * "6m0s", "20ms"), Anthropic's `anthropic-ratelimit-*-reset` timestamps, and
 * Gemini's `RetryInfo.retryDelay` in the error body.
 */
import type { IncomingHttpHeaders } from 'node:http';

const single = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value[0] : value);

/** "1m30.5s", "20ms", "6m0s", "2h" → ms. */
export function parseDuration(text: string): number | undefined {
  const parts = /^(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m(?!s))?(?:(\d+(?:\.\d+)?)s)?(?:(\d+(?:\.\d+)?)ms)?$/.exec(text.trim());
  if (!parts || text.trim() === '') return undefined;
  const [, h = '0', m = '0', s = '0', msPart = '0'] = parts;
  return Number(h) * 3_600_000 + Number(m) * 60_000 + Number(s) * 1_000 + Number(msPart);
}

/** `Retry-After`: delta seconds or an HTTP date. */
export function parseRetryAfter(value: string, now: number): number | undefined {
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1_000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function openaiReset(headers: IncomingHttpHeaders): number | undefined {
  const waits: number[] = [];
  for (const kind of ['requests', 'tokens']) {
    const reset = single(headers[`x-ratelimit-reset-${kind}`]);
    const remaining = single(headers[`x-ratelimit-remaining-${kind}`]);
    if (reset === undefined || (remaining !== undefined && Number(remaining) > 0)) continue;
    const ms = parseDuration(reset);
    if (ms !== undefined) waits.push(ms);
  }
  return waits.length ? Math.max(...waits) : undefined;
}

function anthropicReset(headers: IncomingHttpHeaders, now: number): number | undefined {
  const waits: number[] = [];
  for (const kind of ['requests', 'tokens', 'input-tokens', 'output-tokens']) {
    const reset = single(headers[`anthropic-ratelimit-${kind}-reset`]);
    const remaining = single(headers[`anthropic-ratelimit-${kind}-remaining`]);
    if (reset === undefined || (remaining !== undefined && Number(remaining) > 0)) continue;
    const at = Date.parse(reset);
    if (!Number.isNaN(at)) waits.push(Math.max(0, at - now));
  }
  return waits.length ? Math.max(...waits) : undefined;
}

function geminiRetryDelay(body: string): number | undefined {
  const match = /"retryDelay"\s*:\s*"([\d.]+)s"/.exec(body);
  return match ? Number(match[1]) * 1_000 : undefined;
}

/** The wait the upstream asked for, in ms, or `undefined` when it said nothing. */
export function requestedWait(headers: IncomingHttpHeaders, body: string, now: number): number | undefined {
  const retryAfterMs = single(headers['retry-after-ms']);
  if (retryAfterMs !== undefined && /^\d+(\.\d+)?$/.test(retryAfterMs.trim())) return Number(retryAfterMs);
  const retryAfter = single(headers['retry-after']);
  const fromRetryAfter = retryAfter === undefined ? undefined : parseRetryAfter(retryAfter, now);
  return fromRetryAfter ?? openaiReset(headers) ?? anthropicReset(headers, now) ?? geminiRetryDelay(body);
}
