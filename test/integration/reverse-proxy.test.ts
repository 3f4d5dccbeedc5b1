import { afterEach, describe, expect, it, vi } from 'vitest';
import { request as httpRequest, createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { reservePort } from '../../lib/simulator/index.js';
import { PROVIDER_KEY, post, startHarness, type Harness } from '../helpers/harness.js';

const MSG = (model: string): string => JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] });

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const twoTargets = `routes:
  chat:
    strategy: round_robin
    targets:
      - { provider: a, model: model-a }
      - { provider: b, model: model-b }
  emb:
    targets:
      - { provider: a, model: text-embedding-3-small }
`;

describe('reverse proxy: OpenAI format pass-through', () => {
  it('forwards the body byte-identical except `model`, and swaps the client key for the provider key', async () => {
    harness = await startHarness({ mocks: { a: { format: 'openai' }, b: { format: 'openai' } }, policy: twoTargets });
    const body = '{\n  "messages" : [ {"role":"user","content":"héllo \\"model\\": 翻译 🚀"} ],\n  "model":  "chat",\n  "temperature":0.30000,\n  "n":1}';
    const response = await post(`${harness.url}/v1/chat/completions`, body, { authorization: 'Bearer sk-client-key', 'x-custom': 'kept' });
    expect(response.status).toBe(200);
    const target = response.headers.get('x-llmux-target');
    const mock = target === 'a/model-a' ? harness.mocks.a! : harness.mocks.b!;
    const model = target === 'a/model-a' ? 'model-a' : 'model-b';
    const [received] = mock.requests;
    expect(received!.body.toString('utf8')).toBe(body.replace('"chat"', `"${model}"`));
    expect(received!.headers.authorization).toBe(`Bearer ${PROVIDER_KEY}`);
    expect(JSON.stringify(received!.headers)).not.toContain('sk-client-key');
    expect(received!.headers['x-custom']).toBe('kept');
    expect(received!.path).toBe('/v1/chat/completions');
  });

  it('sets the x-llmux-* response headers and passes the upstream answer through', async () => {
    harness = await startHarness({ mocks: { a: { format: 'openai', text: 'Bonjour.' }, b: { format: 'openai', text: 'Bonjour.' } }, policy: twoTargets });
    const response = await post(`${harness.url}/v1/chat/completions`, JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'hi' }] }));
    expect(response.headers.get('x-llmux-route')).toBe('chat');
    expect(response.headers.get('x-llmux-target')).toMatch(/^(a\/model-a|b\/model-b)$/);
    expect(response.headers.get('x-llmux-attempts')).toMatch(/^1; (a\/model-a|b\/model-b)=ok$/);
    expect(response.headers.get('x-llmux-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(Number(response.headers.get('x-llmux-overhead-ms'))).toBeGreaterThanOrEqual(0);
    expect((response.json as { choices: { message: { content: string } }[] }).choices[0]!.message.content).toBe('Bonjour.');
  });

  it('alternates targets with round_robin', async () => {
    harness = await startHarness({ mocks: { a: { format: 'openai' }, b: { format: 'openai' } }, policy: twoTargets });
    const targets: string[] = [];
    for (let i = 0; i < 4; i++) {
      const r = await post(`${harness.url}/v1/chat/completions`, JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'x' }] }));
      targets.push(r.headers.get('x-llmux-target')!);
    }
    expect(targets).toEqual(['a/model-a', 'b/model-b', 'a/model-a', 'b/model-b']);
  });

  it('sticks each client to one target with hash on a header, its API key included, which is hashed but never sent on', async () => {
    const sticky = `routes:
  chat:
    strategy: { type: hash, key: "header:authorization" }
    targets:
      - { provider: a, model: model-a }
      - { provider: b, model: model-b }
`;
    harness = await startHarness({ mocks: { a: { format: 'openai' }, b: { format: 'openai' } }, policy: sticky });
    const targetsOf = async (key: string): Promise<Set<string>> => {
      const seen = new Set<string>();
      for (let i = 0; i < 4; i++) seen.add((await post(`${harness!.url}/v1/chat/completions`, MSG('chat'), { authorization: `Bearer ${key}` })).headers.get('x-llmux-target')!);
      return seen;
    };
    const byKey = await Promise.all(Array.from({ length: 8 }, (_, i) => targetsOf(`sk-client-${i}`)));
    // Each key keeps one target; eight keys do not all land on the same one.
    expect(byKey.every((seen) => seen.size === 1)).toBe(true);
    expect(new Set(byKey.map((seen) => [...seen][0])).size).toBe(2);
    for (const mock of [harness.mocks.a!, harness.mocks.b!]) {
      for (const received of mock.requests) expect(received.headers.authorization).toBe(`Bearer ${PROVIDER_KEY}`);
    }
  });

  it('serves the openai SDK, streamed and not', async () => {
    harness = await startHarness({ mocks: { a: { format: 'openai', text: 'One two three four.' }, b: { format: 'openai', text: 'One two three four.' } }, policy: twoTargets });
    const client = new OpenAI({ baseURL: `${harness.url}/v1`, apiKey: 'sk-client', maxRetries: 0 });
    const plain = await client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'count' }] });
    expect(plain.choices[0]!.message.content).toBe('One two three four.');
    const stream = client.chat.completions.stream({ model: 'chat', messages: [{ role: 'user', content: 'count' }], stream_options: { include_usage: true } });
    const final = await stream.finalChatCompletion();
    expect(final.choices[0]!.message.content).toBe('One two three four.');
    expect(final.usage?.completion_tokens).toBeGreaterThan(0);
  });

  it('streams chunks to the client as they are produced, not after the upstream finished', async () => {
    harness = await startHarness({
      mocks: { a: { format: 'openai', text: 'a b c d e', chunks: 5, chunkDelayMs: 300 }, b: { format: 'openai' } },
      policy: `routes:\n  slow:\n    targets: [{ provider: a, model: m }]\n`,
    });
    const response = await fetch(`${harness.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'slow', stream: true, messages: [{ role: 'user', content: 'x' }] }),
    });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const reader = response.body!.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toContain('data: ');
    // The upstream is still producing (four more chunks, 300 ms apart) when the first one has arrived.
    expect(harness.mocks.a!.inFlight).toBe(1);
    let rest = '';
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) rest += new TextDecoder().decode(chunk.value);
    expect(rest).toContain('data: [DONE]');
    expect(harness.mocks.a!.inFlight).toBe(0);
  });

  it('releases the connection slot when the client disconnects mid-stream', async () => {
    harness = await startHarness({
      mocks: { a: { format: 'openai', text: 'a b c d e f', chunks: 6, chunkDelayMs: 200 } },
      policy: `routes:\n  capped:\n    targets: [{ provider: a, model: m, max_connections: 1 }]\n`,
    });
    const controller = new AbortController();
    const response = await fetch(`${harness.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'capped', stream: true, messages: [{ role: 'user', content: 'x' }] }),
      signal: controller.signal,
    });
    const reader = response.body!.getReader();
    await reader.read();
    expect(await harness.llmux.state.inFlight(['a/m'])).toEqual([1]);
    controller.abort();
    await vi.waitFor(async () => expect(await harness!.llmux.state.inFlight(['a/m'])).toEqual([0]), { timeout: 5_000, interval: 20 });
    await vi.waitFor(() => expect(harness!.mocks.a!.inFlight).toBe(0), { timeout: 5_000, interval: 20 });
    // The slot is free again: the next request is served, not refused at the cap.
    harness.mocks.a!.setBehavior({ chunkDelayMs: 0 });
    const next = await post(`${harness.url}/v1/chat/completions`, JSON.stringify({ model: 'capped', messages: [{ role: 'user', content: 'x' }] }));
    expect(next.status).toBe(200);
  });

  it('releases the slot when the client disconnects before the upstream answered', async () => {
    harness = await startHarness({
      mocks: { a: { format: 'openai', firstByteDelayMs: 400 } },
      policy: `routes:\n  slow:\n    targets: [{ provider: a, model: m, max_connections: 3 }]\n`,
    });
    for (let i = 0; i < 3; i++) {
      const controller = new AbortController();
      const pending = fetch(`${harness.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'slow', messages: [{ role: 'user', content: 'x' }] }),
        signal: controller.signal,
      }).catch(() => undefined);
      await harness.mocks.a!.waitForRequests(i + 1);
      controller.abort();
      await pending;
    }
    await vi.waitFor(async () => expect(await harness!.llmux.state.inFlight(['a/m'])).toEqual([0]), { timeout: 3_000, interval: 20 });
    // Not one retry on behalf of a client that left.
    expect(harness.mocks.a!.requests).toHaveLength(3);
  });

  it('honours max_connections: a capped target never sees more than its cap', async () => {
    harness = await startHarness({
      mocks: { a: { format: 'openai', firstByteDelayMs: 150 }, b: { format: 'openai', firstByteDelayMs: 150 } },
      policy: `routes:\n  capped:\n    strategy: priority\n    targets:\n      - { provider: a, model: m, max_connections: 2 }\n      - { provider: b, model: m }\n`,
    });
    const results = await Promise.all(
      Array.from({ length: 8 }, () => post(`${harness!.url}/v1/chat/completions`, JSON.stringify({ model: 'capped', messages: [{ role: 'user', content: 'x' }] }))),
    );
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(harness.mocks.a!.maxInFlight).toBe(2);
    expect(harness.mocks.a!.requests.length + harness.mocks.b!.requests.length).toBe(8);
    expect(harness.mocks.b!.requests.length).toBeGreaterThanOrEqual(6);
    expect(await harness.llmux.state.inFlight(['a/m', 'b/m'])).toEqual([0, 0]);
  });

  it('passes embeddings through', async () => {
    harness = await startHarness({ mocks: { a: { format: 'openai', embeddingDimensions: 8 }, b: { format: 'openai' } }, policy: twoTargets });
    const client = new OpenAI({ baseURL: `${harness.url}/v1`, apiKey: 'sk-client', maxRetries: 0 });
    const result = await client.embeddings.create({ model: 'emb', input: ['one', 'two'] });
    expect(result.data).toHaveLength(2);
    expect(result.data[0]!.embedding).toHaveLength(8);
    expect(harness.mocks.a!.requests[0]!.path).toBe('/v1/embeddings');
    expect((harness.mocks.a!.requests[0]!.json as { model: string }).model).toBe('text-embedding-3-small');
  });

  it('lists the routes as an OpenAI model list', async () => {
    harness = await startHarness({ mocks: { a: { format: 'openai' }, b: { format: 'openai' } }, policy: twoTargets });
    const client = new OpenAI({ baseURL: `${harness.url}/v1`, apiKey: 'sk-client', maxRetries: 0 });
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids).toEqual(['chat', 'emb']);
  });

  it('reaches Azure OpenAI by deployment path, api-version and api-key header', async () => {
    harness = await startHarness({
      mocks: { az: { format: 'openai' } },
      kind: (name, mock) => `  ${name}:\n    kind: azure-openai\n    base_url: ${mock.url}\n    api_key: azure-secret\n    api_version: 2024-10-21`,
      policy: `routes:\n  gpt:\n    targets: [{ provider: az, model: my-deployment }]\n`,
    });
    const response = await post(`${harness.url}/v1/chat/completions`, JSON.stringify({ model: 'gpt', messages: [{ role: 'user', content: 'x' }] }), { authorization: 'Bearer client' });
    expect(response.status).toBe(200);
    const [received] = harness.mocks.az!.requests;
    expect(received!.path).toBe('/openai/deployments/my-deployment/chat/completions?api-version=2024-10-21');
    expect(received!.headers['api-key']).toBe('azure-secret');
    expect(received!.headers.authorization).toBeUndefined();
  });

  it('reuses upstream connections (keep-alive)', async () => {
    let connections = 0;
    const upstream: Server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        const body = JSON.stringify({ id: 'x', object: 'chat.completion', created: 0, model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }] });
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
        res.end(body);
      });
    });
    upstream.on('connection', () => connections++);
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const port = (upstream.address() as AddressInfo).port;
    try {
      harness = await startHarness({
        extraProviders: `  raw:\n    kind: openai-compatible\n    base_url: http://127.0.0.1:${port}/v1`,
        policy: `routes:\n  r:\n    targets: [{ provider: raw, model: m }]\n`,
      });
      for (let i = 0; i < 10; i++) {
        const r = await post(`${harness.url}/v1/chat/completions`, MSG('r'));
        expect(r.status).toBe(200);
      }
      expect(connections).toBe(1);
    } finally {
      await harness?.close();
      harness = undefined;
      upstream.closeAllConnections();
      await new Promise<void>((resolve) => upstream.close(() => resolve()));
    }
  });
});

