import { describe, expect, it } from 'vitest';
import { type SseEvent } from '../../../lib/formats/codec.js';
import { createSseReader, formatSse, readSse } from '../../../lib/formats/sse.js';
import { byteChunks, randomChunks } from './support.js';

const encode = (text: string): Uint8Array => new TextEncoder().encode(text);

function readAll(chunks: readonly Uint8Array[]): SseEvent[] {
  const reader = createSseReader();
  const events: SseEvent[] = [];
  for (const c of chunks) events.push(...reader.push(c));
  events.push(...reader.end());
  return events;
}

describe('createSseReader', () => {
  const text =
    'event: message_start\ndata: {"t":"soleil ☀️ à Paris — 東京"}\n\n' +
    ': keep-alive comment\n\n' +
    'event: content_block_delta\nid: 7\nretry: 100\ndata: {"a":1}\n\n' +
    'data: line one\ndata: line two\n\n' +
    'data: [DONE]\n\n';
  const expected: SseEvent[] = [
    { event: 'message_start', data: '{"t":"soleil ☀️ à Paris — 東京"}' },
    { event: 'content_block_delta', data: '{"a":1}' },
    { data: 'line one\nline two' },
    { data: '[DONE]' },
  ];

  it('reads events, names and multi-line data, skipping comments', () => {
    expect(readAll([encode(text)])).toEqual(expected);
  });

  it('gives the same events however the bytes are split, even inside a UTF-8 character', () => {
    expect(readAll(byteChunks(encode(text)))).toEqual(expected);
    for (const seed of [2, 3, 5, 8, 13]) expect(readAll(randomChunks(encode(text), seed, 9))).toEqual(expected);
    const sun = encode('data: ☀️\n\n');
    // Split after the first byte of the three-byte sun: a naive per-chunk decode would corrupt it.
    expect(readAll([sun.subarray(0, 7), sun.subarray(7)])).toEqual([{ data: '☀️' }]);
  });

  it('reads CRLF line ends, as Gemini sends them', () => {
    const crlf = 'data: {"a":1}\r\n\r\ndata: {"b":2}\r\n\r\n';
    expect(readAll(byteChunks(encode(crlf)))).toEqual([{ data: '{"a":1}' }, { data: '{"b":2}' }]);
  });

  it('still delivers a last event whose blank line never came', () => {
    expect(readAll([encode('data: {"a":1}\n\ndata: [DONE]')])).toEqual([{ data: '{"a":1}' }, { data: '[DONE]' }]);
    expect(readAll([encode('data: [DONE]\n')])).toEqual([{ data: '[DONE]' }]);
  });

  it('returns events as soon as their blank line arrives', () => {
    const reader = createSseReader();
    expect(reader.push(encode('data: {"a"'))).toEqual([]);
    expect(reader.push(encode(':1}\n'))).toEqual([]);
    expect(reader.push(encode('\ndata: x'))).toEqual([{ data: '{"a":1}' }]);
  });

  it('stops, without throwing, when the input overflows its buffer', () => {
    const reader = createSseReader({ maxBufferSize: 64 });
    expect(() => reader.push(encode(`data: ${'x'.repeat(200)}`))).not.toThrow();
    expect(reader.error).toMatch(/max buffer size/);
    expect(reader.push(encode('\n\ndata: ok\n\n'))).toEqual([]);
    expect(reader.end()).toEqual([]);
  });
});

describe('readSse', () => {
  it('iterates a byte stream lazily', async () => {
    async function* source(): AsyncGenerator<Uint8Array> {
      yield encode('data: 1\n');
      yield encode('\ndata: 2\n\n');
    }
    const events: SseEvent[] = [];
    for await (const e of readSse(source())) events.push(e);
    expect(events).toEqual([{ data: '1' }, { data: '2' }]);
  });
});

describe('formatSse', () => {
  it('writes data-only and named events', () => {
    expect(formatSse(undefined, '{"a":1}')).toBe('data: {"a":1}\n\n');
    expect(formatSse('ping', '{"type":"ping"}')).toBe('event: ping\ndata: {"type":"ping"}\n\n');
    expect(formatSse(undefined, '{}', '\r\n')).toBe('data: {}\r\n\r\n');
  });
});
