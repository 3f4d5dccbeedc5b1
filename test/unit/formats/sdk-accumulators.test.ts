/**
 * The strongest check of the stream encoders: the official SDKs, given llmux's output
 * through a custom `fetch` (no network), must rebuild the right message with their own
 * stream accumulators — openai `chat.completions.stream().finalChatCompletion()`,
 * `@anthropic-ai/sdk` `messages.stream().finalMessage()`, and `@google/genai`
 * `models.generateContentStream` / `chats.sendMessageStream` (genai has no offline
 * entry point of its own, but honours `httpOptions.fetch`).
 */
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { type CanonicalError, type CanonicalResponse, type WireFormat } from '../../../lib/formats/canonical.js';
import { getCodec } from '../../../lib/formats/registry.js';
import { createStreamTranslator } from '../../../lib/formats/stream-translator.js';
import { FORMATS, randomChunks, readFixture } from './support.js';

const BASE = 'http://llmux.test';

function respond(body: string, contentType: string, status = 200): typeof fetch {
  return async () => new Response(body, { status, headers: { 'content-type': contentType } });
}

function translated(upstream: WireFormat, client: WireFormat, scenario: string): string {
  const t = createStreamTranslator(getCodec(upstream), getCodec(client), { model: 'route-fast', includeUsage: true });
  let out = '';
  for (const c of randomChunks(new TextEncoder().encode(readFixture('streams', `${upstream}-${scenario}.sse`)), 5)) out += t.push(c);
  return out + t.end();
}

interface Final {
  text: string;
  calls: { id: string; name: string; args: unknown }[];
  finish: string | null | undefined;
  input: number | undefined;
  output: number | undefined;
}

async function viaOpenAI(sse: string): Promise<Final> {
  const client = new OpenAI({ apiKey: 'sk-test', baseURL: `${BASE}/v1`, fetch: respond(sse, 'text/event-stream'), maxRetries: 0 });
  const stream = client.chat.completions.stream({ model: 'route-fast', messages: [{ role: 'user', content: 'Hi' }], stream_options: { include_usage: true } });
  const completion = await stream.finalChatCompletion();
  const choice = completion.choices[0];
  return {
    text: choice?.message.content ?? '',
    calls: (choice?.message.tool_calls ?? []).map((c) => {
      if (c.type !== 'function') throw new Error('unexpected custom tool call');
      return { id: c.id, name: c.function.name, args: JSON.parse(c.function.arguments) as unknown };
    }),
    finish: choice?.finish_reason,
    input: completion.usage?.prompt_tokens,
    output: completion.usage?.completion_tokens,
  };
}

async function viaAnthropic(sse: string): Promise<Final> {
  const client = new Anthropic({ apiKey: 'sk-ant-test', baseURL: BASE, fetch: respond(sse, 'text/event-stream'), maxRetries: 0 });
  const message = await client.messages.stream({ model: 'route-fast', max_tokens: 256, messages: [{ role: 'user', content: 'Hi' }] }).finalMessage();
  let text = '';
  const calls: Final['calls'] = [];
  for (const block of message.content) {
    if (block.type === 'text') text += block.text;
    else if (block.type === 'tool_use') calls.push({ id: block.id, name: block.name, args: block.input });
  }
  return { text, calls, finish: message.stop_reason, input: message.usage.input_tokens, output: message.usage.output_tokens };
}

function genai(sse: string, status = 200): GoogleGenAI {
  return new GoogleGenAI({ apiKey: 'test-key', httpOptions: { baseUrl: BASE, fetch: respond(sse, 'text/event-stream', status), retryOptions: { attempts: 1 } } });
}

