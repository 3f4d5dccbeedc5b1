/**
 * Transport and body faults: hangs, resets, slow drips, garbage and wrong content types.
 * Each is observed from the client side, raw (to see exactly which bytes arrived) and
 * through an official SDK (to see that a real client notices).
 */
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';
import { describe, expect, it, vi } from 'vitest';
import { type ProviderFormat } from '../../../lib/simulator/index.js';
import { rawModelCall, sseData, useMocks } from './support.js';

const start = useMocks();
const FORMATS: readonly ProviderFormat[] = ['openai', 'anthropic', 'gemini'];

describe('hang_before_headers', () => {
  it('never answers; the client times out and the mock frees the slot', async () => {
    const mock = await start({ format: 'openai' });
    mock.enqueue('hang_before_headers');
    const result = await rawModelCall('openai', mock.url, false, { timeoutMs: 150 });
    expect(result.timedOut).toBe(true);
    expect(result.status).toBeUndefined();
    expect(mock.requests[0]?.fault).toBe('hang_before_headers');
    await vi.waitFor(() => expect(mock.inFlight).toBe(0));
    expect(mock.maxInFlight).toBe(1);
  });

  it('surfaces as a timeout in the OpenAI SDK', async () => {
    const mock = await start({ format: 'openai' });
    mock.enqueue('hang_before_headers');
    const openai = new OpenAI({ baseURL: `${mock.url}/v1`, apiKey: 'k', maxRetries: 0, timeout: 200 });
    const error: unknown = await openai.chat.completions
      .create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.APIConnectionTimeoutError);
  });
});

describe('hang_mid_stream', () => {
  it.each(FORMATS)('%s: sends headers and the first events, then stalls', async (format) => {
    const mock = await start({ format, chunks: 4 });
    mock.enqueue({ kind: 'hang_mid_stream', afterChunks: 2 });
    const result = await rawModelCall(format, mock.url, true, { timeoutMs: 250 });
    expect(result.status).toBe(200);
    expect(result.timedOut).toBe(true);
    expect(sseData(result.body)).toHaveLength(2);
  });

  it('withholds the end of the body when afterChunks exceeds the events', async () => {
    const mock = await start({ format: 'openai', chunks: 2 });
    mock.enqueue({ kind: 'hang_mid_stream', afterChunks: 100 });
    const result = await rawModelCall('openai', mock.url, true, { timeoutMs: 200 });
    expect(sseData(result.body).at(-1)).toBe('[DONE]');
    expect(result.timedOut).toBe(true);
  });

  it('cuts a plain JSON answer part-way', async () => {
    const mock = await start({ format: 'anthropic' });
    mock.enqueue({ kind: 'hang_mid_stream', afterChunks: 1 });
    const result = await rawModelCall('anthropic', mock.url, false, { timeoutMs: 200 });
    expect(result.status).toBe(200);
    expect(result.timedOut).toBe(true);
    expect(result.body.length).toBeGreaterThan(0);
    expect(() => JSON.parse(result.body) as unknown).toThrow();
  });
});

describe('reset_before_headers', () => {
  it('resets the connection before any byte', async () => {
    const mock = await start({ format: 'gemini' });
    mock.enqueue('reset_before_headers');
    const result = await rawModelCall('gemini', mock.url, false);
    expect(result.status).toBeUndefined();
    expect(result.error?.code).toBe('ECONNRESET');
  });

  it('surfaces as a connection error in the OpenAI SDK', async () => {
    const mock = await start({ format: 'openai' });
    mock.enqueue('reset_before_headers');
    const openai = new OpenAI({ baseURL: `${mock.url}/v1`, apiKey: 'k', maxRetries: 0 });
    const error: unknown = await openai.models.list().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.APIConnectionError);
  });
});

describe('reset_mid_stream', () => {
  it.each(FORMATS)('%s: sends the first events, then drops the connection', async (format) => {
    const mock = await start({ format, chunks: 4 });
    mock.enqueue({ kind: 'reset_mid_stream', afterChunks: 1 });
    const result = await rawModelCall(format, mock.url, true, { timeoutMs: 2_000 });
    expect(result.status).toBe(200);
    expect(result.timedOut).toBe(false);
    expect(result.error).toBeDefined();
    expect(sseData(result.body)).toHaveLength(1);
  });

  it('breaks the Anthropic SDK stream after the first events arrived', async () => {
    const mock = await start({ format: 'anthropic', chunks: 4 });
    mock.enqueue({ kind: 'reset_mid_stream', afterChunks: 3 });
    const anthropic = new Anthropic({ baseURL: mock.url, apiKey: 'k', maxRetries: 0, timeout: 2_000 });
    const stream = await anthropic.messages.create({
      model: 'claude-haiku-4-5',
      max_tokens: 10,
      stream: true,
      messages: [{ role: 'user', content: 'x' }],
    });
    const seen: string[] = [];
    const consume = async (): Promise<void> => {
      for await (const event of stream) seen.push(event.type);
    };
    await expect(consume()).rejects.toThrow();
    // message_start, content_block_start, then ping is skipped by the SDK.
    expect(seen).toEqual(['message_start', 'content_block_start']);
  });
});

describe('slow_drip', () => {
  it('sends one event every intervalMs and still finishes the answer', async () => {
    const mock = await start({ format: 'openai', chunks: 3 });
    mock.enqueue({ kind: 'slow_drip', intervalMs: 60 });
    const result = await rawModelCall('openai', mock.url, true);
    const events = sseData(result.body);
    expect(events.at(-1)).toBe('[DONE]');
    // role + 3 content + finish + [DONE], each after the previous by at least the interval.
    expect(result.chunkTimes).toHaveLength(6);
    for (let i = 1; i < result.chunkTimes.length; i++) {
      expect(result.chunkTimes[i]! - result.chunkTimes[i - 1]!).toBeGreaterThanOrEqual(50);
    }
  });

  it('drips a plain JSON answer too', async () => {
    const mock = await start({ format: 'gemini', chunks: 3 });
    mock.enqueue({ kind: 'slow_drip', intervalMs: 40 });
    const result = await rawModelCall('gemini', mock.url, false);
    expect(result.chunks.length).toBe(3);
    expect(JSON.parse(result.body)).toMatchObject({ candidates: [{ finishReason: 'STOP' }] });
  });
});

describe('garbage_body', () => {
  it('answers 200 with JSON that does not parse', async () => {
    const mock = await start({ format: 'openai' });
    mock.enqueue('garbage_body');
    const result = await rawModelCall('openai', mock.url, false);
    expect(result.status).toBe(200);
    expect(result.headers?.['content-type']).toBe('application/json');
    expect(() => JSON.parse(result.body) as unknown).toThrow();
  });

  it('answers 200 with SSE whose data is not JSON, which the Gemini SDK rejects', async () => {
    const mock = await start({ format: 'gemini' });
    mock.enqueue('garbage_body');
    const ai = new GoogleGenAI({ apiKey: 'k', httpOptions: { baseUrl: mock.url } });
    const consume = async (): Promise<void> => {
      for await (const chunk of await ai.models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'x' })) {
        expect(chunk).toBeDefined();
      }
    };
    await expect(consume()).rejects.toThrow();
  });
});

describe('wrong_content_type', () => {
  it('answers 200 text/html', async () => {
    const mock = await start({ format: 'anthropic' });
    mock.enqueue('wrong_content_type');
    const result = await rawModelCall('anthropic', mock.url, true);
    expect(result.status).toBe(200);
    expect(result.headers?.['content-type']).toBe('text/html; charset=utf-8');
    expect(result.body).toMatch(/^<!DOCTYPE html>/);
  });
});
