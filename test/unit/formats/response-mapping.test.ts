import { describe, expect, it } from 'vitest';
import { LlmuxError } from '../../../lib/errors.js';
import { type CanonicalResponse, type JsonObject, type WireFormat } from '../../../lib/formats/canonical.js';
import { getCodec } from '../../../lib/formats/registry.js';
import { FORMATS, expectGolden, normalizeCreated, readJson } from './support.js';

const upstream = (format: WireFormat): JsonObject => readJson<JsonObject>('responses', `${format}.json`);

function translate(from: WireFormat, to: WireFormat): JsonObject {
  return getCodec(to).encodeResponse(getCodec(from).decodeResponse(upstream(from)), { model: 'route-smart' });
}

describe('golden response mappings', () => {
  for (const from of FORMATS) {
    for (const to of FORMATS) {
      if (from === to) continue;
      it(`${from} upstream → ${to} client`, () => {
        expectGolden(normalizeCreated(`${JSON.stringify(translate(from, to), null, 2)}\n`), 'responses', 'expected', `${from}-to-${to}.json`);
      });
    }
  }
});

describe('decoded upstream responses', () => {
  it.each(FORMATS)('%s: text and both tool calls, in order, with the usage the provider reported', (format) => {
    const r = getCodec(format).decodeResponse(upstream(format));
    expect(r.finishReason).toBe('tool_calls');
    expect(r.content[0]).toEqual({ type: 'text', text: 'Je vérifie la météo et l’heure.' });
    const calls = r.content.filter((p) => p.type === 'tool_call');
    expect(calls.map((c) => [c.name, JSON.parse(c.arguments)])).toEqual([
      ['get_weather', { location: 'Paris, Île-de-France', unit: 'celsius' }],
      ['get_time', { timezone: 'Europe/Paris' }],
    ]);
    expect(new Set(calls.map((c) => c.id)).size).toBe(2);
  });

  it('counts the whole prompt as input whichever way the provider splits it', () => {
    expect(getCodec('openai').decodeResponse(upstream('openai')).usage).toEqual({ inputTokens: 82, outputTokens: 41, cachedInputTokens: 64 });
    expect(getCodec('anthropic').decodeResponse(upstream('anthropic')).usage).toEqual({
      inputTokens: 536,
      outputTokens: 89,
      cachedInputTokens: 64,
      cacheWriteInputTokens: 0,
    });
    // Thinking tokens are output, as OpenAI and Anthropic bill them.
    expect(getCodec('gemini').decodeResponse(upstream('gemini')).usage).toEqual({ inputTokens: 98, outputTokens: 73 });
  });

  it('gives id-less Gemini calls ids unique to the response', () => {
    const ids = getCodec('gemini')
      .decodeResponse(upstream('gemini'))
      .content.flatMap((p) => (p.type === 'tool_call' ? [p.id] : []));
    expect(ids).toEqual(['call_yg3zaK7PEdOvz7IP_KWNkQ4_0', 'call_yg3zaK7PEdOvz7IP_KWNkQ4_1']);
  });

  it('reports a blocked Gemini prompt as a content filter stop', () => {
    const r = getCodec('gemini').decodeResponse({ promptFeedback: { blockReason: 'SAFETY' }, usageMetadata: { promptTokenCount: 5, totalTokenCount: 5 } });
    expect(r.finishReason).toBe('content_filter');
    expect(r.content).toEqual([]);
  });

  it.each([
    ['openai', { object: 'chat.completion' }],
    ['anthropic', { type: 'message' }],
    ['gemini', { modelVersion: 'x' }],
  ] as const)('rejects a malformed %s body as a bad upstream response', (format, body) => {
    expect(() => getCodec(format).decodeResponse(body)).toThrow(LlmuxError);
    try {
      getCodec(format).decodeResponse(body);
    } catch (err) {
      expect((err as LlmuxError).code).toBe('LLMUX_ERR_UPSTREAM_BAD_RESPONSE');
      expect((err as LlmuxError).status).toBe(502);
    }
  });
});

describe('finish reasons', () => {
  const base: CanonicalResponse = { id: 'r1', model: 'm', content: [{ type: 'text', text: 'x' }], finishReason: 'stop' };
  const table: [CanonicalResponse['finishReason'], string, string, string][] = [
    ['stop', 'stop', 'end_turn', 'STOP'],
    ['length', 'length', 'max_tokens', 'MAX_TOKENS'],
    ['tool_calls', 'tool_calls', 'tool_use', 'STOP'],
    ['content_filter', 'content_filter', 'refusal', 'SAFETY'],
    ['stop_sequence', 'stop', 'stop_sequence', 'STOP'],
  ];

  it.each(table)('%s → openai %s, anthropic %s, gemini %s', (reason, openai, anthropic, gemini) => {
    const r = { ...base, finishReason: reason };
    const o = getCodec('openai').encodeResponse(r, { model: 'm' }) as { choices: { finish_reason: string }[] };
    const a = getCodec('anthropic').encodeResponse(r, { model: 'm' });
    const g = getCodec('gemini').encodeResponse(r, { model: 'm' }) as { candidates: { finishReason: string }[] };
    expect(o.choices[0]?.finish_reason).toBe(openai);
    expect(a['stop_reason']).toBe(anthropic);
    expect(g.candidates[0]?.finishReason).toBe(gemini);
  });

  it.each([
    ['end_turn', 'stop'],
    ['max_tokens', 'length'],
    ['stop_sequence', 'stop_sequence'],
    ['tool_use', 'tool_calls'],
    ['pause_turn', 'stop'],
    ['refusal', 'content_filter'],
    ['model_context_window_exceeded', 'length'],
  ])('anthropic %s → %s', (stop, expected) => {
    expect(getCodec('anthropic').decodeResponse({ id: 'm', content: [], stop_reason: stop }).finishReason).toBe(expected);
  });

  it.each([
    ['STOP', 'stop'],
    ['MAX_TOKENS', 'length'],
    ['SAFETY', 'content_filter'],
    ['RECITATION', 'content_filter'],
    ['PROHIBITED_CONTENT', 'content_filter'],
    ['MALFORMED_FUNCTION_CALL', 'error'],
    ['OTHER', 'error'],
  ])('gemini %s → %s', (reason, expected) => {
    const body = { candidates: [{ content: { parts: [{ text: 'x' }], role: 'model' }, finishReason: reason }] };
    expect(getCodec('gemini').decodeResponse(body).finishReason).toBe(expected);
  });
});
