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
});
