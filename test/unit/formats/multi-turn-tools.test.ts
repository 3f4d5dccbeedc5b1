/**
 * A whole tool-use conversation through every client/upstream pair: the client asks,
 * the upstream calls two tools, the client (as its SDK would) appends that turn and the
 * results to its history, and the next upstream request must pair each result with the
 * right call — by id for OpenAI and Anthropic, by name and order for Gemini.
 */
import { describe, expect, it } from 'vitest';
import { type JsonObject, type JsonValue, type WireFormat } from '../../../lib/formats/canonical.js';
import { type EncodeRequestOptions } from '../../../lib/formats/codec.js';
import { getCodec } from '../../../lib/formats/registry.js';
import { createStreamTranslator } from '../../../lib/formats/stream-translator.js';
import { FORMATS, decodeSse, readFixture, readJson, rebuild } from './support.js';

const OPTIONS: Record<WireFormat, EncodeRequestOptions> = {
  openai: { model: 'gpt-4.1', defaultMaxTokens: 1024 },
  anthropic: { model: 'claude-sonnet-4-6', defaultMaxTokens: 1024 },
  gemini: { model: 'gemini-2.5-flash', defaultMaxTokens: 1024 },
};

const weather = { type: 'object', properties: { location: { type: 'string' }, unit: { type: 'string' } }, required: ['location'] };
const time = { type: 'object', properties: { timezone: { type: 'string' } }, required: ['timezone'] };
const QUESTION = 'Weather and time in Paris?';

/** The first turn of the conversation, as each client format writes it. */
function firstTurn(format: WireFormat): JsonObject {
  switch (format) {
    case 'openai':
      return {
        model: 'route',
        messages: [{ role: 'user', content: QUESTION }],
        tools: [
          { type: 'function', function: { name: 'get_weather', parameters: weather } },
          { type: 'function', function: { name: 'get_time', parameters: time } },
        ],
      };
    case 'anthropic':
      return {
        model: 'route',
        max_tokens: 512,
        messages: [{ role: 'user', content: QUESTION }],
        tools: [
          { name: 'get_weather', input_schema: weather },
          { name: 'get_time', input_schema: time },
        ],
      };
    case 'gemini':
      return {
        contents: [{ role: 'user', parts: [{ text: QUESTION }] }],
        tools: [{ functionDeclarations: [{ name: 'get_weather', parametersJsonSchema: weather }, { name: 'get_time', parametersJsonSchema: time }] }],
      };
  }
}

interface Call {
  id: string | undefined;
  name: string;
}

const RESULTS: Record<string, string> = { get_weather: '21 °C, sunny', get_time: '14:05' };

/** Appends the assistant turn the client received and its tool results, as the client SDK would. */
function secondTurn(format: WireFormat, first: JsonObject, response: JsonObject, echoGeminiIds: boolean): { body: JsonObject; calls: Call[] } {
  switch (format) {
    case 'openai': {
      const message = (response['choices'] as JsonObject[])[0]?.['message'] as JsonObject;
      const toolCalls = message['tool_calls'] as JsonObject[];
      const calls = toolCalls.map((c) => ({ id: c['id'] as string, name: (c['function'] as JsonObject)['name'] as string }));
      const results = calls.map((c) => ({ role: 'tool', tool_call_id: c.id ?? '', content: RESULTS[c.name] ?? '' }));
      return { body: { ...first, messages: [...(first['messages'] as JsonValue[]), message, ...results] }, calls };
    }
    case 'anthropic': {
      const content = response['content'] as JsonObject[];
      const calls = content.filter((b) => b['type'] === 'tool_use').map((b) => ({ id: b['id'] as string, name: b['name'] as string }));
      const results = calls.map((c) => ({ type: 'tool_result', tool_use_id: c.id ?? '', content: RESULTS[c.name] ?? '' }));
      const turn = [{ role: 'assistant', content }, { role: 'user', content: results }];
      return { body: { ...first, messages: [...(first['messages'] as JsonValue[]), ...turn] }, calls };
    }
    case 'gemini': {
      const content = (response['candidates'] as JsonObject[])[0]?.['content'] as JsonObject;
      const parts = (content['parts'] as JsonObject[]).filter((p) => p['functionCall']);
      const calls = parts.map((p) => {
        const call = p['functionCall'] as JsonObject;
        return { id: call['id'] as string | undefined, name: call['name'] as string };
      });
      const results = calls.map((c) => ({
        functionResponse: { ...(echoGeminiIds && c.id ? { id: c.id } : {}), name: c.name, response: { output: RESULTS[c.name] ?? '' } },
      }));
      const history = [...(first['contents'] as JsonValue[]), content, { role: 'user', parts: results }];
      return { body: { ...first, contents: history }, calls };
    }
  }
}

interface Pairing {
  calls: Call[];
  results: { id: string | undefined; name: string | undefined; text: string }[];
}

