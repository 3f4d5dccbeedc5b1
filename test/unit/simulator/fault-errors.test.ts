/**
 * Error faults (status, rate_limit, context_length, client_error): each must produce the
 * real provider's status, body shape, wording and headers, for all three formats.
 */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { type FaultInput, type ProviderFormat } from '../../../lib/simulator/index.js';
import { modelCall, rawRequest, useMocks } from './support.js';

const start = useMocks();

type Json = Record<string, unknown> & { error: Record<string, unknown> };

async function faulted(format: ProviderFormat, ...faults: FaultInput[]) {
  const mock = await start({ format });
  mock.enqueue(...faults);
  const result = await rawRequest(...modelCall(format, mock.url));
  return { mock, result, json: JSON.parse(result.body) as Json };
}

const FORMATS: readonly ProviderFormat[] = ['openai', 'anthropic', 'gemini'];

describe('status fault', () => {
  const cases = FORMATS.flatMap((f) => [500, 502, 503, 529].map((s) => [f, s] as const));
  it.each(cases)('%s %i has the provider error shape', async (format, status) => {
    const { result, json } = await faulted(format, { kind: 'status', status });
    expect(result.status).toBe(status);
    expect(result.headers?.['content-type']).toMatch(/^application\/json/);
    if (format === 'openai') expect(json.error).toMatchObject({ message: expect.any(String) as unknown, type: expect.any(String) as unknown });
    if (format === 'anthropic') {
      expect(json).toMatchObject({ type: 'error', error: { type: status === 529 ? 'overloaded_error' : 'api_error' } });
      expect(json.request_id).toBe(result.headers?.['request-id']);
    }
    if (format === 'gemini') expect(json.error).toMatchObject({ code: status, status: expect.stringMatching(/^[A-Z_]+$/) as unknown });
  });

  it('defaults to 503 and lets the message and headers be set', async () => {
    const { result, json } = await faulted('openai', { kind: 'status', message: 'custom outage', headers: { 'x-extra': '1' } });
    expect(result.status).toBe(503);
    expect(json.error.message).toBe('custom outage');
    expect(result.headers?.['x-extra']).toBe('1');
  });

  it('is seen by the Anthropic SDK as an overloaded error', async () => {
    const mock = await start({ format: 'anthropic' });
    mock.enqueue({ kind: 'status', status: 529 });
    const anthropic = new Anthropic({ baseURL: mock.url, apiKey: 'k', maxRetries: 0 });
    const error: unknown = await anthropic.messages
      .create({ model: 'claude-haiku-4-5', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.APIError);
    expect(error).toMatchObject({ status: 529, error: { error: { type: 'overloaded_error', message: 'Overloaded' } } });
  });
});

describe('rate_limit fault', () => {
  it('sends OpenAI reset headers, Retry-After and retry-after-ms', async () => {
    const { result, json } = await faulted('openai', { kind: 'rate_limit', retryAfterSeconds: 2 });
    expect(result.status).toBe(429);
    expect(json.error).toMatchObject({ code: 'rate_limit_exceeded', type: 'requests' });
    expect(result.headers).toMatchObject({
      'retry-after': '2',
      'retry-after-ms': '2000',
      'x-ratelimit-remaining-requests': '0',
      'x-ratelimit-reset-requests': '2s',
    });
  });

  it('sends Anthropic RFC 3339 reset headers', async () => {
    const before = Date.now();
    const { result, json } = await faulted('anthropic', { kind: 'rate_limit', retryAfterSeconds: 30 });
    expect(result.status).toBe(429);
    expect(json).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
    const reset = String(result.headers?.['anthropic-ratelimit-requests-reset']);
    expect(reset).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(Date.parse(reset)).toBeGreaterThanOrEqual(before + 29_000);
    expect(Date.parse(reset)).toBeLessThanOrEqual(Date.now() + 31_000);
    expect(result.headers?.['anthropic-ratelimit-requests-remaining']).toBe('0');
    expect(result.headers?.['retry-after']).toBe('30');
  });

  it('puts the delay in a Gemini RetryInfo detail', async () => {
    const { result, json } = await faulted('gemini', { kind: 'rate_limit', retryAfterSeconds: 7 });
    expect(result.status).toBe(429);
    expect(json.error).toMatchObject({ code: 429, status: 'RESOURCE_EXHAUSTED' });
    expect(json.error.details).toContainEqual({ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '7s' });
  });

  it('writes Retry-After as an HTTP date, or leaves the retry headers out', async () => {
    const { result } = await faulted('openai', { kind: 'rate_limit', retryAfterSeconds: 5, retryAfter: 'http-date', retryAfterMs: false });
    const date = Date.parse(String(result.headers?.['retry-after']));
    expect(String(result.headers?.['retry-after'])).toMatch(/GMT$/);
    expect(date).toBeGreaterThan(Date.now() + 3_000);
    expect(result.headers?.['retry-after-ms']).toBeUndefined();

    const bare = await faulted('anthropic', { kind: 'rate_limit', retryAfter: 'none', retryAfterMs: false });
    expect(bare.result.headers?.['retry-after']).toBeUndefined();
    expect(bare.result.headers?.['anthropic-ratelimit-requests-reset']).toBeDefined();
  });

  it('is honoured by the OpenAI SDK retry logic', async () => {
    const mock = await start({ format: 'openai', name: 'retry' });
    mock.enqueue({ kind: 'rate_limit', retryAfterSeconds: 0.05 });
    const openai = new OpenAI({ baseURL: `${mock.url}/v1`, apiKey: 'k', maxRetries: 1 });
    const completion = await openai.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] });
    expect(completion.choices[0]?.message.content).toBe('Hello from retry.');
    expect(mock.requests.map((r) => r.fault)).toEqual(['rate_limit', undefined]);
  });
});

