/**
 * What an SRE relies on: exact metrics, redaction, client keys, slow-client
 * limits, concurrency caps, the admin guard, and graceful shutdown.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import { startMockProvider, type MockProvider } from '../../lib/simulator/index.js';
import { CLI, runCli } from '../helpers/cli.js';
import { configDir, type ConfigDir } from '../helpers/config-dir.js';
import { PROVIDER_KEY, startHarness, type Harness } from '../helpers/harness.js';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const chat = (url: string, model: string, headers: Record<string, string> = {}, extra: Record<string, unknown> = {}) =>
  fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }], ...extra }),
  });

/** The value of one sample of a metric in Prometheus text format. */
function sample(text: string, name: string, labels: Record<string, string>): number {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (wanted.every((w) => line.includes(w))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return 0;
}

describe('metrics', () => {
  it('equal the counts of a scripted workload exactly', async () => {
    harness = await startHarness({
      mocks: { a: { format: 'openai', usage: { inputTokens: 10, outputTokens: 5 } }, b: { format: 'openai', usage: { inputTokens: 10, outputTokens: 5 } } },
      policy: `routes:\n  r:\n    strategy: priority\n    targets: [{ provider: a, model: gpt-4o-mini }, { provider: b, model: gpt-4o-mini-b, price: { input: 1, output: 2 } }]\n`,
    });
    for (let i = 0; i < 7; i++) expect((await chat(harness.url, 'r')).status).toBe(200);
    harness.mocks.a!.enqueue({ kind: 'status', status: 503, scope: 'generate' }, { kind: 'status', status: 503, scope: 'generate' });
    for (let i = 0; i < 2; i++) expect((await chat(harness.url, 'r')).headers.get('x-llmux-target')).toBe('b/gpt-4o-mini-b');
    expect((await chat(harness.url, 'nope')).status).toBe(404);
    const text = await (await fetch(`${harness.llmux.adminUrl}/metrics`)).text();
    expect(sample(text, 'llmux_requests_total', { route: 'r', target: 'a/gpt-4o-mini', format: 'openai', status: '200' })).toBe(7);
    expect(sample(text, 'llmux_requests_total', { route: 'r', target: 'b/gpt-4o-mini-b', status: '200' })).toBe(2);
    expect(sample(text, 'llmux_requests_total', { route: 'none', status: '404' })).toBe(1);
    expect(sample(text, 'llmux_attempts_total', { target: 'a/gpt-4o-mini', outcome: 'ok' })).toBe(7);
    expect(sample(text, 'llmux_attempts_total', { target: 'a/gpt-4o-mini', outcome: 'overloaded' })).toBe(2);
    expect(sample(text, 'llmux_attempts_total', { target: 'b/gpt-4o-mini-b', outcome: 'ok' })).toBe(2);
    expect(sample(text, 'llmux_tokens_total', { target: 'a/gpt-4o-mini', kind: 'input', estimated: 'false' })).toBe(70);
    expect(sample(text, 'llmux_tokens_total', { target: 'a/gpt-4o-mini', kind: 'output' })).toBe(35);
    expect(sample(text, 'llmux_cost_usd_total', { target: 'b/gpt-4o-mini-b' })).toBeCloseTo(2 * (10 * 1 + 5 * 2) / 1e6, 12);
    expect(sample(text, 'llmux_request_duration_seconds_count', { route: 'r' })).toBe(9);
    expect(sample(text, 'llmux_breaker_state', { target: 'a/gpt-4o-mini', state: 'closed' })).toBe(1);
    expect(sample(text, 'llmux_in_flight', { target: 'a/gpt-4o-mini' })).toBe(0);
    expect(sample(text, 'llmux_state_backend_up', { backend: 'memory' })).toBe(1);
    expect(text).toContain('llmux_overhead_seconds_bucket');
    expect(text).toContain('llmux_time_to_first_token_seconds_bucket');
  });
});

describe('redaction', () => {
  it('never writes keys or prompt text to logs, /admin/state, error bodies or metrics', async () => {
    const PROMPT = 'the-secret-prompt-text-7f3a';
    const CLIENT_KEY = 'sk-client-very-secret-key-123';
    harness = await startHarness({
      mocks: { a: { format: 'openai' } },
      policy: `routes:\n  r:\n    targets: [{ provider: a, model: m }]\n`,
      proxyYaml: `auth:\n  keys:\n    - { name: team, key: ${CLIENT_KEY} }`,
      captureLogs: true,
    });
    const auth = { authorization: `Bearer ${CLIENT_KEY}` };
    const bodies: string[] = [];
    const collect = async (response: Response): Promise<void> => void bodies.push(await response.text());
    await collect(await chat(harness.url, 'r', auth, { messages: [{ role: 'user', content: PROMPT }] }));
    await collect(await chat(harness.url, 'r', auth, { stream: true, messages: [{ role: 'user', content: PROMPT }] }));
    await collect(await fetch(`${harness.url}/v1/chat/completions`, { method: 'POST', headers: auth, body: `{"messages": ["${PROMPT}" oops` }));
    await collect(await fetch(`${harness.url}/v1/chat/completions`, { method: 'POST', headers: auth, body: `{"model": "${PROMPT}"` }));
    await collect(await chat(harness.url, 'missing', auth, { messages: [{ role: 'user', content: PROMPT }] }));
    await collect(await chat(harness.url, 'r', { authorization: `Bearer wrong-${CLIENT_KEY}` }));
    harness.mocks.a!.enqueue({ kind: 'status', status: 500, scope: 'generate' });
    await collect(await chat(harness.url, 'r', auth, { messages: [{ role: 'user', content: PROMPT }] }));
    const state = await (await fetch(`${harness.llmux.adminUrl}/admin/state`)).text();
    const metrics = await (await fetch(`${harness.llmux.adminUrl}/metrics`)).text();
    const errors = bodies.slice(2).join('\n');
    for (const haystack of [harness.logText(), state, metrics, errors]) {
      expect(haystack).not.toContain(PROMPT);
      expect(haystack).not.toContain(CLIENT_KEY);
      expect(haystack).not.toContain(PROVIDER_KEY);
    }
    expect(harness.logs().filter((l) => l.msg === 'request').length).toBe(7);
  });
});

describe('access log', () => {
  it('writes one line per request, and follows the log level a reload sets', async () => {
    const started = await startHarness({ mocks: { a: { format: 'openai' } }, policy: `routes:\n  r:\n    targets: [{ provider: a, model: m }]\n`, captureLogs: true });
    harness = started;
    const requests = (): Record<string, unknown>[] => started.logs().filter((l) => l.msg === 'request');
    expect((await chat(harness.url, 'r')).status).toBe(200);
    await vi.waitFor(() => expect(requests()).toHaveLength(1));
    expect(requests()[0]).toMatchObject({ route: 'r', target: 'a/m', status: 200, method: 'POST', path: '/v1/chat/completions' });
    harness.llmux.logger.level = 'warn';
    const quiet = await chat(harness.url, 'r');
    harness.llmux.logger.level = 'info';
    const loud = await chat(harness.url, 'r');
    await vi.waitFor(() => expect(requests().map((l) => l.id)).toContain(loud.headers.get('x-llmux-request-id')));
    expect(requests().map((l) => l.id)).not.toContain(quiet.headers.get('x-llmux-request-id'));
    expect(requests()).toHaveLength(2);
  });
});

describe('client keys', () => {
  const keys = `auth:\n  keys:\n    - { name: all, key: key-for-everything }\n    - { name: limited, key: key-for-route-a, routes: [a] }`;
  const policy = `routes:\n  a:\n    targets: [{ provider: up, model: m }]\n  b:\n    targets: [{ provider: up, model: m }]\n`;

  it('answers a missing or wrong key with 401 in each client\'s own format', async () => {
    harness = await startHarness({ mocks: { up: { format: 'openai' } }, policy, proxyYaml: keys });
    const openai = await new OpenAI({ baseURL: `${harness.url}/v1`, apiKey: 'wrong', maxRetries: 0 }).chat.completions.create({ model: 'a', messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
    expect(openai).toBeInstanceOf(OpenAI.AuthenticationError);
    const anthropic = await new Anthropic({ baseURL: harness.url, apiKey: 'wrong', maxRetries: 0 }).messages.create({ model: 'a', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
    expect(anthropic).toBeInstanceOf(Anthropic.AuthenticationError);
    expect((anthropic as InstanceType<typeof Anthropic.AuthenticationError>).error).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });
    const gemini = await new GoogleGenAI({ apiKey: 'wrong', httpOptions: { baseUrl: harness.url } }).models.generateContent({ model: 'a', contents: 'x' }).catch((e: unknown) => e);
    expect((gemini as { status?: number }).status).toBe(401);
    expect(JSON.parse((gemini as Error).message)).toMatchObject({ error: { code: 401, status: 'UNAUTHENTICATED' } });
    const missing = await chat(harness.url, 'a');
    expect(missing.status).toBe(401);
    expect(harness.mocks.up!.requests).toHaveLength(0);
  });

  it('accepts each SDK\'s own header, and keeps a key to its routes', async () => {
    harness = await startHarness({ mocks: { up: { format: 'openai' } }, policy, proxyYaml: keys });
    expect((await chat(harness.url, 'b', { authorization: 'Bearer key-for-everything' })).status).toBe(200);
    const viaAnthropic = await new Anthropic({ baseURL: harness.url, apiKey: 'key-for-route-a', maxRetries: 0 }).messages.create({ model: 'a', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] });
    expect(viaAnthropic.type).toBe('message');
    const viaGemini = await new GoogleGenAI({ apiKey: 'key-for-route-a', httpOptions: { baseUrl: harness.url } }).models.generateContent({ model: 'a', contents: 'x' });
    expect(viaGemini.text).toBeTruthy();
    const forbidden = await chat(harness.url, 'b', { authorization: 'Bearer key-for-route-a' });
    expect(forbidden.status).toBe(403);
    expect(((await forbidden.json()) as { error: { code: string } }).error.code).toBe('LLMUX_ERR_FORBIDDEN_ROUTE');
    const models = (await (await fetch(`${harness.url}/v1/models`, { headers: { authorization: 'Bearer key-for-route-a' } })).json()) as { data: { id: string }[] };
    expect(models.data.map((m) => m.id)).toEqual(['a']);
    // The client's key never goes upstream.
    expect(harness.mocks.up!.requests.every((r) => r.headers.authorization === `Bearer ${PROVIDER_KEY}`)).toBe(true);
  });

  it('refuses to start on a non-loopback address without keys, unless auth: none is explicit', async () => {
    const dir: ConfigDir = configDir({
      'proxy.yaml': 'listen:\n  host: 0.0.0.0\n  port: 0\nadmin:\n  port: 0\nproviders:\n  up:\n    kind: openai-compatible\n    base_url: http://127.0.0.1:9/v1\n',
      'policies/r.yaml': 'routes:\n  a:\n    targets: [{ provider: up, model: m }]\n',
    });
    try {
      const refused = await runCli(['validate', '-c', dir.proxyFile]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/proxy\.yaml:2:9: listen\.host: listening on 0\.0\.0\.0 \(not loopback\) needs client keys/);
      const viaFlag = await runCli(['start', '-c', dir.proxyFile, '--host', '0.0.0.0']);
      expect(viaFlag.code).toBe(1);
      dir.write('proxy.yaml', 'auth: none\nlisten:\n  host: 0.0.0.0\n  port: 0\nadmin:\n  port: 0\nproviders:\n  up:\n    kind: openai-compatible\n    base_url: http://127.0.0.1:9/v1\n');
      expect((await runCli(['validate', '-c', dir.proxyFile])).code).toBe(0);
    } finally {
      dir.remove();
    }
  });
});

describe('limits', () => {
  it('cuts off a slowloris client (headers or body) without affecting others', async () => {
    harness = await startHarness({
      mocks: { up: { format: 'openai' } },
      policy: `routes:\n  a:\n    targets: [{ provider: up, model: m }]\n`,
      proxyYaml: 'limits:\n  header_timeout_ms: 300\n  body_timeout_ms: 300',
    });
    const url = new URL(harness.url);
    const slow = (payload: string): Promise<string> =>
      new Promise((resolve) => {
        const socket = connect(Number(url.port), url.hostname, () => socket.write(payload));
        let answer = '';
        socket.on('data', (d: Buffer) => (answer += d.toString()));
        socket.on('close', () => resolve(answer));
        socket.on('error', () => resolve(answer));
      });
    const headers = slow('POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: app');
    const body = slow('POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{"model": "a"');
    const meanwhile = await Promise.all(Array.from({ length: 5 }, () => chat(harness!.url, 'a')));
    expect(meanwhile.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(await headers).toMatch(/^HTTP\/1\.1 408/);
    const bodyAnswer = await body;
    expect(bodyAnswer).toMatch(/^HTTP\/1\.1 408/);
    expect(bodyAnswer).toContain('LLMUX_ERR_CLIENT_TIMEOUT');
  });

  it('answers 503 beyond max_concurrent_requests', async () => {
    harness = await startHarness({
      mocks: { up: { format: 'openai', firstByteDelayMs: 300 } },
      policy: `routes:\n  a:\n    targets: [{ provider: up, model: m }]\n`,
      proxyYaml: 'limits:\n  max_concurrent_requests: 2',
    });
    const results = await Promise.all(Array.from({ length: 5 }, () => chat(harness!.url, 'a')));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 200, 503, 503, 503]);
    const refused = results.find((r) => r.status === 503)!;
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('LLMUX_ERR_OVERLOADED');
  });
});

describe('admin guard', () => {
  const lanAddress = Object.values(networkInterfaces())
    .flat()
    .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;

  it('answers /admin/* to loopback clients only (or with the admin token), while probes and metrics stay open', async () => {
    expect(lanAddress, 'this test needs a non-loopback IPv4 interface').toBeDefined();
    harness = await startHarness({
      mocks: { up: { format: 'openai' } },
      policy: `routes:\n  a:\n    targets: [{ provider: up, model: m }]\n`,
      adminYaml: 'admin:\n  host: 0.0.0.0\n  port: 0\n  token: a-long-admin-token-0123456789',
    });
    const port = new URL(harness.llmux.adminUrl!).port;
    const remote = `http://${lanAddress}:${port}`;
    expect((await fetch(`${remote}/healthz`)).status).toBe(200);
    expect((await fetch(`${remote}/readyz`)).status).toBe(200);
    expect((await fetch(`${remote}/metrics`)).status).toBe(200);
    expect((await fetch(`${remote}/admin/state`)).status).toBe(403);
    expect((await fetch(`${remote}/admin/state`, { headers: { authorization: 'Bearer a-long-admin-token-0123456789' } })).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${port}/admin/state`)).status).toBe(200);
  });
});

describe('graceful shutdown (SIGTERM)', () => {
  let mock: MockProvider | undefined;
  let dir: ConfigDir | undefined;
  afterEach(async () => {
    await mock?.close();
    dir?.remove();
  });

  async function startDaemon(drainMs: number): Promise<{ url: string; child: ReturnType<typeof spawn>; exit: Promise<number | null> }> {
    mock = await startMockProvider({ format: 'openai', name: 'up', text: 'a b c d e f g h i j', chunks: 10, chunkDelayMs: 150 });
    dir = configDir({
      'proxy.yaml': `admin:\n  port: 0\nshutdown:\n  drain_timeout_ms: ${drainMs}\nproviders:\n  up:\n    kind: openai-compatible\n    base_url: ${mock.url}/v1\n`,
      'policies/r.yaml': 'routes:\n  a:\n    targets: [{ provider: up, model: m }]\n',
    });
    const child = spawn(process.execPath, [CLI, 'start', '-c', dir.proxyFile, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const match = /"url":"(http:\/\/[^"]+)"/.exec(out);
        if (match) resolve(match[1]!);
      });
      void exit.then(() => reject(new Error(out)));
    });
    return { url, child, exit };
  }

  const openStreams = async (url: string, n: number): Promise<Promise<string>[]> => {
    const streams = Array.from({ length: n }, async () => {
      const response = await chat(url, 'a', {}, { stream: true });
      return response.text();
    });
    await vi.waitFor(() => expect(mock!.inFlight).toBe(n), { timeout: 5_000, interval: 10 });
    return streams;
  };

  it('lets 20 long streams finish, refuses new requests meanwhile, and exits 0', async () => {
    const daemon = await startDaemon(10_000);
    const streams = await openStreams(daemon.url, 20);
    daemon.child.kill('SIGTERM');
    const texts = await Promise.all(streams);
    for (const text of texts) {
      expect(text).toContain('data: [DONE]');
      expect(text).not.toContain('"error"');
    }
    expect(await daemon.exit).toBe(0);
    expect(mock!.inFlight).toBe(0);
  });

  it('past the drain timeout, ends the remaining streams with a proper error event and exits 0', async () => {
    const daemon = await startDaemon(300);
    const streams = await openStreams(daemon.url, 20);
    daemon.child.kill('SIGTERM');
    const texts = await Promise.all(streams);
    for (const text of texts) {
      expect(text).toMatch(/data: \{"error":\{"message":"llmux is shutting down[^"]*","type":"[a-z_]+"/);
      expect(text).not.toContain('[DONE]');
    }
    expect(await daemon.exit).toBe(0);
    await vi.waitFor(() => expect(mock!.inFlight).toBe(0), { timeout: 3_000, interval: 20 });
  });
});
