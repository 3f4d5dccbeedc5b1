/**
 * The small pure pieces the mocks are built from: header notations, text splitting,
 * embedding vectors, fault expansion and behaviour merging.
 */
import { describe, expect, it } from 'vitest';
import { defaultBehavior, mergeBehavior } from '../../../lib/simulator/behavior.js';
import { toFault } from '../../../lib/simulator/faults.js';
import { embeddingVector } from '../../../lib/simulator/openai-embeddings.js';
import { goDuration, retryTiming, rfc3339 } from '../../../lib/simulator/rate-limit.js';
import { estimateTokens } from '../../../lib/simulator/reply-script.js';
import { splitBytes, splitText } from '../../../lib/simulator/sse-writer.js';

describe('rate-limit notations', () => {
  it('formats Go durations as OpenAI sends them', () => {
    expect(goDuration(0)).toBe('0s');
    expect(goDuration(6)).toBe('6ms');
    expect(goDuration(1000)).toBe('1s');
    expect(goDuration(1500)).toBe('1.5s');
    expect(goDuration(360_000)).toBe('6m0s');
    expect(goDuration(3_723_000)).toBe('1h2m3s');
  });

  it('formats RFC 3339 instants in whole seconds, rounded up', () => {
    expect(rfc3339(Date.UTC(2025, 0, 2, 3, 4, 5, 1))).toBe('2025-01-02T03:04:06Z');
  });

  it('resolves Retry-After styles', () => {
    const now = Date.UTC(2025, 0, 1);
    expect(retryTiming({ kind: 'rate_limit', retryAfterSeconds: 1.2 }, now).headers).toEqual({ 'retry-after': '2', 'retry-after-ms': '1200' });
    expect(retryTiming({ kind: 'rate_limit', retryAfter: 'http-date', retryAfterMs: false }, now).headers).toEqual({
      'retry-after': 'Wed, 01 Jan 2025 00:00:01 GMT',
    });
    expect(() => retryTiming({ kind: 'rate_limit', retryAfterSeconds: -1 }, now)).toThrow(RangeError);
  });
});

describe('splitting', () => {
  it('cuts text into near-equal pieces without breaking surrogate pairs', () => {
    expect(splitText('abcdef', 3)).toEqual(['ab', 'cd', 'ef']);
    expect(splitText('ab', 5)).toEqual(['a', 'b']);
    const emoji = splitText('😀😃😄', 2);
    expect(emoji.join('')).toBe('😀😃😄');
    expect(emoji.every((p) => !/[\uD800-\uDBFF]$/.test(p))).toBe(true);
  });

  it('cuts bodies into byte ranges', () => {
    const pieces = splitBytes('héllo', 3);
    expect(pieces).toHaveLength(3);
    expect(Buffer.concat(pieces).toString()).toBe('héllo');
  });

  it('estimates about four characters per token, never zero', () => {
    expect(estimateTokens(0)).toBe(1);
    expect(estimateTokens(8)).toBe(2);
    expect(estimateTokens(9)).toBe(3);
  });
});

describe('embedding vectors', () => {
  it('are deterministic unit vectors that differ by input', () => {
    const a = embeddingVector('alpha', 32);
    expect(Array.from(a)).toEqual(Array.from(embeddingVector('alpha', 32)));
    expect(Math.hypot(...a)).toBeCloseTo(1, 5);
    expect(Array.from(embeddingVector('beta', 32))).not.toEqual(Array.from(a));
  });
});

describe('faults and behaviour', () => {
  it('expands a fault kind and rejects unknown ones', () => {
    expect(toFault('slow_drip')).toEqual({ kind: 'slow_drip' });
    expect(toFault({ kind: 'status', status: 500 })).toEqual({ kind: 'status', status: 500 });
    expect(() => toFault('meteor' as 'status')).toThrow(/unknown fault kind/);
  });

  it('merges patches, resets optional fields with undefined, and validates', () => {
    const base = mergeBehavior(defaultBehavior('openai'), { text: 'x', maxContextTokens: 10 });
    expect(base).toMatchObject({ text: 'x', maxContextTokens: 10, chunks: 4 });
    const reset = mergeBehavior(base, { text: undefined, chunks: undefined });
    expect(reset.text).toBeUndefined();
    expect(reset.chunks).toBe(4);
    expect(() => mergeBehavior(base, { chunkDelayMs: -1 })).toThrow(RangeError);
    expect(() => mergeBehavior(base, { faults: [{ fault: 'status', probability: 2 }] })).toThrow(RangeError);
  });
});