describe('context_length fault', () => {
  it('uses each provider’s own wording', async () => {
    const openai = await faulted('openai', { kind: 'context_length', promptTokens: 130_000, maxTokens: 128_000 });
    expect(openai.result.status).toBe(400);
    expect(openai.json.error).toEqual({
      message: "This model's maximum context length is 128000 tokens. However, your messages resulted in 130000 tokens. Please reduce the length of the messages.",
      type: 'invalid_request_error',
      param: 'messages',
      code: 'context_length_exceeded',
    });
    const anthropic = await faulted('anthropic', { kind: 'context_length', promptTokens: 208_656, maxTokens: 200_000 });
    expect(anthropic.result.status).toBe(400);
    expect(anthropic.json.error).toEqual({ type: 'invalid_request_error', message: 'prompt is too long: 208656 tokens > 200000 maximum' });
    const gemini = await faulted('gemini', { kind: 'context_length', promptTokens: 1_200_293, maxTokens: 1_048_576 });
    expect(gemini.result.status).toBe(400);
    expect(gemini.json.error).toEqual({
      code: 400,
      message: 'The input token count (1200293) exceeds the maximum number of tokens allowed (1048576).',
      status: 'INVALID_ARGUMENT',
    });
  });

  it('happens by itself when a prompt exceeds maxContextTokens', async () => {
    const mock = await start({ format: 'anthropic', maxContextTokens: 3 });
    const call = (text: string) =>
      rawRequest(`${mock.url}/v1/messages`, {
        headers: { 'anthropic-version': '2023-06-01' },
        body: { model: 'claude-haiku-4-5', max_tokens: 5, messages: [{ role: 'user', content: text }] },
      });
    expect((await call('short')).status).toBe(200);
    const long = await call('x'.repeat(40));
    expect(long.status).toBe(400);
    expect(JSON.parse(long.body)).toMatchObject({ error: { message: 'prompt is too long: 10 tokens > 3 maximum' } });
  });
});

describe('client_error fault', () => {
  it('renders 400, 401, 403 and 404 in each shape', async () => {
    for (const format of FORMATS) {
      for (const status of [400, 401, 403, 404]) {
        const { result, json } = await faulted(format, { kind: 'client_error', status });
        expect(result.status).toBe(status);
        if (format === 'gemini') expect(json.error.code).toBe(status);
        else expect(typeof json.error.message).toBe('string');
      }
    }
    const unauthorized = await faulted('anthropic', { kind: 'client_error', status: 401 });
    expect(unauthorized.json.error.type).toBe('authentication_error');
  });

  it('maps to the OpenAI SDK error classes', async () => {
    const mock = await start({ format: 'openai' });
    mock.enqueue({ kind: 'client_error', status: 404 });
    const openai = new OpenAI({ baseURL: `${mock.url}/v1`, apiKey: 'k', maxRetries: 0 });
    const error: unknown = await openai.chat.completions
      .create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect(error).toMatchObject({ code: 'model_not_found' });
  });
});
