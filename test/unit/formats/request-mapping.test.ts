import { describe, expect, it } from 'vitest';
import { LlmuxError } from '../../../lib/errors.js';
import { type CanonicalRequest, type JsonObject, type JsonValue, type ToolChoice, type WireFormat } from '../../../lib/formats/canonical.js';
import { type EncodeRequestOptions } from '../../../lib/formats/codec.js';
import { getCodec } from '../../../lib/formats/registry.js';
import { FORMATS, expectGolden, readJson } from './support.js';

const OPTIONS: Record<WireFormat, EncodeRequestOptions> = {
  openai: { model: 'gpt-4.1', defaultMaxTokens: 1024 },
  anthropic: { model: 'claude-sonnet-4-6', defaultMaxTokens: 1024, apiVersion: '2023-06-01' },
  gemini: { model: 'gemini-2.5-flash', defaultMaxTokens: 1024 },
};

function decode(format: WireFormat, body: JsonObject, stream = false): CanonicalRequest {
  return getCodec(format).decodeRequest(body, { model: 'route-smart', stream });
}

function translate(from: WireFormat, to: WireFormat, body: JsonObject, options: Partial<EncodeRequestOptions> = {}) {
  const stream = from === 'gemini' ? false : body['stream'] === true;
  return getCodec(to).encodeRequest(decode(from, body, stream), { ...OPTIONS[to], ...options });
}

const input = (format: WireFormat): JsonObject => readJson<JsonObject>('requests', `${format}.json`);

function rejection(fn: () => unknown): LlmuxError {
  try {
    fn();
  } catch (err) {
    if (err instanceof LlmuxError) return err;
    throw err;
  }
  throw new Error('expected an LlmuxError');
}

const msgs = (body: JsonObject): JsonObject[] => body['messages'] as JsonObject[];
const contents = (body: JsonObject): JsonObject[] => body['contents'] as JsonObject[];

describe('golden request mappings', () => {
  for (const from of FORMATS) {
    for (const to of FORMATS) {
      if (from === to) continue;
      it(`${from} client → ${to} upstream`, () => {
        const encoded = translate(from, to, input(from));
        expectGolden(`${JSON.stringify(encoded, null, 2)}\n`, 'requests', 'expected', `${from}-to-${to}.json`);
      });
    }
  }
});