async function viaGemini(sse: string): Promise<Final> {
  const final: Final = { text: '', calls: [], finish: undefined, input: undefined, output: undefined };
  for await (const chunk of await genai(sse).models.generateContentStream({ model: 'route-fast', contents: 'Hi' })) {
    for (const part of chunk.candidates?.[0]?.content?.parts ?? []) if (typeof part.text === 'string' && !part.thought) final.text += part.text;
    for (const call of chunk.functionCalls ?? []) final.calls.push({ id: call.id ?? '', name: call.name ?? '', args: call.args });
    final.finish = chunk.candidates?.[0]?.finishReason ?? final.finish;
    if (chunk.usageMetadata) {
      final.input = chunk.usageMetadata.promptTokenCount;
      final.output = chunk.usageMetadata.candidatesTokenCount;
    }
  }
  return final;
}

const CLIENTS: Record<WireFormat, (sse: string) => Promise<Final>> = { openai: viaOpenAI, anthropic: viaAnthropic, gemini: viaGemini };

const FINISH: Record<WireFormat, { text: string; tools: string }> = {
  openai: { text: 'stop', tools: 'tool_calls' },
  anthropic: { text: 'end_turn', tools: 'tool_use' },
  gemini: { text: 'STOP', tools: 'STOP' },
};

/** [input tokens, output tokens, cached input tokens] each transcript reports. */
const USAGE: Record<string, [number, number, number]> = {
  'openai-text': [23, 12, 0],
  'openai-tools': [82, 41, 64],
  'anthropic-text': [21, 12, 0],
  'anthropic-tools': [536, 89, 64],
  'gemini-text': [9, 12, 0],
  'gemini-tools': [98, 73, 0],
};

/** Anthropic's `input_tokens` leaves out cache reads; the other formats count the whole prompt. */
function expectUsage(final: Final, client: WireFormat, key: string): void {
  const [input, output, cached] = USAGE[key] ?? [NaN, NaN, NaN];
  expect(final.input).toBe(client === 'anthropic' ? input - cached : input);
  expect(final.output).toBe(output);
}

describe.each(FORMATS)('the %s SDK accumulates llmux streams', (client) => {
  describe.each(FORMATS)('from a %s upstream', (upstream) => {
    it('rebuilds a text answer', async () => {
      const final = await CLIENTS[client](translated(upstream, client, 'text'));
      expect(final.text).toBe('Bonjour ! Il fait beau à Paris ☀️ aujourd’hui.');
      expect(final.calls).toEqual([]);
      expect(final.finish).toBe(FINISH[client].text);
      expectUsage(final, client, `${upstream}-text`);
    });

    it('rebuilds parallel tool calls with parseable arguments', async () => {
      const final = await CLIENTS[client](translated(upstream, client, 'tools'));
      expect(final.calls.map(({ name, args }) => ({ name, args }))).toEqual([
        { name: 'get_weather', args: { location: 'Paris, Île-de-France' } },
        { name: 'get_time', args: { timezone: 'Europe/Paris' } },
      ]);
      for (const call of final.calls) expect(call.id).not.toBe('');
      expect(final.finish).toBe(FINISH[client].tools);
      if (upstream !== 'openai') expect(final.text).toBe('Je vérifie la météo et l’heure.');
      expectUsage(final, client, `${upstream}-tools`);
    });
  });
});

describe('a genai chat keeps a translated streamed turn in its history', () => {
  it.each(['openai', 'anthropic'] as const)('from a %s upstream', async (upstream) => {
    const chat = genai(translated(upstream, 'gemini', 'tools')).chats.create({ model: 'route-fast' });
    for await (const chunk of await chat.sendMessageStream({ message: 'Weather and time in Paris?' })) void chunk;
    // genai records each streamed chunk's content as its own model entry; an invalid chunk would leave none.
    const [question, ...answer] = chat.getHistory();
    expect(question?.role).toBe('user');
    expect(answer.length).toBeGreaterThan(0);
    expect(answer.every((c) => c.role === 'model')).toBe(true);
    const calls = answer.flatMap((c) => c.parts ?? []).filter((p) => p.functionCall);
    expect(calls.map((p) => p.functionCall?.name)).toEqual(['get_weather', 'get_time']);
  });
});

