/**
 * The OpenAI mock, judged by the official `openai` SDK pointed straight at it: if the
 * SDK's parsers and stream accumulators rebuild the right objects, the wire format is
 * faithful enough to test llmux's translations against.
 */
import OpenAI, { AzureOpenAI } from 'openai';
import { describe, expect, it } from 'vitest';
import { embeddingVector } from '../../../lib/simulator/index.js';
import { rawRequest, sseData, useMocks } from './support.js';

const start = useMocks();

const weatherTool = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'Weather for a city',
    strict: true,
    parameters: {
      type: 'object',
      properties: { city: { type: 'string' }, unit: { type: 'string' } },
      required: ['city', 'unit'],
      additionalProperties: false,
    },
  },
};

async function client(options: { apiKey?: string; chunks?: number } = {}): Promise<OpenAI> {
  const mock = await start({ format: 'openai', name: 'alpha', apiKey: 'sk-test', chunks: options.chunks ?? 4 });
  return new OpenAI({ baseURL: `${mock.url}/v1`, apiKey: options.apiKey ?? 'sk-test', maxRetries: 0 });
}

describe('openai mock with the openai SDK', () => {
  it('answers a non-streamed chat completion', async () => {
    const openai = await client();
    const completion = await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Say hello, please.' }],
    });
    expect(completion.object).toBe('chat.completion');
    expect(completion.model).toBe('gpt-4o-mini');
    expect(completion.choices[0]?.message).toMatchObject({ role: 'assistant', content: 'Hello from alpha.' });
    expect(completion.choices[0]?.finish_reason).toBe('stop');
    // 18 characters of prompt -> ceil(18 / 4) tokens; 17 characters of reply -> 5.
    expect(completion.usage).toMatchObject({ prompt_tokens: 5, completion_tokens: 5, total_tokens: 10 });
  });

  it('streams chunks that concatenate to the reply, with usage only when asked for', async () => {
    const openai = await client({ chunks: 5 });
    const messages = [{ role: 'user' as const, content: 'hi' }];
    const withUsage = await openai.chat.completions.create({
      model: 'gpt-4o',
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const chunk of withUsage) chunks.push(chunk);
    expect(chunks[0]?.choices[0]?.delta.role).toBe('assistant');
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe('Hello from alpha.');
    expect(chunks.filter((c) => c.choices[0]?.delta.content).length).toBe(5);
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe('stop');
    expect(chunks.at(-1)?.choices).toEqual([]);
    expect(chunks.at(-1)?.usage).toMatchObject({ prompt_tokens: 1, completion_tokens: 5 });

    // On the wire, every chunk before the usage chunk carries `"usage":null`, as the real API sends it.
    const mock = await start({ format: 'openai' });
    const raw = await rawRequest(`${mock.url}/v1/chat/completions`, {
      body: { model: 'gpt-4o', messages, stream: true, stream_options: { include_usage: true } },
    });
    const data = sseData(raw.body);
    expect(data.at(-1)).toBe('[DONE]');
    expect(data.slice(0, -2).every((d) => (JSON.parse(d) as { usage: unknown }).usage === null)).toBe(true);

    const withoutUsage = await openai.chat.completions.create({ model: 'gpt-4o', messages, stream: true });
    const plain = [];
    for await (const chunk of withoutUsage) plain.push(chunk);
    expect(plain.every((c) => c.usage === undefined && c.choices.length === 1)).toBe(true);
    expect(plain.at(-1)?.choices[0]?.finish_reason).toBe('stop');
  });

  it('rebuilds the completion with the stream helper', async () => {
    const openai = await client();
    const final = await openai.chat.completions
      .stream({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] })
      .finalChatCompletion();
    expect(final.choices[0]?.message.content).toBe('Hello from alpha.');
    expect(final.choices[0]?.finish_reason).toBe('stop');
  });

  it('calls a scripted tool, streamed and not, with arguments the SDK parses', async () => {
    const mock = await start({
      format: 'openai',
      toolCall: { name: 'get_weather', arguments: { city: 'Paris', unit: 'celsius' }, argumentChunks: 4 },
    });
    const openai = new OpenAI({ baseURL: `${mock.url}/v1`, apiKey: 'k', maxRetries: 0 });
    const request = { model: 'gpt-4o', messages: [{ role: 'user' as const, content: 'Weather in Paris?' }], tools: [weatherTool] };

    const parsed = await openai.chat.completions.parse(request);
    const call = parsed.choices[0]?.message.tool_calls?.[0];
    expect(parsed.choices[0]?.finish_reason).toBe('tool_calls');
    expect(call?.type === 'function' && call.function.parsed_arguments).toEqual({ city: 'Paris', unit: 'celsius' });

    const streamed = await openai.chat.completions.stream(request).finalChatCompletion();
    const streamedCall = streamed.choices[0]?.message.tool_calls?.[0];
    expect(streamed.choices[0]?.finish_reason).toBe('tool_calls');
    expect(streamedCall?.type === 'function' && streamedCall.function.parsed_arguments).toEqual({ city: 'Paris', unit: 'celsius' });
    expect(streamedCall?.id).toMatch(/^call_/);

    const raw = await rawRequest(`${mock.url}/v1/chat/completions`, { body: { ...request, stream: true } });
    const fragments = sseData(raw.body).filter((d) => d.includes('"arguments":"') && !d.includes('"name"'));
    expect(fragments).toHaveLength(4);
  });

  it('answers a tool result with text that quotes it, and rejects an orphan tool message', async () => {
    const mock = await start({ format: 'openai', name: 'alpha', toolCall: { name: 'get_weather', arguments: { city: 'Paris' } } });
    const openai = new OpenAI({ baseURL: `${mock.url}/v1`, apiKey: 'k', maxRetries: 0 });
    const first = await openai.chat.completions.create({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'Weather?' }],
      tools: [weatherTool],
    });
    const assistant = first.choices[0]!.message;
    const callId = assistant.tool_calls![0]!.id;
    const second = await openai.chat.completions.create({
      model: 'gpt-4o',
      tools: [weatherTool],
      messages: [
        { role: 'user', content: 'Weather?' },
        assistant,
        { role: 'tool', tool_call_id: callId, content: '21 degrees and sunny' },
      ],
    });
    expect(second.choices[0]?.message.content).toBe('Hello from alpha. The tool returned: 21 degrees and sunny');
    expect(second.choices[0]?.finish_reason).toBe('stop');

    const orphan = openai.chat.completions.create({
      model: 'gpt-4o',
      messages: [
        { role: 'user', content: 'Weather?' },
        { role: 'tool', tool_call_id: 'call_nope', content: 'x' },
      ],
    });
    await expect(orphan).rejects.toMatchObject({ status: 400, param: 'messages.[1].role' });
  });

  it('rejects roles other formats use, in OpenAI error shape', async () => {
    const openai = await client();
    const bad = openai.chat.completions.create({
      model: 'gpt-4o',
      messages: [{ role: 'model', content: 'x' } as unknown as OpenAI.ChatCompletionMessageParam],
    });
    await expect(bad).rejects.toMatchObject({ status: 400, code: 'invalid_value', type: 'invalid_request_error' });
  });

  it('returns deterministic embeddings, as floats and as the SDK default base64', async () => {
    const mock = await start({ format: 'openai', embeddingDimensions: 12 });
    const openai = new OpenAI({ baseURL: `${mock.url}/v1`, apiKey: 'k', maxRetries: 0 });
    const decoded = await openai.embeddings.create({ model: 'text-embedding-3-small', input: ['alpha', 'beta'] });
    expect(mock.requests[0]?.json).toMatchObject({ encoding_format: 'base64' });
    expect(decoded.data).toHaveLength(2);
    expect(decoded.data[1]?.index).toBe(1);
    expect(Array.from(decoded.data[0]!.embedding)).toEqual(Array.from(embeddingVector('alpha', 12)));

    const floats = await openai.embeddings.create({ model: 'text-embedding-3-small', input: 'alpha', encoding_format: 'float', dimensions: 5 });
    expect(floats.data[0]?.embedding).toHaveLength(5);
    const norm = Math.hypot(...floats.data[0]!.embedding);
    expect(norm).toBeCloseTo(1, 5);
    expect(floats.usage).toEqual({ prompt_tokens: 2, total_tokens: 2 });
  });

  it('lists its models and sends OpenAI headers', async () => {
    const mock = await start({ format: 'openai', models: ['m-1', 'm-2'] });
    const openai = new OpenAI({ baseURL: `${mock.url}/v1`, apiKey: 'k', maxRetries: 0 });
    const ids = [];
    for await (const model of openai.models.list()) ids.push(model.id);
    expect(ids).toEqual(['m-1', 'm-2']);
    const { data, response } = await openai.chat.completions
      .create({ model: 'm-1', messages: [{ role: 'user', content: 'x' }] })
      .withResponse();
    expect(data.id).toMatch(/^chatcmpl-/);
    expect(response.headers.get('x-request-id')).toMatch(/^req_/);
    expect(response.headers.get('x-ratelimit-remaining-requests')).toMatch(/^\d+$/);
    expect(response.headers.get('x-ratelimit-reset-requests')).toMatch(/^\d+(ms|s)$/);
  });

  it('rejects a wrong key with the SDK AuthenticationError', async () => {
    const openai = await client({ apiKey: 'sk-wrong-key' });
    const error: unknown = await openai.models.list().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(error).toMatchObject({ status: 401, code: 'invalid_api_key' });
  });
});