describe('OpenAI client requests', () => {
  const body = input('openai');

  it('become an Anthropic request with tool results first in one user turn', () => {
    const { body: out, dropped } = translate('openai', 'anthropic', body);
    expect(out['system']).toEqual([
      { type: 'text', text: 'You are a concise travel assistant.' },
      { type: 'text', text: 'Always answer in French.' },
    ]);
    const roles = msgs(out).map((m) => m['role']);
    expect(roles).toEqual(['user', 'assistant', 'user', 'assistant', 'user']);
    const results = msgs(out)[2]?.['content'] as JsonObject[];
    expect(results.map((b) => b['tool_use_id'])).toEqual(['call_DdmO9pD3xa9XTPNJ32zg2hcA', 'call_ABTMCRkmRBN6zxZwTGS9oAbS']);
    const calls = (msgs(out)[1]?.['content'] as JsonObject[]).filter((b) => b['type'] === 'tool_use');
    expect(calls.map((b) => b['id'])).toEqual(['call_DdmO9pD3xa9XTPNJ32zg2hcA', 'call_ABTMCRkmRBN6zxZwTGS9oAbS']);
    expect(calls[0]?.['input']).toEqual({ location: 'Paris, Île-de-France', unit: 'celsius' });
    expect(out['tool_choice']).toEqual({ type: 'auto', disable_parallel_tool_use: true });
    expect(out['max_tokens']).toBe(512);
    expect(out['stop_sequences']).toEqual(['\n\nEND']);
    expect(out['metadata']).toEqual({ user_id: 'user-1234' });
    expect(out['output_config']).toMatchObject({ format: { type: 'json_schema' } });
    expect(out['stream']).toBe(true);
    expect([...dropped].sort()).toEqual(
      ['frequency_penalty', 'logprobs', 'messages.content.image_url.detail', 'metadata', 'presence_penalty', 'seed', 'store', 'top_logprobs'].sort(),
    );
  });

  it('become a Gemini request with named function responses and a dummy thought signature', () => {
    const { body: out, dropped } = translate('openai', 'gemini', body);
    const c = contents(out);
    expect(c.map((x) => x['role'])).toEqual(['user', 'model', 'user', 'model', 'user']);
    const modelParts = c[1]?.['parts'] as JsonObject[];
    expect(modelParts[0]).toEqual({ text: 'Je regarde la météo et l’heure.' });
    expect(modelParts[1]).toEqual({
      functionCall: { name: 'get_weather', args: { location: 'Paris, Île-de-France', unit: 'celsius' } },
      thoughtSignature: 'skip_thought_signature_validator',
    });
    expect(modelParts[2]).toEqual({ functionCall: { name: 'get_time', args: { timezone: 'Europe/Paris' } } });
    expect(c[2]?.['parts']).toEqual([
      { functionResponse: { name: 'get_weather', response: { output: { temperature: 21, conditions: 'sunny' } } } },
      { functionResponse: { name: 'get_time', response: { output: '14:05' } } },
    ]);
    const userParts = c[0]?.['parts'] as JsonObject[];
    expect(userParts[1]).toEqual({ fileData: { mimeType: 'image/jpeg', fileUri: 'https://upload.wikimedia.org/wikipedia/commons/a/a8/Tour_Eiffel_Wikimedia_Commons.jpg' } });
    expect(userParts[2]).toMatchObject({ inlineData: { mimeType: 'image/png' } });
    expect(out['generationConfig']).toMatchObject({ maxOutputTokens: 512, temperature: 0.4, topP: 0.9, seed: 7, responseMimeType: 'application/json' });
    expect(dropped).toEqual(expect.arrayContaining(['parallel_tool_calls', 'user', 'tools.strict', 'logprobs']));
  });

  it('always ask an OpenAI upstream for stream usage', () => {
    const req = decode('anthropic', { model: 'x', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }], stream: true }, true);
    expect(getCodec('openai').encodeRequest(req, OPTIONS.openai).body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });

  it('narrow the tools to allowed_tools', () => {
    const req = decode('openai', {
      ...body,
      tool_choice: { type: 'allowed_tools', allowed_tools: { mode: 'required', tools: [{ type: 'function', function: { name: 'get_time' } }] } },
    });
    expect(req.tools?.map((t) => t.name)).toEqual(['get_time']);
    expect(req.toolChoice).toEqual({ type: 'required' });
  });
});