describe('terminal stream errors raise clean SDK errors', () => {
  const error: CanonicalError = { status: 529, kind: 'overloaded', message: 'Upstream overloaded after the first byte.' };
  const prefix = (format: WireFormat): string =>
    translated('anthropic', format, 'text').split(format === 'anthropic' ? 'event: content_block_delta' : '\n\n').slice(0, 2).join(format === 'anthropic' ? 'event: content_block_delta' : '\n\n');

  it('openai', async () => {
    const sse = `${prefix('openai')}\n\n${getCodec('openai').encodeStreamError(error)}`;
    await expect(viaOpenAI(sse)).rejects.toMatchObject({ message: expect.stringContaining('Upstream overloaded') });
  });

  it('anthropic', async () => {
    const sse = `${prefix('anthropic')}${getCodec('anthropic').encodeStreamError(error)}`;
    await expect(viaAnthropic(sse)).rejects.toMatchObject({ type: 'overloaded_error', message: expect.stringContaining('Upstream overloaded') });
  });

  it('gemini', async () => {
    const sse = `${prefix('gemini')}\r\n\r\n${getCodec('gemini').encodeStreamError(error)}`;
    await expect(viaGemini(sse)).rejects.toMatchObject({ status: 503, message: expect.stringContaining('Upstream overloaded') });
  });
});

describe('non-streamed translated bodies parse in each SDK', () => {
  const response: CanonicalResponse = {
    id: 'msg_01Aq9w938a90dw8q',
    model: 'claude-sonnet-4-6',
    content: [
      { type: 'text', text: 'Je vérifie.' },
      { type: 'tool_call', id: 'toolu_01A09q90qw90lq917835lq9', name: 'get_weather', arguments: '{"location":"Paris"}' },
    ],
    finishReason: 'tool_calls',
    usage: { inputTokens: 40, outputTokens: 20, cachedInputTokens: 8 },
  };
  const json = (format: WireFormat): string => JSON.stringify(getCodec(format).encodeResponse(response, { model: 'route-fast' }));

  it('openai', async () => {
    const client = new OpenAI({ apiKey: 'k', baseURL: `${BASE}/v1`, fetch: respond(json('openai'), 'application/json') });
    const c = await client.chat.completions.create({ model: 'route-fast', messages: [{ role: 'user', content: 'Hi' }] });
    expect(c.choices[0]?.finish_reason).toBe('tool_calls');
    const call = c.choices[0]?.message.tool_calls?.[0];
    expect(call?.type === 'function' ? JSON.parse(call.function.arguments) : undefined).toEqual({ location: 'Paris' });
    expect(c.usage?.prompt_tokens_details?.cached_tokens).toBe(8);
  });

  it('anthropic', async () => {
    const client = new Anthropic({ apiKey: 'k', baseURL: BASE, fetch: respond(json('anthropic'), 'application/json') });
    const m = await client.messages.create({ model: 'route-fast', max_tokens: 10, messages: [{ role: 'user', content: 'Hi' }] });
    expect(m.stop_reason).toBe('tool_use');
    expect(m.content[1]).toMatchObject({ type: 'tool_use', id: 'toolu_01A09q90qw90lq917835lq9', input: { location: 'Paris' } });
    expect(m.usage).toMatchObject({ input_tokens: 32, cache_read_input_tokens: 8, output_tokens: 20 });
  });

  it('gemini', async () => {
    const r = await new GoogleGenAI({ apiKey: 'k', httpOptions: { baseUrl: BASE, fetch: respond(json('gemini'), 'application/json') } }).models.generateContent({
      model: 'route-fast',
      contents: 'Hi',
    });
    expect(r.candidates?.[0]?.content?.parts?.[0]?.text).toBe('Je vérifie.');
    expect(r.functionCalls?.[0]).toMatchObject({ id: 'toolu_01A09q90qw90lq917835lq9', name: 'get_weather', args: { location: 'Paris' } });
    expect(r.usageMetadata?.promptTokenCount).toBe(40);
  });
});
