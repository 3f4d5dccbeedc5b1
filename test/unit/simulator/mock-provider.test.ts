/**
 * The mock server itself: recording, concurrency counts, runtime behaviour changes,
 * fault scheduling, pacing, and a close() that never leaves a test hanging.
 */
import { describe, expect, it } from 'vitest';
import { reservePort, startMockProvider, type ProviderFormat } from '../../../lib/simulator/index.js';
import { rawModelCall, rawRequest, sseData, useMocks } from './support.js';

const start = useMocks();
const FORMATS: readonly ProviderFormat[] = ['openai', 'anthropic', 'gemini'];

describe('recording', () => {
  it('records method, path with query, headers, raw body, parsed JSON and time', async () => {
    const mock = await start({ format: 'gemini' });
    const before = Date.now();
    await rawRequest(`${mock.url}/v1beta/models/gemini-2.5-flash:generateContent?key=abc`, {
      headers: { 'x-trace': 't-1' },
      body: { contents: [{ parts: [{ text: 'hi' }] }] },
    });
    await rawRequest(`${mock.url}/v1beta/models/gemini-2.5-flash:generateContent`, { body: 'not json{' });
    const [first, second] = await mock.waitForRequests(2);
    expect(first).toMatchObject({ method: 'POST', path: '/v1beta/models/gemini-2.5-flash:generateContent?key=abc' });
    expect(first?.headers['x-trace']).toBe('t-1');
    expect(first?.json).toEqual({ contents: [{ parts: [{ text: 'hi' }] }] });
    expect(first?.body.toString()).toBe(JSON.stringify({ contents: [{ parts: [{ text: 'hi' }] }] }));
    expect(first?.time).toBeGreaterThanOrEqual(before);
    expect(second?.json).toBeUndefined();
    expect(second?.body.toString()).toBe('not json{');
  });

  it('counts concurrent requests in inFlight and maxInFlight', async () => {
    const mock = await start({ format: 'openai', firstByteDelayMs: 300 });
    const calls = Array.from({ length: 5 }, () => rawModelCall('openai', mock.url, false));
    await mock.waitForRequests(5);
    expect(mock.inFlight).toBe(5);
    const results = await Promise.all(calls);
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(mock.inFlight).toBe(0);
    expect(mock.maxInFlight).toBe(5);
    mock.reset();
    expect(mock.requests).toEqual([]);
    expect(mock.maxInFlight).toBe(0);
  });

  it('rejects waitForRequests after its timeout', async () => {
    const mock = await start({ format: 'openai' });
    await expect(mock.waitForRequests(1, 50)).rejects.toThrow(/0 of 1 requests/);
  });
});

describe('behaviour', () => {
  it('changes text, chunking and tool calls at runtime', async () => {
    const mock = await start({ format: 'openai', name: 'dyn' });
    mock.setBehavior({ text: 'Bonjour tout le monde', chunks: 2 });
    const stream = await rawModelCall('openai', mock.url, true);
    const contents = sseData(stream.body)
      .filter((d) => d.includes('"content":"') && !d.includes('"role"'))
      .map((d) => (JSON.parse(d) as { choices: [{ delta: { content: string } }] }).choices[0].delta.content);
    expect(contents).toEqual(['Bonjour to', 'ut le monde']);

    mock.setBehavior({ toolCall: { name: 'f', arguments: '{"a":1}', force: true } });
    const called = JSON.parse((await rawModelCall('openai', mock.url, false)).body) as { choices: [{ finish_reason: string }] };
    expect(called.choices[0].finish_reason).toBe('tool_calls');
    mock.setBehavior({ toolCall: undefined, text: undefined });
    const plain = JSON.parse((await rawModelCall('openai', mock.url, false)).body) as { choices: [{ message: { content: string } }] };
    expect(plain.choices[0].message.content).toBe('Hello from dyn.');
    expect(() => mock.setBehavior({ chunks: 0 })).toThrow(RangeError);
    expect(() => mock.setBehavior({ toolCall: { name: 'f', arguments: '{broken' } })).toThrow(RangeError);
  });

  it('renders finishReason length and usage overrides in every format', async () => {
    const reasons: Record<ProviderFormat, string> = {
      openai: '"finish_reason":"length"',
      anthropic: '"stop_reason":"max_tokens"',
      gemini: '"finishReason":"MAX_TOKENS"',
    };
    for (const format of FORMATS) {
      const mock = await start({ format, finishReason: 'length', usage: { inputTokens: 111, outputTokens: 222 } });
      const result = await rawModelCall(format, mock.url, false);
      expect(result.body).toContain(reasons[format]);
      expect(result.body).toMatch(/111/);
      expect(result.body).toMatch(/222/);
    }
  });

  it('rejects unknown models only when asked to', async () => {
    const mock = await start({ format: 'anthropic', models: ['claude-haiku-4-5'] });
    const body = (model: string) => ({ model, max_tokens: 5, messages: [{ role: 'user', content: 'x' }] });
    const headers = { 'anthropic-version': '2023-06-01' };
    expect((await rawRequest(`${mock.url}/v1/messages`, { headers, body: body('other') })).status).toBe(200);
    mock.setBehavior({ rejectUnknownModels: true });
    const rejected = await rawRequest(`${mock.url}/v1/messages`, { headers, body: body('other') });
    expect(rejected.status).toBe(404);
    expect(JSON.parse(rejected.body)).toMatchObject({ error: { type: 'not_found_error', message: 'model: other' } });
  });

  it.each(FORMATS)('%s: answers unknown paths and broken JSON in its own error shape', async (format) => {
    const mock = await start({ format });
    const missing = await rawRequest(`${mock.url}/nope`, { headers: { 'anthropic-version': '2023-06-01' } });
    expect(missing.status).toBe(404);
    const broken = await rawModelCall(format, mock.url, false, { body: '{"model": ' });
    expect(broken.status).toBe(400);
    const json = JSON.parse(broken.body) as { type?: string; error: { message: string; code?: number } };
    if (format === 'anthropic') expect(json.type).toBe('error');
    if (format === 'gemini') expect(json.error.code).toBe(400);
    expect(json.error.message).toEqual(expect.any(String));
  });

  it('serves single-model lookups and token counts', async () => {
    const openai = await start({ format: 'openai', models: ['m-1'] });
    expect(JSON.parse((await rawRequest(`${openai.url}/v1/models/m-1`)).body)).toMatchObject({ id: 'm-1', object: 'model' });
    expect((await rawRequest(`${openai.url}/v1/models/m-2`)).status).toBe(404);

    const anthropic = await start({ format: 'anthropic' });
    const count = await rawRequest(`${anthropic.url}/v1/messages/count_tokens`, {
      headers: { 'anthropic-version': '2023-06-01' },
      body: { model: 'claude-haiku-4-5', system: 'abcd', messages: [{ role: 'user', content: 'efgh' }] },
    });
    expect(JSON.parse(count.body)).toEqual({ input_tokens: 2 });

    const gemini = await start({ format: 'gemini', maxContextTokens: 5000 });
    const model = JSON.parse((await rawRequest(`${gemini.url}/v1beta/models/gemini-2.5-pro`)).body) as Record<string, unknown>;
    expect(model).toMatchObject({ name: 'models/gemini-2.5-pro', inputTokenLimit: 5000 });
    const tokens = await rawRequest(`${gemini.url}/v1beta/models/gemini-2.5-pro:countTokens`, {
      body: { contents: [{ parts: [{ text: 'abcdefgh' }] }] },
    });
    expect(JSON.parse(tokens.body)).toMatchObject({ totalTokens: 2 });
    expect(gemini.requests).toHaveLength(2);
  });

  it('delays the first byte and paces the chunks', async () => {
    const mock = await start({ format: 'anthropic', firstByteDelayMs: 80, chunkDelayMs: 30, chunks: 2 });
    const result = await rawModelCall('anthropic', mock.url, true);
    expect(result.chunkTimes[0]).toBeGreaterThanOrEqual(70);
    const total = result.chunkTimes.at(-1)! - result.chunkTimes[0]!;
    // 9 events, 8 gaps of 30 ms.
    expect(total).toBeGreaterThanOrEqual(8 * 25);
  });
});