describe('Anthropic client requests', () => {
  const body = input('anthropic');

  it('become an OpenAI request with tool messages before the follow-up', () => {
    const { body: out, dropped } = translate('anthropic', 'openai', body);
    expect(msgs(out).map((m) => m['role'])).toEqual(['system', 'user', 'assistant', 'tool', 'tool', 'user']);
    expect(msgs(out)[3]).toEqual({ role: 'tool', tool_call_id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6', content: '{"temperature":21,"conditions":"sunny"}' });
    expect(msgs(out)[2]?.['tool_calls']).toEqual([
      { id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Paris, Île-de-France","unit":"celsius"}' } },
      { id: 'toolu_01HnUqYVvx6j7VQ3cEY5oRNT', type: 'function', function: { name: 'get_time', arguments: '{"timezone":"Europe/Paris"}' } },
    ]);
    const image = (msgs(out)[1]?.['content'] as JsonObject[])[0];
    expect(image).toMatchObject({ type: 'image_url', image_url: { url: expect.stringMatching(/^data:image\/jpeg;base64,\/9j\//) } });
    expect(out['tool_choice']).toBe('required');
    expect(out['parallel_tool_calls']).toBe(false);
    expect(out['max_completion_tokens']).toBe(1024);
    expect(out['stop']).toEqual(['</answer>']);
    expect(dropped).toEqual(expect.arrayContaining(['cache_control', 'tools.cache_control', 'messages.content.thinking', 'thinking', 'top_k']));
  });

  it('become a Gemini request', () => {
    const { body: out } = translate('anthropic', 'gemini', body);
    expect(out['toolConfig']).toEqual({ functionCallingConfig: { mode: 'ANY' } });
    expect(out['generationConfig']).toMatchObject({ temperature: 0.5, topK: 40, maxOutputTokens: 1024, stopSequences: ['</answer>'] });
    const lastUser = contents(out)[2]?.['parts'] as JsonObject[];
    expect(lastUser.map((p) => Object.keys(p)[0])).toEqual(['functionResponse', 'functionResponse', 'text']);
  });
});

describe('Gemini client requests', () => {
  const body = input('gemini');

  it('read snake_case and camelCase fields alike, with stable ids for id-less calls', () => {
    const req = decode('gemini', body);
    expect(req.system?.map((p) => p.text)).toEqual(['You are a concise travel assistant.', 'Always answer in French.']);
    expect(req.messages[0]?.content[1]).toMatchObject({ type: 'image', source: { kind: 'base64', mediaType: 'image/png' } });
    const calls = req.messages[1]?.content ?? [];
    const results = req.messages[2]?.content ?? [];
    expect(req.messages[2]?.role).toBe('tool');
    const callIds = calls.map((p) => (p.type === 'tool_call' ? p.id : ''));
    expect(results.map((p) => (p.type === 'tool_result' ? p.toolCallId : ''))).toEqual(callIds);
    expect(new Set(callIds).size).toBe(2);
    expect(decode('gemini', body).messages[1]?.content).toEqual(calls);
    expect(req.tools?.[0]?.parameters).toEqual({
      type: 'object',
      properties: {
        location: { type: 'string', description: 'City and region, e.g. Paris, Île-de-France' },
        unit: { type: ['string', 'null'], enum: ['celsius', 'fahrenheit', null] },
      },
      required: ['location'],
    });
    expect(req.responseFormat).toEqual({
      type: 'json_schema',
      schema: { type: 'object', properties: { landmark: { type: 'string' }, height_m: { type: ['integer', 'null'] } }, required: ['landmark'] },
    });
    expect(req.unmapped).toEqual(expect.arrayContaining(['contents.parts.thoughtSignature', 'safetySettings', 'generationConfig.thinkingConfig']));
  });

  it('become an Anthropic request whose tool results answer the matching calls', () => {
    const { body: out } = translate('gemini', 'anthropic', body);
    const m = msgs(out);
    const uses = (m[1]?.['content'] as JsonObject[]).map((b) => b['id']);
    const answers = (m[2]?.['content'] as JsonObject[]).map((b) => b['tool_use_id']);
    expect(answers).toEqual(uses);
    expect((m[2]?.['content'] as JsonObject[])[0]?.['content']).toBe('{"temperature":21,"conditions":"sunny"}');
    expect(out['tool_choice']).toEqual({ type: 'auto' });
  });

  it('map toolConfig modes', () => {
    const mode = (config: JsonValue) => decode('gemini', { ...body, toolConfig: { functionCallingConfig: config } });
    expect(mode({ mode: 'ANY', allowedFunctionNames: ['get_time'] }).toolChoice).toEqual({ type: 'tool', name: 'get_time' });
    expect(mode({ mode: 'NONE' }).toolChoice).toEqual({ type: 'none' });
    const narrowed = mode({ mode: 'ANY', allowedFunctionNames: ['get_time', 'get_weather'] });
    expect(narrowed.toolChoice).toEqual({ type: 'required' });
    expect(narrowed.tools?.map((t) => t.name).sort()).toEqual(['get_time', 'get_weather']);
  });

  it('reject a functionResponse that answers no call', () => {
    const err = rejection(() => decode('gemini', { contents: [{ role: 'user', parts: [{ functionResponse: { name: 'x', response: {} } }] }] }));
    expect(err.code).toBe('LLMUX_ERR_INVALID_REQUEST');
  });
});

describe('tool_choice across formats', () => {
  const choices: ToolChoice[] = [{ type: 'auto' }, { type: 'none' }, { type: 'required' }, { type: 'tool', name: 'get_time' }];
  const expected: Record<WireFormat, JsonValue[]> = {
    openai: ['auto', 'none', 'required', { type: 'function', function: { name: 'get_time' } }],
    anthropic: [{ type: 'auto' }, { type: 'none' }, { type: 'any' }, { type: 'tool', name: 'get_time' }],
    gemini: [{ mode: 'AUTO' }, { mode: 'NONE' }, { mode: 'ANY' }, { mode: 'ANY', allowedFunctionNames: ['get_time'] }],
  };
  const base: CanonicalRequest = {
    model: 'm',
    messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }],
    stream: false,
    tools: [{ name: 'get_time', parameters: { type: 'object', properties: {} } }],
    unmapped: [],
  };
  const pick = (format: WireFormat, body: JsonObject): JsonValue | undefined =>
    format === 'gemini' ? (body['toolConfig'] as JsonObject)['functionCallingConfig'] : body['tool_choice'];

  it.each(FORMATS)('encodes and decodes back for %s', (format) => {
    choices.forEach((toolChoice, i) => {
      const { body } = getCodec(format).encodeRequest({ ...base, toolChoice }, OPTIONS[format]);
      expect(pick(format, body)).toEqual(expected[format][i]);
      expect(getCodec(format).decodeRequest(body, { model: 'm', stream: false }).toolChoice).toEqual(toolChoice);
    });
  });
});

describe('Anthropic API versions', () => {
  const body = input('openai');

  it('drops sampling parameters for 2026-10-21 and by default', () => {
    for (const apiVersion of ['2026-10-21', undefined]) {
      const { body: out, dropped } = translate('openai', 'anthropic', body, { apiVersion });
      expect(out).not.toHaveProperty('temperature');
      expect(out).not.toHaveProperty('top_p');
      expect(dropped).toEqual(expect.arrayContaining(['temperature', 'top_p']));
    }
  });

  it('keeps them for 2023-06-01, with temperature clamped to Anthropic’s range', () => {
    const { body: out } = translate('openai', 'anthropic', { ...body, temperature: 1.6 }, { apiVersion: '2023-06-01' });
    expect(out).toMatchObject({ temperature: 1, top_p: 0.9 });
  });

  it('uses the default max_tokens when the client gave none', () => {
    const { body: out } = translate('gemini', 'anthropic', { contents: [{ parts: [{ text: 'hi' }] }] }, { defaultMaxTokens: 4096 });
    expect(out['max_tokens']).toBe(4096);
  });
});

describe('JSON mode', () => {
  const jsonObject = { model: 'x', messages: [{ role: 'user', content: 'JSON please' }], response_format: { type: 'json_object' } };

  it('json_object is dropped and reported for Anthropic, which has only schema-based output', () => {
    const { body, dropped } = translate('openai', 'anthropic', jsonObject);
    expect(body).not.toHaveProperty('output_config');
    expect(dropped).toContain('response_format');
  });

  it('json_object is responseMimeType application/json for Gemini, and back', () => {
    const { body } = translate('openai', 'gemini', jsonObject);
    expect(body['generationConfig']).toEqual({ responseMimeType: 'application/json' });
    expect(translate('gemini', 'openai', body).body['response_format']).toEqual({ type: 'json_object' });
  });
});

describe('what a target cannot express', () => {
  it('is rejected with LLMUX_ERR_UNSUPPORTED_FIELD (400), though decoding alone accepts it', () => {
    const audio = {
      model: 'x',
      messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: { data: 'AAAA', format: 'wav' } }] }],
    };
    expect(decode('openai', audio).unsupported).toEqual(['messages.content[].type=input_audio']);
    const err = rejection(() => translate('openai', 'anthropic', audio));
    expect(err.code).toBe('LLMUX_ERR_UNSUPPORTED_FIELD');
    expect(err.status).toBe(400);
    expect(err.message).toContain('Anthropic Messages');

    const search = { model: 'x', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }], tools: [{ type: 'web_search_20250305', name: 'web_search' }] };
    expect(rejection(() => translate('anthropic', 'openai', search)).message).toContain('web_search_20250305');
    const grounding = { contents: [{ parts: [{ text: 'hi' }] }], tools: [{ googleSearch: {} }] };
    expect(rejection(() => translate('gemini', 'openai', grounding)).message).toContain('tools.googleSearch');
    expect(rejection(() => translate('openai', 'gemini', { model: 'x', n: 2, messages: [{ role: 'user', content: 'hi' }] })).code).toBe('LLMUX_ERR_UNSUPPORTED_FIELD');
    const enumMode = { contents: [{ parts: [{ text: 'hi' }] }], generationConfig: { responseMimeType: 'text/x.enum' } };
    expect(rejection(() => translate('gemini', 'anthropic', enumMode)).message).toContain('responseMimeType=text/x.enum');
  });

  it('rejects image URLs the target cannot fetch, and image types it cannot read', () => {
    const gs = { contents: [{ parts: [{ fileData: { mimeType: 'image/png', fileUri: 'gs://bucket/cat.png' } }] }] };
    expect(rejection(() => translate('gemini', 'openai', gs)).code).toBe('LLMUX_ERR_UNSUPPORTED_FIELD');
    const filesApi = { contents: [{ parts: [{ fileData: { mimeType: 'image/png', fileUri: 'https://generativelanguage.googleapis.com/v1beta/files/abc123' } }] }] };
    expect(rejection(() => translate('gemini', 'anthropic', filesApi)).code).toBe('LLMUX_ERR_UNSUPPORTED_FIELD');
    const heic = { contents: [{ parts: [{ inlineData: { mimeType: 'image/heic', data: 'AAAA' } }] }] };
    expect(rejection(() => translate('gemini', 'anthropic', heic)).message).toContain('image/heic');
    const pdf = { contents: [{ parts: [{ inlineData: { mimeType: 'application/pdf', data: 'JVBERi0=' } }] }] };
    expect(rejection(() => translate('gemini', 'openai', pdf)).message).toContain('application/pdf');
  });

  it('rejects images inside tool results for OpenAI', () => {
    const body = {
      model: 'x',
      max_tokens: 10,
      messages: [
        { role: 'user', content: 'screenshot?' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'shot', input: {} }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'AAAA' } }] }] },
      ],
    };
    expect(rejection(() => translate('anthropic', 'openai', body)).code).toBe('LLMUX_ERR_UNSUPPORTED_FIELD');
    const { body: gem } = translate('anthropic', 'gemini', body);
    expect((contents(gem)[2]?.['parts'] as JsonObject[])[0]).toEqual({
      functionResponse: { name: 'shot', response: { output: '' }, parts: [{ inlineData: { mimeType: 'image/png', data: 'AAAA' } }] },
    });
  });

  it('rejects malformed bodies as invalid requests', () => {
    expect(rejection(() => decode('openai', { model: 'x', messages: 'hi' })).code).toBe('LLMUX_ERR_INVALID_REQUEST');
    expect(rejection(() => decode('anthropic', { model: 'x', messages: [{ role: 'user', content: 5 }] })).code).toBe('LLMUX_ERR_INVALID_REQUEST');
    expect(rejection(() => decode('gemini', { contents: [{ parts: 'hi' }] })).code).toBe('LLMUX_ERR_INVALID_REQUEST');
    expect(rejection(() => decode('openai', { model: 'x', messages: [], temperature: 'hot' })).message).toContain('temperature');
  });
});
