import { describe, expect, it } from 'vitest';
import { createUsageSniffer } from '../../../lib/formats/usage-sniffer.js';
import { getCodec } from '../../../lib/formats/registry.js';

const sse = (events: readonly unknown[]): string => events.map((e) => `data: ${JSON.stringify(e)}\n\n`).join('');

describe('usage sniffer (same-format streams)', () => {
  it('reads OpenAI\'s usage chunk, fed a byte at a time', () => {
    const chunk = (content: string) => ({ id: 'c', object: 'chat.completion.chunk', created: 0, model: 'm', choices: [{ index: 0, delta: { content }, finish_reason: null }] });
    const text =
      sse([chunk('Hel'), chunk('lo'), { id: 'c', object: 'chat.completion.chunk', created: 0, model: 'm', choices: [], usage: { prompt_tokens: 12, completion_tokens: 2, total_tokens: 14 } }]) +
      'data: [DONE]\n\n';
    const sniffer = createUsageSniffer(getCodec('openai'), { decodeAll: false });
    for (const byte of Buffer.from(text)) sniffer.push(Uint8Array.of(byte));
    expect(sniffer.usage).toMatchObject({ inputTokens: 12, outputTokens: 2 });
  });

  it('combines Anthropic\'s input tokens (message_start) and output tokens (message_delta)', () => {
    const text = [
      'event: message_start\ndata: {"type":"message_start","message":{"id":"m","type":"message","role":"assistant","model":"c","content":[],"stop_reason":null,"usage":{"input_tokens":25,"output_tokens":1}}}\n\n',
      'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}\n\n',
      'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}\n\n',
      'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":7}}\n\n',
      'event: message_stop\ndata: {"type":"message_stop"}\n\n',
    ].join('');
    const sniffer = createUsageSniffer(getCodec('anthropic'), { decodeAll: false });
    sniffer.push(Buffer.from(text));
    expect(sniffer.usage).toMatchObject({ inputTokens: 25, outputTokens: 7 });
  });

  it('counts the streamed text when the stream will report no usage', () => {
    const chunk = (content: string) => ({ id: 'c', object: 'chat.completion.chunk', created: 0, model: 'm', choices: [{ index: 0, delta: { content }, finish_reason: null }] });
    const sniffer = createUsageSniffer(getCodec('openai'), { decodeAll: true });
    sniffer.push(Buffer.from(sse([chunk('Hello'), chunk(' world')]) + 'data: [DONE]\n\n'));
    expect(sniffer.usage).toBeUndefined();
    // "Hello world": 11 characters, about 3 tokens at four characters a token.
    expect(sniffer.countedOutputTokens).toBe(3);
  });

  it('never throws on garbage', () => {
    const sniffer = createUsageSniffer(getCodec('openai'), { decodeAll: true });
    expect(() => sniffer.push(Buffer.from('data: {not json usage}\n\n'))).not.toThrow();
    expect(sniffer.usage).toBeUndefined();
  });

  it('reads a Gemini stream (CRLF line ends) split at every byte offset', () => {
    const text =
      'data: {"candidates":[{"content":{"parts":[{"text":"Hi "}],"role":"model"},"index":0}]}\r\n\r\n' +
      'data: {"candidates":[{"content":{"parts":[{"text":"there"}],"role":"model"},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":9,"candidatesTokenCount":2,"totalTokenCount":11}}\r\n\r\n';
    const bytes = Buffer.from(text);
    for (let cut = 1; cut < bytes.length; cut++) {
      const sniffer = createUsageSniffer(getCodec('gemini'), { decodeAll: true });
      sniffer.push(bytes.subarray(0, cut));
      sniffer.push(bytes.subarray(cut));
      expect(sniffer.usage, `cut at ${cut}`).toMatchObject({ inputTokens: 9, outputTokens: 2 });
      // "Hi there": 8 characters, 2 tokens.
      expect(sniffer.countedOutputTokens, `cut at ${cut}`).toBe(2);
    }
  });

  it('finds usage in an event whose start came in an earlier chunk', () => {
    const sniffer = createUsageSniffer(getCodec('anthropic'), { decodeAll: false });
    sniffer.push(
      Buffer.from(
        'event: message_start\ndata: {"type":"message_start","message":{"id":"m","type":"message","role":"assistant","model":"c","content":[],"stop_reason":null,"usage":{"input_tokens":25,"output_tokens":1}}}\n\n',
      ),
    );
    sniffer.push(Buffer.from('event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn"},"us'));
    expect(sniffer.usage).toMatchObject({ inputTokens: 25, outputTokens: 1 });
    sniffer.push(Buffer.from('age":{"output_tokens":7}}\n\nevent: message_stop\ndata: {"type":"message_stop"}\n\n'));
    expect(sniffer.usage).toMatchObject({ inputTokens: 25, outputTokens: 7 });
  });

  it('counts text as String#length would: escapes as one, astral characters as two', () => {
    const content = 'é "q" \n 😀';
    const event = `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content } }] })}\n\n`;
    const sniffer = createUsageSniffer(getCodec('openai'), { decodeAll: true });
    for (let i = 0; i < 4; i++) sniffer.push(Buffer.from(event));
    // é, space, ", q, ", space, \n, space and the emoji's two code units.
    expect(content.length).toBe(10);
    expect(sniffer.countedOutputTokens).toBe(10);
  });

  it('gives up (no usage, no count) on an event that never ends, without holding it', () => {
    const sniffer = createUsageSniffer(getCodec('openai'), { decodeAll: true });
    const line = Buffer.from(`data: {"choices":[{"delta":{"content":"${'x'.repeat(64 * 1024)}`);
    for (let i = 0; i < 20; i++) sniffer.push(line);
    sniffer.push(Buffer.from('"}}],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}\n\n'));
    expect(sniffer.usage).toBeUndefined();
    expect(sniffer.countedOutputTokens).toBeUndefined();
  });
});
