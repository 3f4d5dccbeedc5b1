/**
 * llmux as HTTPS_PROXY: CONNECT to an intercepted AI host is decrypted with llmux's
 * own CA and served by the normal pipeline in front of mock providers on loopback.
 * The real hosts are never resolved or contacted (the test machine has no network,
 * and the DNS spy below proves llmux never asked).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import dns from 'node:dns';
import { readFileSync } from 'node:fs';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { ProxyAgent } from 'undici';
import { PROVIDER_KEY, startHarness, type Harness } from '../helpers/harness.js';
import { connectThrough, curl, forwardProxyYaml, parseCurlInclude, tlsThrough } from '../helpers/forward-proxy.js';
import { runProcess } from '../helpers/cli.js';

const TEXT = 'Answered by the mock behind llmux.';
const CHAT = JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }] });

let harness: Harness;
let caFile: string;
let ca: string;
let proxy: ProxyAgent;
const lookups = vi.spyOn(dns.promises, 'lookup');

beforeAll(async () => {
  harness = await startHarness({
    mocks: { oai: { format: 'openai', text: TEXT, chunks: 4, usage: { inputTokens: 5, outputTokens: 7 } }, own: { format: 'openai', text: TEXT } },
    extraProviders: '',
    policy: 'routes:\n  gpt-4o:\n    targets: [{ provider: oai, model: gpt-4o-mini }]\n    retries: { attempts: 1 }\n',
    proxyYaml: forwardProxyYaml([
      'intercept:',
      '  - { host: api.openai.com, provider: oai }',
      '  - { host: api.anthropic.com, provider: oai }',
      '  - { host: generativelanguage.googleapis.com, provider: oai }',
      '  - { host: "*.openai.azure.com", provider: own }',
    ]),
    kind: (name, mock) =>
      `  ${name}:\n    kind: openai-compatible\n    base_url: ${mock.url}/v1\n    api_key: ${PROVIDER_KEY}${name === 'own' ? '\n    passthrough_auth: true' : ''}`,
  });
  caFile = join(harness.config.dir, 'ca', 'ca.crt');
  ca = readFileSync(caFile, 'utf8');
  proxy = new ProxyAgent({ uri: harness.url, requestTls: { ca } });
});
afterAll(async () => {
  await proxy.close();
  await harness.close();
  lookups.mockRestore();
});
afterEach(() => {
  for (const mock of Object.values(harness.mocks)) mock.reset();
  lookups.mockClear();
});

const lastModel = (mock: string): unknown => (harness.mocks[mock]!.requests.at(-1)?.json as { model?: unknown } | undefined)?.model;

describe('curl through HTTPS_PROXY', () => {
  it('posts to https://api.openai.com and is answered by the mock through the configured route, with no DNS lookup', async () => {
    const result = await curl(
      ['--include', '--cacert', caFile, 'https://api.openai.com/v1/chat/completions', '-H', 'content-type: application/json', '-H', 'authorization: Bearer sk-app', '-d', CHAT],
      { HTTPS_PROXY: harness.url },
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const answer = parseCurlInclude(result.stdout);
    expect(answer.status).toBe(200);
    expect(answer.headers['x-llmux-route']).toBe('gpt-4o');
    expect(answer.headers['x-llmux-target']).toBe('oai/gpt-4o-mini');
    expect(JSON.parse(answer.body).choices[0].message.content).toBe(TEXT);
    // The mock on loopback got it, with the route's model and the provider's key (not the app's).
    const seen = harness.mocks.oai!.requests;
    expect(seen).toHaveLength(1);
    expect(lastModel('oai')).toBe('gpt-4o-mini');
    expect(seen[0]!.headers.authorization).toBe(`Bearer ${PROVIDER_KEY}`);
    expect(lookups).not.toHaveBeenCalled();
  });

  it('sends a model that is not a route to the host\'s provider, model unchanged', async () => {
    const result = await curl(
      ['--include', '--cacert', caFile, 'https://api.openai.com/v1/chat/completions', '-H', 'content-type: application/json', '-d', JSON.stringify({ model: 'gpt-4.1-nano', messages: [{ role: 'user', content: 'Hi' }] })],
      { HTTPS_PROXY: harness.url },
    );
    const answer = parseCurlInclude(result.stdout);
    expect(answer.status).toBe(200);
    expect(answer.headers['x-llmux-target']).toBe('oai/gpt-4.1-nano');
    expect(lastModel('oai')).toBe('gpt-4.1-nano');
  });

  it('serves a Gemini client of generativelanguage.googleapis.com from the OpenAI-format provider, model from the path', async () => {
    const body = JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'Hi' }] }] });
    const result = await curl(
      ['--include', '--cacert', caFile, 'https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent', '-H', 'content-type: application/json', '-H', 'x-goog-api-key: app-key', '-d', body],
      { HTTPS_PROXY: harness.url },
    );
    const answer = parseCurlInclude(result.stdout);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body).candidates[0].content.parts[0].text).toBe(TEXT);
    expect(lastModel('oai')).toBe('gemini-2.5-flash');
    expect(harness.mocks.oai!.requests[0]!.headers['x-goog-api-key']).toBeUndefined();
  });

  it('handles plain-HTTP absolute-form requests (HTTP_PROXY) for an intercepted host', async () => {
    const result = await curl(['--include', 'http://api.openai.com/v1/chat/completions', '-H', 'content-type: application/json', '-d', CHAT], { HTTP_PROXY: harness.url, http_proxy: harness.url });
    const answer = parseCurlInclude(result.stdout);
    expect(answer.status).toBe(200);
    expect(answer.headers['x-llmux-route']).toBe('gpt-4o');
    expect(harness.mocks.oai!.requests).toHaveLength(1);
  });

  it('refuses a plain-HTTP request to another host, in the client\'s error shape', async () => {
    const result = await curl(['--include', '--proxy', harness.url, 'http://example.com/v1/chat/completions', '-H', 'content-type: application/json', '-d', CHAT]);
    const answer = parseCurlInclude(result.stdout);
    expect(answer.status).toBe(403);
    expect(JSON.parse(answer.body).error.code).toBe('LLMUX_ERR_FORWARD_PLAIN_HTTP');
    expect(lookups).not.toHaveBeenCalled();
  });
});

describe('official SDKs through the proxy', () => {
  // The SDKs type `dispatcher` with Node 20's bundled undici-types; undici 7's ProxyAgent is the same thing at run time.
  const viaProxy = <T>(): T => ({ dispatcher: proxy }) as unknown as T;
  type OpenAiFetchOptions = NonNullable<ConstructorParameters<typeof OpenAI>[0]>['fetchOptions'];
  type AnthropicFetchOptions = NonNullable<ConstructorParameters<typeof Anthropic>[0]>['fetchOptions'];
  const openai = (): OpenAI => new OpenAI({ apiKey: 'sk-app', maxRetries: 0, fetchOptions: viaProxy<OpenAiFetchOptions>() });

  it('openai: chat.completions.create through interception', async () => {
    const completion = await openai().chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }] });
    expect(completion.choices[0]!.message.content).toBe(TEXT);
    expect(completion.usage).toMatchObject({ prompt_tokens: 5, completion_tokens: 7 });
    expect(harness.mocks.oai!.requests).toHaveLength(1);
  });

  it('openai: a streamed completion through interception', async () => {
    const stream = await openai().chat.completions.create({ model: 'gpt-4o', stream: true, messages: [{ role: 'user', content: 'Hi' }] });
    let text = '';
    let chunks = 0;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      chunks++;
    }
    expect(text).toBe(TEXT);
    expect(chunks).toBeGreaterThan(2);
    expect((harness.mocks.oai!.requests[0]!.json as { stream?: boolean }).stream).toBe(true);
  });

  it('anthropic: api.anthropic.com served by an OpenAI-format provider (translated inside the tunnel), streamed and not', async () => {
    const client = new Anthropic({ apiKey: 'sk-ant-app', maxRetries: 0, fetchOptions: viaProxy<AnthropicFetchOptions>() });
    const message = await client.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 100, messages: [{ role: 'user', content: 'Hi' }] });
    expect(message.content).toEqual([expect.objectContaining({ type: 'text', text: TEXT })]);
    expect(message.stop_reason).toBe('end_turn');
    const streamed = await client.messages.stream({ model: 'claude-sonnet-4-5', max_tokens: 100, messages: [{ role: 'user', content: 'Hi' }] }).finalMessage();
    expect(streamed.content).toEqual([expect.objectContaining({ type: 'text', text: TEXT })]);
    // The OpenAI-format mock saw Chat Completions requests for the unchanged model.
    const seen = harness.mocks.oai!.requests;
    expect(seen.map((r) => r.path)).toEqual(['/v1/chat/completions', '/v1/chat/completions']);
    expect(seen.map((r) => (r.json as { model: string }).model)).toEqual(['claude-sonnet-4-5', 'claude-sonnet-4-5']);
    expect(seen[0]!.headers['x-api-key']).toBeUndefined();
  });

  it('openai in a child process: HTTPS_PROXY + NODE_EXTRA_CA_CERTS + undici EnvHttpProxyAgent, as the README says', async () => {
    const script = [
      "import { EnvHttpProxyAgent, setGlobalDispatcher } from 'undici';",
      "import OpenAI from 'openai';",
      'setGlobalDispatcher(new EnvHttpProxyAgent());',
      "const client = new OpenAI({ apiKey: 'sk-app', maxRetries: 0 });",
      "const plain = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }] });",
      "const stream = await client.chat.completions.create({ model: 'gpt-4o', stream: true, messages: [{ role: 'user', content: 'Hi' }] });",
      "let text = ''; for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';",
      'console.log(JSON.stringify({ plain: plain.choices[0].message.content, streamed: text }));',
    ].join('\n');
    const env: NodeJS.ProcessEnv = { ...process.env, HTTPS_PROXY: harness.url, NODE_EXTRA_CA_CERTS: caFile };
    for (const name of ['NO_PROXY', 'no_proxy', 'https_proxy', 'OPENAI_BASE_URL']) delete env[name];
    const output = await runProcess(process.execPath, ['--input-type=module', '-e', script], { cwd: process.cwd(), env });
    expect(output.stderr).toBe('');
    expect(output.code).toBe(0);
    expect(JSON.parse(output.stdout)).toEqual({ plain: TEXT, streamed: TEXT });
    expect(harness.mocks.oai!.requests).toHaveLength(2);
  });
});

describe('inside the tunnel', () => {
  it('keeps one decrypted connection alive for several requests', async () => {
    let tunnels = 0;
    let tls: TLSSocket | undefined;
    const agent = new HttpsAgent({ keepAlive: true, maxSockets: 1 });
    // Each new connection is a fresh CONNECT through llmux; a kept-alive one is reused.
    agent.createConnection = ((_options: unknown, callback: (error: Error | null, socket?: TLSSocket) => void) => {
      tunnels++;
      tlsThrough(harness.url, 'api.openai.com:443', 'api.openai.com', ca).then(
        (socket) => callback(null, (tls = socket)),
        (error: Error) => callback(error),
      );
      return undefined;
    }) as unknown as HttpsAgent['createConnection'];
    const post = (): Promise<{ status: number; route: string | undefined }> =>
      new Promise((resolve, reject) => {
        const req = httpsRequest(
          { agent, host: 'api.openai.com', path: '/v1/chat/completions', method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(CHAT) } },
          (res) => {
            res.resume();
            res.once('end', () => resolve({ status: res.statusCode ?? 0, route: res.headers['x-llmux-route'] as string | undefined }));
          },
        );
        req.once('error', reject);
        req.end(CHAT);
      });
    try {
      for (let i = 0; i < 3; i++) expect(await post()).toEqual({ status: 200, route: 'gpt-4o' });
      expect(tunnels).toBe(1);
      expect(harness.mocks.oai!.requests).toHaveLength(3);
    } finally {
      agent.destroy();
      tls?.destroy();
    }
  });

  it('an Azure OpenAI deployment path; passthrough_auth sends the app\'s own key to that provider', async () => {
    const body = JSON.stringify({ model: 'my-deployment', messages: [{ role: 'user', content: 'Hi' }] });
    const result = await curl(
      ['--include', '--cacert', caFile, 'https://my-resource.openai.azure.com/openai/deployments/my-deployment/chat/completions?api-version=2024-10-21', '-H', 'content-type: application/json', '-H', 'api-key: sk-own-app-key', '-d', body],
      { HTTPS_PROXY: harness.url },
    );
    const answer = parseCurlInclude(result.stdout);
    expect(answer.status).toBe(200);
    expect(answer.headers['x-llmux-target']).toBe('own/my-deployment');
    const seen = harness.mocks.own!.requests;
    expect(seen).toHaveLength(1);
    expect(seen[0]!.headers.authorization).toBe('Bearer sk-own-app-key');
    expect(seen[0]!.headers['api-key']).toBeUndefined();
    expect(lastModel('own')).toBe('my-deployment');
    // A provider without passthrough_auth replaces the app's key with its own.
    await curl(['--cacert', caFile, 'https://api.openai.com/v1/chat/completions', '-H', 'content-type: application/json', '-H', 'authorization: Bearer sk-app', '-d', CHAT], { HTTPS_PROXY: harness.url });
    expect(harness.mocks.oai!.requests[0]!.headers.authorization).toBe(`Bearer ${PROVIDER_KEY}`);
  });

  it('survives garbage instead of TLS, a failed handshake and a reset, and keeps serving', async () => {
    const garbage = await connectThrough(harness.url, 'api.openai.com:443');
    expect(garbage.status).toBe(200);
    const closed = new Promise((resolve) => garbage.socket.once('close', resolve));
    garbage.socket.on('error', () => {});
    garbage.socket.end('GET / HTTP/1.1\r\nhost: api.openai.com\r\n\r\n');
    await closed;

    // A client that does not trust llmux's CA fails its handshake; llmux drops just that tunnel.
    await expect(tlsThrough(harness.url, 'api.openai.com:443', 'api.openai.com', 'not a CA')).rejects.toThrow();
    const untrusted = await connectThrough(harness.url, 'api.openai.com:443');
    const { connect } = await import('node:tls');
    const failed = connect({ socket: untrusted.socket, servername: 'api.openai.com' });
    await new Promise((resolve) => failed.once('error', resolve));

    // Valid TLS, but not HTTP inside: a 400 on that connection only.
    const confused = await tlsThrough(harness.url, 'api.openai.com:443', 'api.openai.com', ca);
    let reply = '';
    confused.on('data', (chunk: Buffer) => (reply += chunk.toString()));
    const ended = new Promise((resolve) => confused.once('close', resolve));
    confused.on('error', () => {});
    confused.write('THIS IS NOT HTTP\r\n\r\n');
    await ended;
    expect(reply).toMatch(/^HTTP\/1\.1 400 /);

    const reset = await connectThrough(harness.url, 'api.anthropic.com:443');
    reset.socket.resetAndDestroy();

    const result = await curl(['--include', '--cacert', caFile, 'https://api.openai.com/v1/chat/completions', '-H', 'content-type: application/json', '-d', CHAT], { HTTPS_PROXY: harness.url });
    expect(parseCurlInclude(result.stdout).status).toBe(200);
  });
});
