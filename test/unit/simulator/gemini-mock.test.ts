/**
 * The Gemini mock, judged by the official `@google/genai` SDK: generateContent,
 * generateContentStream (its SSE parser and CRLF framing), function calls and model lists.
 */
import { ApiError, GoogleGenAI, Type } from '@google/genai';
import { describe, expect, it } from 'vitest';
import { rawRequest, sseData, useMocks } from './support.js';

const start = useMocks();

const weatherTool = {
  functionDeclarations: [
    {
      name: 'get_weather',
      description: 'Weather for a city',
      parameters: { type: Type.OBJECT, properties: { city: { type: Type.STRING } }, required: ['city'] },
    },
  ],
};

async function client(options: { chunks?: number; apiKey?: string } = {}): Promise<{ ai: GoogleGenAI; url: string }> {
  const mock = await start({ format: 'gemini', name: 'gemini-sim', apiKey: 'g-key', chunks: options.chunks ?? 4 });
  return { ai: new GoogleGenAI({ apiKey: options.apiKey ?? 'g-key', httpOptions: { baseUrl: mock.url } }), url: mock.url };
}

describe('gemini mock with the @google/genai SDK', () => {
  it('answers generateContent', async () => {
    const { ai } = await client();
    const response = await ai.models.generateContent({
      model: 'gemini-2.5-flash',
      contents: 'Say hello.',
      config: { systemInstruction: 'Be brief.' },
    });
    expect(response.text).toBe('Hello from gemini-sim.');
    expect(response.candidates?.[0]?.finishReason).toBe('STOP');
    expect(response.modelVersion).toBe('gemini-2.5-flash');
    // "Be brief." + "Say hello." = 19 characters -> 5 tokens; the 22-character reply -> 6.
    expect(response.usageMetadata).toMatchObject({ promptTokenCount: 5, candidatesTokenCount: 6, totalTokenCount: 11 });
  });

  it('streams with generateContentStream, finish reason and usage on the last chunk', async () => {
    const { ai } = await client({ chunks: 3 });
    const stream = await ai.models.generateContentStream({ model: 'gemini-2.5-pro', contents: 'hi' });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks).toHaveLength(3);
    expect(chunks.map((c) => c.text).join('')).toBe('Hello from gemini-sim.');
    expect(chunks.slice(0, -1).every((c) => c.candidates?.[0]?.finishReason === undefined)).toBe(true);
    expect(chunks.at(-1)?.candidates?.[0]?.finishReason).toBe('STOP');
    expect(chunks.at(-1)?.usageMetadata?.candidatesTokenCount).toBe(6);
  });

  it('frames alt=sse events with CRLF, and streams a JSON array without alt=sse', async () => {
    const { url } = await client({ chunks: 2 });
    const body = { contents: [{ role: 'user', parts: [{ text: 'hi' }] }] };
    const sse = await rawRequest(`${url}/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse`, {
      headers: { 'x-goog-api-key': 'g-key' },
      body,
    });
    expect(sse.headers?.['content-type']).toMatch(/^text\/event-stream/);
    expect(sse.body).toMatch(/^data: \{.*\}\r\n\r\ndata: \{.*\}\r\n\r\n$/s);
    expect(sseData(sse.body)).toHaveLength(2);

    const array = await rawRequest(`${url}/v1beta/models/gemini-2.5-flash:streamGenerateContent?key=g-key`, { body });
    const parsed = JSON.parse(array.body) as unknown[];
    expect(array.headers?.['content-type']).toMatch(/^application\/json/);
    expect(parsed).toHaveLength(2);
  });

  it('calls a scripted function, streamed and not', async () => {
    const mock = await start({ format: 'gemini', toolCall: { name: 'get_weather', arguments: { city: 'Paris' } } });
    const ai = new GoogleGenAI({ apiKey: 'k', httpOptions: { baseUrl: mock.url } });
    const request = { model: 'gemini-2.5-flash', contents: 'Weather in Paris?', config: { tools: [weatherTool] } };
    const response = await ai.models.generateContent(request);
    expect(response.functionCalls).toEqual([{ name: 'get_weather', args: { city: 'Paris' } }]);
    expect(response.candidates?.[0]?.finishReason).toBe('STOP');

    const stream = await ai.models.generateContentStream(request);
    const calls = [];
    for await (const chunk of stream) calls.push(...(chunk.functionCalls ?? []));
    expect(calls).toEqual([{ name: 'get_weather', args: { city: 'Paris' } }]);

    // Without declared tools a real model cannot call one, so neither does the mock.
    const noTools = await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'Weather?' });
    expect(noTools.functionCalls).toBeUndefined();
  });

  it('answers a function response with text that quotes it, and rejects a misplaced one', async () => {
    const mock = await start({ format: 'gemini', name: 'gemini-sim', toolCall: { name: 'get_weather', arguments: { city: 'Paris' } } });
    const ai = new GoogleGenAI({ apiKey: 'k', httpOptions: { baseUrl: mock.url } });
    const response = await ai.models.generateContent({
      model: 'gemini-2.5-flash',
      config: { tools: [weatherTool] },
      contents: [
        { role: 'user', parts: [{ text: 'Weather?' }] },
        { role: 'model', parts: [{ functionCall: { name: 'get_weather', args: { city: 'Paris' } } }] },
        { role: 'user', parts: [{ functionResponse: { name: 'get_weather', response: { output: 'warm, 25 degrees' } } }] },
      ],
    });
    expect(response.text).toBe('Hello from gemini-sim. The tool returned: warm, 25 degrees');

    const misplaced = ai.models.generateContent({
      model: 'gemini-2.5-flash',
      contents: [
        { role: 'user', parts: [{ text: 'Weather?' }] },
        { role: 'user', parts: [{ functionResponse: { name: 'get_weather', response: { output: 'x' } } }] },
      ],
    });
    await expect(misplaced).rejects.toThrow(/function response turn comes immediately after a function call turn/);
  });

  it('lists models and authenticates by header or ?key=, with Google error shapes', async () => {
    const { ai, url } = await client();
    const pager = await ai.models.list();
    const names = [];
    for await (const model of pager) names.push(model.name);
    expect(names).toEqual(['models/gemini-2.5-flash', 'models/gemini-2.5-pro']);

    const body = { contents: [{ parts: [{ text: 'x' }] }] };
    const byQuery = await rawRequest(`${url}/v1beta/models/gemini-2.5-flash:generateContent?key=g-key`, { body });
    expect(byQuery.status).toBe(200);
    const missing = await rawRequest(`${url}/v1beta/models/gemini-2.5-flash:generateContent`, { body });
    expect(missing.status).toBe(403);
    expect(JSON.parse(missing.body)).toMatchObject({ error: { code: 403, status: 'PERMISSION_DENIED' } });

    const wrong = new GoogleGenAI({ apiKey: 'bad', httpOptions: { baseUrl: url } });
    const error: unknown = await wrong.models.generateContent({ model: 'gemini-2.5-flash', contents: 'x' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(400);
    expect((error as ApiError).message).toContain('API_KEY_INVALID');
  });

  it('rejects roles from other formats', async () => {
    const { url } = await client();
    const bad = await rawRequest(`${url}/v1beta/models/gemini-2.5-flash:generateContent?key=g-key`, {
      body: { contents: [{ role: 'assistant', parts: [{ text: 'x' }] }] },
    });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body)).toEqual({
      error: { code: 400, message: 'Please use a valid role: user, model.', status: 'INVALID_ARGUMENT' },
    });
  });
});