describe('reverse proxy: bad input', () => {
  const simple = `routes:\n  chat:\n    targets: [{ provider: a, model: m }]\n  other:\n    targets: [{ provider: a, model: m }]\n`;

  function expectOpenAIError(json: unknown, type: string): { message: string; type: string; code: string } {
    const error = (json as { error: { message: string; type: string; code: string } }).error;
    expect(error).toBeDefined();
    expect(error.type).toBe(type);
    expect(typeof error.message).toBe('string');
    expect(error.code).toMatch(/^LLMUX_ERR_/);
    return error;
  }

  it('answers malformed JSON with 400', async () => {
    harness = await startHarness({ mocks: { a: { format: 'openai' } }, policy: simple });
    const r = await post(`${harness.url}/v1/chat/completions`, '{"model": "chat", "messages": [');
    expect(r.status).toBe(400);
    expect(expectOpenAIError(r.json, 'invalid_request_error').message).toMatch(/not valid JSON/);
  });

  it('answers a body without a model with 400', async () => {
    harness = await startHarness({ mocks: { a: { format: 'openai' } }, policy: simple });
    const r = await post(`${harness.url}/v1/chat/completions`, '{"messages": []}');
    expect(r.status).toBe(400);
    expect(expectOpenAIError(r.json, 'invalid_request_error').message).toMatch(/model/);
  });

  it('answers an unknown route with 404 listing the known routes', async () => {
    harness = await startHarness({ mocks: { a: { format: 'openai' } }, policy: simple });
    const r = await post(`${harness.url}/v1/chat/completions`, '{"model": "gpt-5", "messages": []}');
    expect(r.status).toBe(404);
    const error = expectOpenAIError(r.json, 'not_found_error');
    expect(error.message).toContain('gpt-5');
    expect(error.message).toContain('chat, other');
  });

  it('answers a body over the limit with 413', async () => {
    harness = await startHarness({ mocks: { a: { format: 'openai' } }, policy: simple, proxyYaml: 'limits:\n  max_body_bytes: 1024' });
    const big = JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'x'.repeat(5000) }] });
    const r = await post(`${harness.url}/v1/chat/completions`, big);
    expect(r.status).toBe(413);
    expectOpenAIError(r.json, 'invalid_request_error');
    expect(harness.mocks.a!.requests).toHaveLength(0);
  });

  it('answers a chunked body that grows over the limit with 413', async () => {
    harness = await startHarness({ mocks: { a: { format: 'openai' } }, policy: simple, proxyYaml: 'limits:\n  max_body_bytes: 1024' });
    const url = new URL(`${harness.url}/v1/chat/completions`);
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.write('{"model":"chat","messages":[{"role":"user","content":"');
      const timer = setInterval(() => {
        if (!req.destroyed) req.write('x'.repeat(512));
      }, 5);
      req.on('close', () => clearInterval(timer));
      setTimeout(() => clearInterval(timer), 2_000);
    });
    expect(status).toBe(413);
  });

  it('answers a wrong method with 405 and an Allow header', async () => {
    harness = await startHarness({ mocks: { a: { format: 'openai' } }, policy: simple });
    const r = await fetch(`${harness.url}/v1/chat/completions`);
    expect(r.status).toBe(405);
    expect(r.headers.get('allow')).toBe('POST');
    expectOpenAIError(await r.json(), 'invalid_request_error');
  });

  it('answers an unknown path with 404', async () => {
    harness = await startHarness({ mocks: { a: { format: 'openai' } }, policy: simple });
    const r = await fetch(`${harness.url}/v2/whatever`, { method: 'POST' });
    expect(r.status).toBe(404);
    expectOpenAIError(await r.json(), 'not_found_error');
  });

  it('answers an unreachable upstream with 502 naming what was wrong, and keeps serving', async () => {
    const dead = await reservePort();
    harness = await startHarness({
      mocks: { a: { format: 'openai' } },
      extraProviders: `  down:\n    kind: openai-compatible\n    base_url: http://127.0.0.1:${dead}/v1`,
      policy: `routes:\n  dead:\n    targets: [{ provider: down, model: m }]\n  chat:\n    targets: [{ provider: a, model: m }]\n`,
    });
    const r = await post(`${harness.url}/v1/chat/completions`, MSG('dead'));
    expect(r.status).toBe(502);
    const error = expectOpenAIError(r.json, 'server_error');
    expect(error.message).toContain('ECONNREFUSED');
    // A single-target route retries it (3 attempts by default, with backoff) before giving up.
    expect(r.headers.get('x-llmux-attempts')).toBe('3; down/m=connect_error; down/m=connect_error; down/m=connect_error');
    expect(await harness.llmux.state.inFlight(['down/m'])).toEqual([0]);
    const ok = await post(`${harness.url}/v1/chat/completions`, MSG('chat'));
    expect(ok.status).toBe(200);
  });

  it('fails over to the next target when one is unreachable', async () => {
    const dead = await reservePort();
    harness = await startHarness({
      mocks: { a: { format: 'openai' } },
      extraProviders: `  down:\n    kind: openai-compatible\n    base_url: http://127.0.0.1:${dead}/v1`,
      policy: `routes:\n  chat:\n    strategy: priority\n    targets: [{ provider: down, model: m }, { provider: a, model: m }]\n`,
    });
    const r = await post(`${harness.url}/v1/chat/completions`, MSG('chat'));
    expect(r.status).toBe(200);
    expect(r.headers.get('x-llmux-attempts')).toBe('2; down/m=connect_error; a/m=ok');
  });

  it('answers 503 with per-target reasons when every target is at its cap', async () => {
    harness = await startHarness({
      mocks: { a: { format: 'openai', firstByteDelayMs: 300 } },
      policy: `routes:\n  one:\n    targets: [{ provider: a, model: m, max_connections: 1 }]\n`,
    });
    const slow = post(`${harness.url}/v1/chat/completions`, MSG('one'));
    await harness.mocks.a!.waitForRequests(1);
    const refused = await post(`${harness.url}/v1/chat/completions`, MSG('one'));
    expect(refused.status).toBe(503);
    expect((refused.json as { error: { message: string } }).error.message).toContain('a/m: at its connection cap (1)');
    expect((await slow).status).toBe(200);
  });
});