/** Reads back, from an upstream request body, the calls and the results that answer them. */
function pairing(format: WireFormat, body: JsonObject): Pairing {
  const out: Pairing = { calls: [], results: [] };
  if (format === 'openai') {
    for (const m of body['messages'] as JsonObject[]) {
      for (const c of (m['tool_calls'] as JsonObject[] | undefined) ?? []) out.calls.push({ id: c['id'] as string, name: (c['function'] as JsonObject)['name'] as string });
      if (m['role'] === 'tool') out.results.push({ id: m['tool_call_id'] as string, name: undefined, text: m['content'] as string });
    }
  } else if (format === 'anthropic') {
    for (const m of body['messages'] as JsonObject[]) {
      for (const b of m['content'] as JsonObject[]) {
        if (b['type'] === 'tool_use') out.calls.push({ id: b['id'] as string, name: b['name'] as string });
        if (b['type'] === 'tool_result') out.results.push({ id: b['tool_use_id'] as string, name: undefined, text: b['content'] as string });
      }
    }
  } else {
    for (const c of body['contents'] as JsonObject[]) {
      for (const p of c['parts'] as JsonObject[]) {
        const call = p['functionCall'] as JsonObject | undefined;
        const result = p['functionResponse'] as JsonObject | undefined;
        if (call) out.calls.push({ id: undefined, name: call['name'] as string });
        if (result) out.results.push({ id: undefined, name: result['name'] as string, text: (result['response'] as JsonObject)['output'] as string });
      }
    }
  }
  return out;
}

function request(client: WireFormat, upstream: WireFormat, body: JsonObject): JsonObject {
  const canonical = getCodec(client).decodeRequest(body, { model: 'route', stream: false });
  return getCodec(upstream).encodeRequest(canonical, OPTIONS[upstream]).body;
}

describe.each(FORMATS)('a %s client', (client) => {
  describe.each(FORMATS.filter((f) => f !== client))('talking to a %s upstream', (upstream) => {
    for (const echoGeminiIds of client === 'gemini' ? [true, false] : [true]) {
      const label = client === 'gemini' ? (echoGeminiIds ? ' (ids echoed)' : ' (matched by name)') : '';
      it(`pairs every tool result with its call across turns${label}`, () => {
        const first = firstTurn(client);
        const upstreamFirst = request(client, upstream, first);
        expect(pairing(upstream, upstreamFirst).calls).toEqual([]);

        const upstreamAnswer = readJson<JsonObject>('responses', `${upstream}.json`);
        const clientAnswer = getCodec(client).encodeResponse(getCodec(upstream).decodeResponse(upstreamAnswer), { model: 'route' });
        const { body: second, calls } = secondTurn(client, first, clientAnswer, echoGeminiIds);
        expect(calls.map((c) => c.name)).toEqual(['get_weather', 'get_time']);

        const { calls: upCalls, results } = pairing(upstream, request(client, upstream, second));
        expect(upCalls.map((c) => c.name)).toEqual(['get_weather', 'get_time']);
        expect(results.map((r) => r.text)).toEqual(['21 °C, sunny', '14:05']);
        if (upstream === 'gemini') {
          // Gemini pairs by name and order.
          expect(results.map((r) => r.name)).toEqual(upCalls.map((c) => c.name));
        } else {
          expect(results.map((r) => r.id)).toEqual(upCalls.map((c) => c.id));
          expect(new Set(upCalls.map((c) => c.id)).size).toBe(2);
          // The ids the client saw are the ids the upstream gets back.
          if (client !== 'gemini' || echoGeminiIds) expect(upCalls.map((c) => c.id)).toEqual(calls.map((c) => c.id));
        }
      });
    }

    it('sees the same tool-call ids in a translated stream as it later sends back', () => {
      const t = createStreamTranslator(getCodec(upstream), getCodec(client), { model: 'route', includeUsage: false });
      const out = t.push(new TextEncoder().encode(readFixture('streams', `${upstream}-tools.sse`))) + t.end();
      const streamed = rebuild(decodeSse(client, out)).toolCalls;
      expect(streamed.map((c) => c.name)).toEqual(['get_weather', 'get_time']);
      const second = getCodec(client).decodeRequest(
        client === 'openai'
          ? {
              model: 'route',
              messages: [
                { role: 'user', content: QUESTION },
                { role: 'assistant', content: null, tool_calls: streamed.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } })) },
                ...streamed.map((c) => ({ role: 'tool', tool_call_id: c.id, content: RESULTS[c.name] ?? '' })),
              ],
            }
          : client === 'anthropic'
            ? {
                model: 'route',
                max_tokens: 5,
                messages: [
                  { role: 'user', content: QUESTION },
                  { role: 'assistant', content: streamed.map((c) => ({ type: 'tool_use', id: c.id, name: c.name, input: JSON.parse(c.arguments) as JsonValue })) },
                  { role: 'user', content: streamed.map((c) => ({ type: 'tool_result', tool_use_id: c.id, content: RESULTS[c.name] ?? '' })) },
                ],
              }
            : {
                contents: [
                  { role: 'user', parts: [{ text: QUESTION }] },
                  { role: 'model', parts: streamed.map((c) => ({ functionCall: { id: c.id, name: c.name, args: JSON.parse(c.arguments) as JsonValue } })) },
                  { role: 'user', parts: streamed.map((c) => ({ functionResponse: { id: c.id, name: c.name, response: { output: RESULTS[c.name] ?? '' } } })) },
                ],
              },
        { model: 'route', stream: false },
      );
      const results = second.messages.flatMap((m) => m.content).flatMap((p) => (p.type === 'tool_result' ? [p.toolCallId] : []));
      expect(results).toEqual(streamed.map((c) => c.id));
    });
  });
});
