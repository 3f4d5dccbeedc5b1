import { describe, expect, it } from 'vitest';
import { type WireFormat } from '../../../lib/formats/canonical.js';
import { getCodec } from '../../../lib/formats/registry.js';
import { createStreamTranslator } from '../../../lib/formats/stream-translator.js';
import {
  FORMATS,
  byteChunks,
  decodeSse,
  expectGolden,
  normalizeCreated,
  randomChunks,
  readFixture,
  rebuild,
} from './support.js';

function translate(upstream: WireFormat, client: WireFormat, chunks: readonly Uint8Array[], includeUsage = true): string {
  const t = createStreamTranslator(getCodec(upstream), getCodec(client), { model: 'route-fast', includeUsage });
  let out = '';
  for (const c of chunks) out += t.push(c);
  out += t.end();
  expect(t.done).toBe(true);
  return normalizeCreated(out);
}

const encoder = new TextEncoder();

/** What each upstream transcript must rebuild into, whatever the client format. */
const EXPECTED = {
  text: {
    text: 'Bonjour ! Il fait beau à Paris ☀️ aujourd’hui.',
    calls: [] as { name: string; args: unknown }[],
    finish: 'stop',
  },
  tools: {
    calls: [
      { name: 'get_weather', args: { location: 'Paris, Île-de-France' } },
      { name: 'get_time', args: { timezone: 'Europe/Paris' } },
    ],
    finish: 'tool_calls',
  },
} as const;

const USAGE: Record<string, { inputTokens: number; outputTokens: number }> = {
  'openai-text': { inputTokens: 23, outputTokens: 12 },
  'openai-tools': { inputTokens: 82, outputTokens: 41 },
  'anthropic-text': { inputTokens: 21, outputTokens: 12 },
  'anthropic-tools': { inputTokens: 536, outputTokens: 89 },
  'gemini-text': { inputTokens: 9, outputTokens: 12 },
  'gemini-tools': { inputTokens: 98, outputTokens: 73 },
};

describe.each(FORMATS)('stream from a %s upstream', (upstream) => {
  describe.each(['text', 'tools'] as const)('%s transcript', (scenario) => {
    const source = encoder.encode(readFixture('streams', `${upstream}-${scenario}.sse`));

    it.each(FORMATS)('translates to %s identically however the bytes are split', (client) => {
      const whole = translate(upstream, client, [source]);
      expectGolden(whole, 'streams', 'expected', `${upstream}-${scenario}.to-${client}.sse`);
      expect(translate(upstream, client, byteChunks(source))).toBe(whole);
      for (const seed of [1, 7, 42, 1234, 99991]) expect(translate(upstream, client, randomChunks(source, seed))).toBe(whole);
    });

    it.each(FORMATS)('rebuilds the right message from the %s output', (client) => {
      const message = rebuild(decodeSse(client, translate(upstream, client, randomChunks(source, 3))));
      const expected = EXPECTED[scenario];
      expect(message.error).toBeUndefined();
      expect(message.ended).toBe(true);
      expect(message.finish).toBe(expected.finish);
      if (scenario === 'text') expect(message.text).toBe(EXPECTED.text.text);
      expect(message.toolCalls.map((c) => ({ name: c.name, args: JSON.parse(c.arguments) as unknown }))).toEqual(expected.calls);
      for (const call of message.toolCalls) expect(call.id).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(new Set(message.toolCalls.map((c) => c.id)).size).toBe(message.toolCalls.length);
      expect(message.usage).toMatchObject(USAGE[`${upstream}-${scenario}`] ?? {});
    });
  });
});

describe('OpenAI client stream options', () => {
  const source = encoder.encode(readFixture('streams', 'anthropic-text.sse'));

  it('sends a usage chunk only when the client asked for include_usage', () => {
    const withUsage = translate('anthropic', 'openai', [source], true);
    const without = translate('anthropic', 'openai', [source], false);
    expect(withUsage).toContain('"choices":[],"usage":{"prompt_tokens":21');
    expect(without).not.toContain('"usage"');
    expect(without.endsWith('data: [DONE]\n\n')).toBe(true);
    expect(rebuild(decodeSse('openai', without)).text).toBe(EXPECTED.text.text);
  });

  it('keeps tool ids from the upstream', () => {
    const out = translate('openai', 'anthropic', [encoder.encode(readFixture('streams', 'openai-tools.sse'))]);
    expect(out).toContain('"id":"call_DdmO9pD3xa9XTPNJ32zg2hcA"');
    const gem = translate('anthropic', 'gemini', [encoder.encode(readFixture('streams', 'anthropic-tools.sse'))]);
    expect(gem).toContain('"id":"toolu_01T1x1fJ34qAmk2tNTrN7Up6"');
  });
});

describe('incremental output', () => {
  it('emits client text as soon as each upstream event completes, not at the end', () => {
    const t = createStreamTranslator(getCodec('anthropic'), getCodec('openai'), { model: 'm', includeUsage: false });
    const lines = readFixture('streams', 'anthropic-text.sse').split('\n\n');
    const first = t.push(encoder.encode(`${lines.slice(0, 4).join('\n\n')}\n\n`));
    expect(first).toContain('"content":"Bonjour"');
    expect(first).not.toContain('[DONE]');
    expect(t.done).toBe(false);
  });
});