describe('faults scheduling', () => {
  it('applies queued faults in order, one per request, and records them', async () => {
    const mock = await start({ format: 'openai' });
    mock.enqueue({ kind: 'status', status: 500 }, 'rate_limit');
    expect(mock.pendingFaults).toBe(2);
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await rawModelCall('openai', mock.url, false)).status);
    expect(statuses).toEqual([500, 429, 200]);
    expect(mock.requests.map((r) => r.fault)).toEqual(['status', 'rate_limit', undefined]);
    expect(() => mock.enqueue('no_such_fault' as 'status')).toThrow(RangeError);
  });

  it('keeps a generate-scoped fault for the next model call', async () => {
    const mock = await start({ format: 'openai' });
    mock.enqueue({ kind: 'status', status: 502, scope: 'generate' });
    expect((await rawRequest(`${mock.url}/v1/models`)).status).toBe(200);
    expect((await rawModelCall('openai', mock.url, false)).status).toBe(502);
  });

  it('draws random faults with their probability', async () => {
    const draws = [0.1, 0.9, 0.3];
    const mock = await start({
      format: 'gemini',
      faults: [{ fault: { kind: 'status', status: 500 }, probability: 0.5 }],
      random: () => draws.shift() ?? 1,
    });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await rawModelCall('gemini', mock.url, false)).status);
    expect(statuses).toEqual([500, 200, 500]);
    mock.setBehavior({ faults: [{ fault: 'client_error', probability: 1 }] });
    expect((await rawModelCall('gemini', mock.url, false)).status).toBe(400);
    mock.setBehavior({ faults: [] });
    expect((await rawModelCall('gemini', mock.url, false)).status).toBe(200);
  });
});

describe('lifecycle', () => {
  it('close() ends hung requests at once, and the port refuses afterwards', async () => {
    const mock = await startMockProvider({ format: 'anthropic' });
    mock.enqueue('hang_before_headers');
    const pending = rawModelCall('anthropic', mock.url, false, { timeoutMs: 5_000 });
    await mock.waitForRequests(1);
    await mock.close();
    const result = await pending;
    expect(result.timedOut).toBe(false);
    expect(result.error).toBeDefined();
    const after = await rawModelCall('anthropic', mock.url, false);
    expect(after.error?.code).toBe('ECONNREFUSED');
    await mock.close();
  });

  it('reservePort gives a dead port, and a mock can be started on a chosen port', async () => {
    const port = await reservePort();
    const dead = await rawRequest(`http://127.0.0.1:${port}/v1/models`);
    expect(dead.error?.code).toBe('ECONNREFUSED');
    const mock = await start({ format: 'openai', port });
    expect(mock.port).toBe(port);
    expect(mock.url).toBe(`http://127.0.0.1:${port}`);
    expect((await rawRequest(`${mock.url}/v1/models`)).status).toBe(200);
  });

  it('gives different ids to different mocks', async () => {
    const a = await start({ format: 'openai' });
    const b = await start({ format: 'openai' });
    const idA = (JSON.parse((await rawModelCall('openai', a.url, false)).body) as { id: string }).id;
    const idB = (JSON.parse((await rawModelCall('openai', b.url, false)).body) as { id: string }).id;
    expect(idA).not.toBe(idB);
  });
});
