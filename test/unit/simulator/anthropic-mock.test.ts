/**
 * The Anthropic mock, judged by the official `@anthropic-ai/sdk`: its MessageStream
 * accumulator must rebuild text and tool-use messages from the mock's event sequence.
 */
import Anthropic from '@anthropic-ai/sdk';
import { describe, expect, it } from 'vitest';
import { rawRequest, sseData, sseEvents, useMocks } from './support.js';

const start = useMocks();

const weatherTool = {
  name: 'get_weather',
  description: 'Weather for a city',
  input_schema: { type: 'object' as const, properties: { city: { type: 'string' } }, required: ['city'] },
};

async function client(options: { chunks?: number } = {}): Promise<{ anthropic: Anthropic; url: string }> {
  const mock = await start({ format: 'anthropic', name: 'claude-sim', apiKey: 'sk-ant-test', chunks: options.chunks ?? 4 });
  return { anthropic: new Anthropic({ baseURL: mock.url, apiKey: 'sk-ant-test', maxRetries: 0 }), url: mock.url };
}

describe('anthropic mock with the @anthropic-ai/sdk', () => {
  it('answers a non-streamed message', async () => {
    const { anthropic } = await client();
    const message = await anthropic.messages.create({
      model: 'claude-sonnet-4-6',
      max_tokens: 100,
      system: 'Be brief.',
      messages: [{ role: 'user', content: 'Say hello.' }],
    });
    expect(message).toMatchObject({
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-6',
      content: [{ type: 'text', text: 'Hello from claude-sim.' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
    });
    expect(message.id).toMatch(/^msg_/);
    // "Be brief." + "Say hello." = 19 characters -> 5 tokens; the 22-character reply -> 6.
    expect(message.usage).toMatchObject({ input_tokens: 5, output_tokens: 6 });
  });

  it('streams the documented event sequence', async () => {
    const { url } = await client({ chunks: 3 });
    const raw = await rawRequest(`${url}/v1/messages`, {
      headers: { 'anthropic-version': '2023-06-01', 'x-api-key': 'sk-ant-test' },
      body: { model: 'claude-haiku-4-5', max_tokens: 50, stream: true, messages: [{ role: 'user', content: 'hi' }] },
    });
    expect(raw.headers?.['content-type']).toMatch(/^text\/event-stream/);
    expect(sseEvents(raw.body)).toEqual([
      'message_start',
      'content_block_start',
      'ping',
      'content_block_delta',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    const delta = sseData(raw.body).map((d) => JSON.parse(d) as { type: string; usage?: unknown; delta?: unknown });
    expect(delta.find((e) => e.type === 'message_delta')).toMatchObject({
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { output_tokens: 6 },
    });
  });

  it('rebuilds the message with messages.stream().finalMessage() and the raw stream', async () => {
    const { anthropic } = await client();
    const stream = anthropic.messages.stream({ model: 'claude-sonnet-4-6', max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] });
    const texts: string[] = [];
    stream.on('text', (text) => texts.push(text));
    const final = await stream.finalMessage();
    expect(texts).toHaveLength(4);
    expect(final.content).toEqual([{ type: 'text', text: 'Hello from claude-sim.' }]);
    expect(final.stop_reason).toBe('end_turn');
    expect(final.usage.output_tokens).toBe(6);

    const events = await anthropic.messages.create({
      model: 'claude-sonnet-4-6',
      max_tokens: 64,
      stream: true,
      messages: [{ role: 'user', content: 'hi' }],
    });
    const types: string[] = [];
    for await (const event of events) types.push(event.type);
    expect(types[0]).toBe('message_start');
    expect(types.at(-1)).toBe('message_stop');
  });

  it('calls a scripted tool with input_json_delta fragments, after preamble text', async () => {
    const mock = await start({
      format: 'anthropic',
      toolCall: { name: 'get_weather', arguments: { city: 'Paris' }, preamble: 'Let me check.', argumentChunks: 3 },
    });
    const anthropic = new Anthropic({ baseURL: mock.url, apiKey: 'k', maxRetries: 0 });
    const request = {
      model: 'claude-sonnet-4-6',
      max_tokens: 64,
      tools: [weatherTool],
      messages: [{ role: 'user' as const, content: 'Weather in Paris?' }],
    };
    const message = await anthropic.messages.create(request);
    expect(message.stop_reason).toBe('tool_use');
    expect(message.content).toEqual([
      { type: 'text', text: 'Let me check.' },
      { type: 'tool_use', id: expect.stringMatching(/^toolu_/) as unknown, name: 'get_weather', input: { city: 'Paris' } },
    ]);

    const stream = anthropic.messages.stream(request);
    const jsonSnapshots: unknown[] = [];
    stream.on('inputJson', (_partial, snapshot) => jsonSnapshots.push(snapshot));
    const final = await stream.finalMessage();
    expect(final.content[1]).toMatchObject({ type: 'tool_use', name: 'get_weather', input: { city: 'Paris' } });
    expect(jsonSnapshots).toHaveLength(3);
    expect(final.stop_reason).toBe('tool_use');
  });

  it('answers a tool result with text that quotes it', async () => {
    const mock = await start({ format: 'anthropic', name: 'claude-sim', toolCall: { name: 'get_weather', arguments: { city: 'Paris' } } });
    const anthropic = new Anthropic({ baseURL: mock.url, apiKey: 'k', maxRetries: 0 });
    const first = await anthropic.messages.create({
      model: 'claude-sonnet-4-6',
      max_tokens: 64,
      tools: [weatherTool],
      messages: [{ role: 'user', content: 'Weather?' }],
    });
    const use = first.content.find((b) => b.type === 'tool_use');
    const second = await anthropic.messages.create({
      model: 'claude-sonnet-4-6',
      max_tokens: 64,
      tools: [weatherTool],
      messages: [
        { role: 'user', content: 'Weather?' },
        { role: 'assistant', content: first.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: use!.type === 'tool_use' ? use!.id : '', content: '18 and cloudy' }] },
      ],
    });
    expect(second.content).toEqual([{ type: 'text', text: 'Hello from claude-sim. The tool returned: 18 and cloudy' }]);
  });

  it('rejects what the real API rejects, in Anthropic error shape', async () => {
    const { anthropic, url } = await client();
    const systemRole = anthropic.messages.create({
      model: 'claude-sonnet-4-6',
      max_tokens: 10,
      messages: [{ role: 'system', content: 'x' } as unknown as Anthropic.MessageParam],
    });
    await expect(systemRole).rejects.toMatchObject({ status: 400, error: { type: 'error', error: { type: 'invalid_request_error' } } });

    const unanswered = anthropic.messages.create({
      model: 'claude-sonnet-4-6',
      max_tokens: 10,
      messages: [
        { role: 'user', content: 'x' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'f', input: {} }] },
        { role: 'user', content: 'no result here' },
      ],
    });
    await expect(unanswered).rejects.toThrow(/tool_use` ids were found without `tool_result` blocks immediately after: toolu_1/);

    const noMaxTokens = await rawRequest(`${url}/v1/messages`, {
      headers: { 'anthropic-version': '2023-06-01', 'x-api-key': 'sk-ant-test' },
      body: { model: 'claude-sonnet-4-6', messages: [{ role: 'user', content: 'x' }] },
    });
    expect(noMaxTokens.status).toBe(400);
    expect(JSON.parse(noMaxTokens.body)).toMatchObject({ type: 'error', error: { message: 'max_tokens: Field required' } });
  });

  it('requires anthropic-version and accepts the key as x-api-key or Bearer', async () => {
    const { url } = await client();
    const body = { model: 'claude-sonnet-4-6', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] };
    const noVersion = await rawRequest(`${url}/v1/messages`, { headers: { 'x-api-key': 'sk-ant-test' }, body });
    expect(noVersion.status).toBe(400);
    const parsed = JSON.parse(noVersion.body) as { request_id: string };
    expect(parsed).toMatchObject({ type: 'error', error: { type: 'invalid_request_error', message: 'anthropic-version: header is required' } });
    expect(parsed.request_id).toBe(noVersion.headers?.['request-id']);

    const version = { 'anthropic-version': '2023-06-01' };
    expect((await rawRequest(`${url}/v1/messages`, { headers: { ...version, 'x-api-key': 'sk-ant-test' }, body })).status).toBe(200);
    expect((await rawRequest(`${url}/v1/messages`, { headers: { ...version, authorization: 'Bearer sk-ant-test' }, body })).status).toBe(200);
    const wrong = await rawRequest(`${url}/v1/messages`, { headers: { ...version, 'x-api-key': 'nope' }, body });
    expect(wrong.status).toBe(401);
    expect(JSON.parse(wrong.body)).toMatchObject({ error: { type: 'authentication_error' } });
  });

  it('lists models and sends request-id and rate-limit headers', async () => {
    const mock = await start({ format: 'anthropic', models: ['claude-a', 'claude-b'] });
    const anthropic = new Anthropic({ baseURL: mock.url, apiKey: 'k', maxRetries: 0 });
    const ids: string[] = [];
    for await (const model of anthropic.models.list()) ids.push(model.id);
    expect(ids).toEqual(['claude-a', 'claude-b']);
    const { response } = await anthropic.messages
      .create({ model: 'claude-a', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] })
      .withResponse();
    expect(response.headers.get('request-id')).toMatch(/^req_/);
    expect(response.headers.get('anthropic-ratelimit-requests-reset')).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(response.headers.get('anthropic-ratelimit-output-tokens-remaining')).toMatch(/^\d+$/);
  });
});
