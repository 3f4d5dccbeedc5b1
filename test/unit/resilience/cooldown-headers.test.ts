import { describe, expect, it } from 'vitest';
import { parseDuration, requestedWait } from '../../../lib/resilience/cooldown-headers.js';

const now = Date.parse('2026-11-22T10:00:00Z');

describe('cooldown headers', () => {
  it('parses OpenAI-style durations', () => {
    expect(parseDuration('1s')).toBe(1_000);
    expect(parseDuration('6m0s')).toBe(360_000);
    expect(parseDuration('20ms')).toBe(20);
    expect(parseDuration('1m30.5s')).toBe(90_500);
    expect(parseDuration('soon')).toBeUndefined();
  });

  it('prefers retry-after-ms, then Retry-After seconds or date', () => {
    expect(requestedWait({ 'retry-after-ms': '1500', 'retry-after': '9' }, '', now)).toBe(1_500);
    expect(requestedWait({ 'retry-after': '2' }, '', now)).toBe(2_000);
    expect(requestedWait({ 'retry-after': 'Sun, 22 Nov 2026 10:00:30 GMT' }, '', now)).toBe(30_000);
  });

  it('reads OpenAI reset headers for the exhausted limit', () => {
    expect(requestedWait({ 'x-ratelimit-remaining-requests': '0', 'x-ratelimit-reset-requests': '3s', 'x-ratelimit-remaining-tokens': '100', 'x-ratelimit-reset-tokens': '50s' }, '', now)).toBe(3_000);
  });

  it('reads Anthropic reset timestamps', () => {
    expect(requestedWait({ 'anthropic-ratelimit-requests-remaining': '0', 'anthropic-ratelimit-requests-reset': '2026-11-22T10:00:05Z' }, '', now)).toBe(5_000);
  });

  it("reads Gemini's RetryInfo from the error body", () => {
    const body = JSON.stringify({ error: { code: 429, status: 'RESOURCE_EXHAUSTED', details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '12s' }] } });
    expect(requestedWait({}, body, now)).toBe(12_000);
  });

  it('says nothing when nothing was said', () => {
    expect(requestedWait({}, '{}', now)).toBeUndefined();
  });
});