describe('openai mock as Azure OpenAI', () => {
  it('serves the AzureOpenAI client on deployment paths with api-key auth', async () => {
    const mock = await start({ format: 'openai', name: 'azure', apiKey: 'azure-key' });
    const azure = new AzureOpenAI({ endpoint: mock.url, apiKey: 'azure-key', apiVersion: '2024-10-21', deployment: 'my-gpt', maxRetries: 0 });
    const completion = await azure.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
    expect(completion.choices[0]?.message.content).toBe('Hello from azure.');
    const request = mock.requests[0]!;
    expect(request.path).toBe('/openai/deployments/my-gpt/chat/completions?api-version=2024-10-21');
    expect(request.headers['api-key']).toBe('azure-key');

    // Azure's stream opens with a chunk whose `choices` is empty; the SDK must cope.
    const raw = await rawRequest(`${mock.url}/openai/deployments/my-gpt/chat/completions?api-version=2024-10-21`, {
      headers: { 'api-key': 'azure-key' },
      body: { messages: [{ role: 'user', content: 'hi' }], stream: true },
    });
    expect(JSON.parse(sseData(raw.body)[0]!)).toMatchObject({ choices: [], prompt_filter_results: [{ prompt_index: 0 }] });
    const final = await azure.chat.completions.stream({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }).finalChatCompletion();
    expect(final.choices[0]?.message.content).toBe('Hello from azure.');

    const vectors = await azure.embeddings.create({ model: 'emb', input: 'x' });
    expect(vectors.data).toHaveLength(1);
  });

  it('answers Azure-shaped errors for a bad key or a missing api-version', async () => {
    const mock = await start({ format: 'openai', apiKey: 'azure-key' });
    const path = `${mock.url}/openai/deployments/d/chat/completions`;
    const body = { messages: [{ role: 'user', content: 'x' }] };
    const badKey = await rawRequest(`${path}?api-version=2024-10-21`, { body, headers: { 'api-key': 'nope' } });
    expect(badKey.status).toBe(401);
    expect(JSON.parse(badKey.body)).toMatchObject({ error: { code: '401' } });
    const noVersion = await rawRequest(path, { body, headers: { 'api-key': 'azure-key' } });
    expect(noVersion.status).toBe(404);
    expect(JSON.parse(noVersion.body)).toEqual({ error: { code: '404', message: 'Resource not found' } });
  });
});
