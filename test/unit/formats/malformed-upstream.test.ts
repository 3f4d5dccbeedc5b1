/** Upstream garbage must become a canonical error event (502, bad_gateway), never a throw. */
import { describe, expect, it } from 'vitest';
import { type StreamEvent, type WireFormat } from '../../../lib/formats/canonical.js';
import { type SseEvent } from '../../../lib/formats/codec.js';
import { getCodec } from '../../../lib/formats/registry.js';
import { createStreamTranslator } from '../../../lib/formats/stream-translator.js';
import { FORMATS, decodeSse, readFixture } from './support.js';

/** A valid opening event for each format, so the garbage arrives mid-stream. */
const OPENING: Record<WireFormat, SseEvent> = {
  openai: { data: '{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4.1","choices":[{"index":0,"delta":{"role":"assistant","content":"Hi"},"finish_reason":null}]}' },
  anthropic: { event: 'message_start', data: '{"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude","content":[],"usage":{"input_tokens":3,"output_tokens":1}}}' },
  gemini: { data: '{"candidates":[{"content":{"parts":[{"text":"Hi"}],"role":"model"},"index":0}],"responseId":"r1"}' },
};

const GARBAGE: Record<WireFormat, [string, SseEvent][]> = {
  openai: [
    ['bad JSON', { data: '{"id":"chatcmpl-1","choices":[{"delta":{"content":"unterminated' }],
    ['a JSON array', { data: '[1,2,3]' }],
    ['a tool call without id or name', { data: '{"id":"c","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{}"}}]},"finish_reason":null}]}' }],
    ['a tool call that is not an object', { data: '{"id":"c","choices":[{"index":0,"delta":{"tool_calls":[42]},"finish_reason":null}]}' }],
  ],
  anthropic: [
    ['bad JSON', { event: 'content_block_delta', data: '{"type":"content_block_delta","index":0,"delta":{' }],
    ['a JSON string', { event: 'content_block_delta', data: '"hello"' }],
    ['a second message_start', OPENING.anthropic],
    ['a tool_use block without id', { event: 'content_block_start', data: '{"type":"content_block_start","index":0,"content_block":{"type":"tool_use","name":"x","input":{}}}' }],
  ],
  gemini: [
    ['bad JSON', { data: '{"candidates":[{"content":{"parts":[{"text":"a"}' }],
    ['a JSON number', { data: '42' }],
  ],
};

function decodeAll(format: WireFormat, events: readonly SseEvent[]): StreamEvent[] {
  const decoder = getCodec(format).createStreamDecoder();
  const out: StreamEvent[] = [];
  for (const e of events) out.push(...decoder.decode(e));
  out.push(...decoder.end());
  return out;
}

describe.each(FORMATS)('a %s stream decoder', (format) => {
  it.each(GARBAGE[format])('turns %s into one error event and stops', (_name, garbage) => {
    let events: StreamEvent[] = [];
    expect(() => {
      events = decodeAll(format, [OPENING[format], garbage, OPENING[format]]);
    }).not.toThrow();
    const errors = events.filter((e) => e.type === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ type: 'error', error: { status: 502, kind: 'bad_gateway', code: 'LLMUX_ERR_UPSTREAM_BAD_RESPONSE' } });
    expect(events.at(-1)?.type).toBe('error');
  });

  it('reports a stream that stops before its terminal event', () => {
    const events = decodeAll(format, [OPENING[format]]);
    expect(events.at(-1)).toMatchObject({ type: 'error', error: { kind: 'bad_gateway', code: 'LLMUX_ERR_UPSTREAM_STREAM_BROKEN' } });
  });

  it('relays an error event from the upstream with its kind', () => {
    const body = {
      openai: '{"error":{"message":"The server had an error","type":"server_error","param":null,"code":null}}',
      anthropic: '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}',
      gemini: '{"error":{"code":503,"message":"The model is overloaded.","status":"UNAVAILABLE"}}',
    }[format];
    const events = decodeAll(format, [OPENING[format], format === 'anthropic' ? { event: 'error', data: body } : { data: body }]);
    const error = events.find((e) => e.type === 'error');
    expect(error).toMatchObject({ error: { kind: format === 'openai' ? 'api_error' : 'overloaded' } });
  });
});

describe('a translated stream with garbage in it', () => {
  it.each(FORMATS)('ends the %s client stream with a well-formed error in its own format', (client) => {
    for (const upstream of FORMATS) {
      const good = readFixture('streams', `${upstream}-text.sse`);
      // The first two events of the transcript, then garbage, then the rest as if nothing happened.
      const boundary = /\r?\n\r?\n/g;
      boundary.exec(good);
      boundary.exec(good);
      const cut = good.slice(0, boundary.lastIndex);
      const bytes = new TextEncoder().encode(`${cut}data: {not json}\n\n${good.slice(cut.length)}`);
      const t = createStreamTranslator(getCodec(upstream), getCodec(client), { model: 'm', includeUsage: false });
      let out = '';
      expect(() => {
        for (let i = 0; i < bytes.length; i += 7) out += t.push(bytes.subarray(i, i + 7));
        out += t.end();
      }).not.toThrow();
      expect(t.failed).toBe(true);
      const decoded = decodeSse(client, out);
      expect(decoded.at(-1)).toMatchObject({ type: 'error', error: { message: expect.stringContaining('not JSON') } });
      expect(out).not.toContain('[DONE]');
      expect(out).not.toContain('message_stop');
    }
  });

  it('treats an upstream that does not speak SSE at all as garbage', () => {
    const t = createStreamTranslator(getCodec('openai'), getCodec('anthropic'), { model: 'm', includeUsage: false });
    const out = t.push(new TextEncoder().encode('<html><body>Gateway Timeout</body></html>')) + t.end();
    expect(out).toContain('event: error');
    expect(t.failed).toBe(true);
  });
});
