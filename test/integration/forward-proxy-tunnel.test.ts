/**
 * CONNECT to hosts llmux does not intercept: refused by default, blindly tunnelled
 * when allowed, never to private addresses unless that is allowed too; proxy
 * authentication; and a listener whose forward proxy is off.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import dns from 'node:dns';
import { randomBytes } from 'node:crypto';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { request as httpsRequest } from 'node:https';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startHarness, type Harness } from '../helpers/harness.js';
import { connectThrough, curl, echo, forwardProxyYaml, parseCurlInclude, startTlsEchoServer, tlsThrough, type TlsEchoServer } from '../helpers/forward-proxy.js';

const POLICY = 'routes:\n  gpt-4o:\n    targets: [{ provider: oai, model: gpt-4o-mini }]\n';
const MOCKS = { oai: { format: 'openai' as const, text: 'ok' } };
const INTERCEPT = 'intercept: [{ host: api.openai.com, provider: oai }]';

let echoServer: TlsEchoServer;
const lookups = vi.spyOn(dns.promises, 'lookup');
beforeAll(async () => {
  echoServer = await startTlsEchoServer();
});
afterAll(async () => {
  await echoServer.close();
  lookups.mockRestore();
});
afterEach(() => {
  lookups.mockClear();
});

/** A port on 127.0.0.1 that refuses connections: bound, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('defaults: tunnel deny, allow_private false', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness({ mocks: MOCKS, policy: POLICY, proxyYaml: forwardProxyYaml([INTERCEPT]) });
  });
  afterAll(async () => {
    await harness.close();
  });

  it('refuses CONNECT to a host that is not intercepted with 403, without resolving it', async () => {
    const refused = await connectThrough(harness.url, 'example.com:443');
    expect(refused.status).toBe(403);
    expect(refused.headers['x-llmux-error']).toBe('LLMUX_ERR_FORWARD_HOST_FORBIDDEN');
    expect(refused.body).toContain('forward_proxy.tunnel');
    expect(lookups).not.toHaveBeenCalled();
    const viaCurl = await curl(['--proxy', harness.url, 'https://example.com/']);
    expect(viaCurl.stderr).toContain('CONNECT tunnel failed, response 403');
  });

  it('refuses the local TLS server too (not intercepted, and private)', async () => {
    const refused = await connectThrough(harness.url, `127.0.0.1:${echoServer.port}`);
    expect(refused.status).toBe(403);
    expect(echoServer.connections).toBe(0);
  });

  it('answers a malformed CONNECT target with 400', async () => {
    const refused = await connectThrough(harness.url, 'no-port-here');
    expect(refused.status).toBe(400);
    expect(refused.headers['x-llmux-error']).toBe('LLMUX_ERR_BAD_CONNECT');
  });
});

describe('tunnel: allow', () => {
  let open: Harness;
  let guarded: Harness;
  beforeAll(async () => {
    open = await startHarness({ mocks: MOCKS, policy: POLICY, proxyYaml: forwardProxyYaml([INTERCEPT, 'tunnel: allow', 'allow_private: true', 'connect_timeout_ms: 2000']) });
    guarded = await startHarness({ mocks: MOCKS, policy: POLICY, proxyYaml: forwardProxyYaml([INTERCEPT, 'tunnel: allow']) });
  });
  afterAll(async () => {
    await Promise.all([open.close(), guarded.close()]);
  });

  it('tunnels byte for byte to a local TLS server (with allow_private), end-to-end TLS with the server\'s own certificate', async () => {
    const tunnel = await connectThrough(open.url, `localhost:${echoServer.port}`);
    expect(tunnel.status).toBe(200);
    expect(lookups).toHaveBeenCalledWith('localhost', expect.anything());
    const tls = tlsConnect({ socket: tunnel.socket, servername: 'localhost', ca: echoServer.ca });
    await once(tls, 'secureConnect');
    // The certificate is the echo server's own, not one of llmux's: nothing was intercepted.
    expect(tls.getPeerCertificate().issuer.CN).toContain('test echo server');
    const data = randomBytes(256 * 1024);
    expect((await echo(tls, data)).equals(data)).toBe(true);
    tls.destroy();
  });

  it('answers 502 when the tunnel target cannot be reached', async () => {
    const refused = await connectThrough(open.url, `127.0.0.1:${await closedPort()}`);
    expect(refused.status).toBe(502);
    expect(refused.headers['x-llmux-error']).toBe('LLMUX_ERR_TUNNEL_UNREACHABLE');
    expect(refused.body).toContain('ECONNREFUSED');
  });

  it('refuses private and loopback addresses, also behind a name, unless allow_private is set', async () => {
    const before = echoServer.connections;
    for (const target of [`127.0.0.1:${echoServer.port}`, `localhost:${echoServer.port}`, `[::1]:${echoServer.port}`, '10.0.0.1:443', '169.254.169.254:80', '192.168.1.1:443', '0.0.0.0:443']) {
      const refused = await connectThrough(guarded.url, target);
      expect(refused.status, target).toBe(403);
      expect(refused.headers['x-llmux-error'], target).toBe('LLMUX_ERR_FORWARD_PRIVATE_ADDRESS');
    }
    expect(echoServer.connections).toBe(before);
  });

  it('still intercepts the configured hosts', async () => {
    const tunnel = await connectThrough(guarded.url, 'api.openai.com:443');
    expect(tunnel.status).toBe(200);
    tunnel.socket.destroy();
  });
});

describe('tunnel: a list of host patterns', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness({ mocks: MOCKS, policy: POLICY, proxyYaml: forwardProxyYaml([INTERCEPT, 'tunnel: ["*.localhost", localhost]', 'allow_private: true']) });
  });
  afterAll(async () => {
    await harness.close();
  });

  it('tunnels only the listed hosts', async () => {
    const allowed = await connectThrough(harness.url, `localhost:${echoServer.port}`);
    expect(allowed.status).toBe(200);
    allowed.socket.destroy();
    const refused = await connectThrough(harness.url, `127.0.0.1:${echoServer.port}`);
    expect(refused.status).toBe(403);
    expect(refused.headers['x-llmux-error']).toBe('LLMUX_ERR_FORWARD_HOST_FORBIDDEN');
  });
});

describe('proxy authentication', () => {
  let harness: Harness;
  const basic = (user: string, password: string): string => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  beforeAll(async () => {
    harness = await startHarness({
      mocks: MOCKS,
      policy: POLICY,
      proxyYaml: forwardProxyYaml([INTERCEPT, 'auth: [{ username: app, password: s3cret }, { username: ci, password: other }]']),
    });
  });
  afterAll(async () => {
    await harness.close();
  });

  it('answers 407 with Proxy-Authenticate for missing or wrong credentials', async () => {
    const attempts: Record<string, string>[] = [{}, { 'proxy-authorization': basic('app', 'wrong') }, { 'proxy-authorization': basic('nobody', 's3cret') }, { 'proxy-authorization': 'Bearer s3cret' }];
    for (const headers of attempts) {
      const refused = await connectThrough(harness.url, 'api.openai.com:443', headers);
      expect(refused.status).toBe(407);
      expect(refused.headers['proxy-authenticate']).toMatch(/^Basic realm="llmux"/);
      expect(refused.headers['x-llmux-error']).toBe('LLMUX_ERR_PROXY_AUTH_REQUIRED');
    }
    const plain = await curl(['--include', '--proxy', harness.url, 'http://api.openai.com/v1/chat/completions', '-H', 'content-type: application/json', '-d', '{"model":"gpt-4o","messages":[]}']);
    const answer = parseCurlInclude(plain.stdout);
    expect(answer.status).toBe(407);
    expect(answer.headers['proxy-authenticate']).toMatch(/^Basic/);
    expect(harness.mocks.oai!.requests).toHaveLength(0);
  });

  it('lets the right credentials through, for CONNECT and plain HTTP', async () => {
    const tunnel = await connectThrough(harness.url, 'api.openai.com:443', { 'proxy-authorization': basic('ci', 'other') });
    expect(tunnel.status).toBe(200);
    tunnel.socket.destroy();
    const ca = `${harness.config.dir}/ca/ca.crt`;
    const body = JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }] });
    const secure = await curl(['--include', '--cacert', ca, 'https://api.openai.com/v1/chat/completions', '-H', 'content-type: application/json', '-d', body], { HTTPS_PROXY: harness.url.replace('http://', 'http://app:s3cret@') });
    expect(parseCurlInclude(secure.stdout).status).toBe(200);
    const plain = await curl(['--include', '--proxy', harness.url, '--proxy-user', 'app:s3cret', 'http://api.openai.com/v1/chat/completions', '-H', 'content-type: application/json', '-d', body]);
    expect(parseCurlInclude(plain.stdout).status).toBe(200);
    expect(harness.mocks.oai!.requests).toHaveLength(2);
  });
});

describe('forward proxy off (the default)', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness({ mocks: MOCKS, policy: POLICY });
  });
  afterAll(async () => {
    await harness.close();
  });

  it('refuses CONNECT and plain-HTTP proxy requests with 403 saying how to turn it on', async () => {
    const refused = await connectThrough(harness.url, 'api.openai.com:443');
    expect(refused.status).toBe(403);
    expect(refused.headers['x-llmux-error']).toBe('LLMUX_ERR_FORWARD_DISABLED');
    expect(refused.body).toContain('forward_proxy.enabled: true');
    const plain = await curl(['--include', '--proxy', harness.url, 'http://api.openai.com/v1/chat/completions', '-H', 'content-type: application/json', '-d', '{}']);
    expect(parseCurlInclude(plain.stdout).status).toBe(403);
    // Ordinary reverse-proxy requests are unaffected, also when sent in absolute form to llmux itself.
    const direct = await curl(['--include', '--proxy', harness.url, `${harness.url}/v1/chat/completions`, '-H', 'content-type: application/json', '-d', '{"model":"gpt-4o","messages":[{"role":"user","content":"x"}]}']);
    expect(parseCurlInclude(direct.stdout).status).toBe(200);
  });

  it('turns on with a reload: the CA is created then and new tunnels are intercepted', async () => {
    const file = readFileSync(harness.config.proxyFile, 'utf8');
    harness.config.write('proxy.yaml', `${file}\n${forwardProxyYaml([INTERCEPT])}`);
    const result = await harness.llmux.reload('signal');
    expect(result.ok).toBe(true);
    // llmux answers 200 only once the CA exists (the reload, or this CONNECT, created it).
    const tunnel = await connectThrough(harness.url, 'api.openai.com:443');
    expect(tunnel.status).toBe(200);
    const ca = readFileSync(join(harness.config.dir, 'ca', 'ca.crt'), 'utf8');
    const tls = tlsConnect({ socket: tunnel.socket, servername: 'api.openai.com', ca });
    await once(tls, 'secureConnect');
    expect(tls.getPeerCertificate().subject.CN).toBe('api.openai.com');
    tls.destroy();
  });
});

describe('shutdown', () => {
  it('closes idle and blind tunnels, lets a request in flight inside a tunnel finish, and returns', async () => {
    const harness = await startHarness({
      mocks: { oai: { format: 'openai', text: 'finished after close', firstByteDelayMs: 300 } },
      policy: POLICY,
      proxyYaml: forwardProxyYaml([INTERCEPT, 'tunnel: allow', 'allow_private: true']),
    });
    let closed = false;
    try {
      const ca = readFileSync(join(harness.config.dir, 'ca', 'ca.crt'), 'utf8');
      const idle = await tlsThrough(harness.url, 'api.openai.com:443', 'api.openai.com', ca);
      const blind = await connectThrough(harness.url, `localhost:${echoServer.port}`);
      expect(blind.status).toBe(200);
      const busy = await tlsThrough(harness.url, 'api.openai.com:443', 'api.openai.com', ca);
      const body = JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }] });
      const answer = new Promise<{ status: number; text: string }>((resolve, reject) => {
        const req = httpsRequest(
          { createConnection: () => busy, host: 'api.openai.com', path: '/v1/chat/completions', method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
          (res) => {
            let text = '';
            res.on('data', (chunk: Buffer) => (text += chunk.toString()));
            res.once('end', () => resolve({ status: res.statusCode ?? 0, text }));
          },
        );
        req.once('error', reject);
        req.end(body);
      });
      await harness.mocks.oai!.waitForRequests(1);
      const gone = (socket: TLSSocket | Socket): Promise<unknown> => (socket.destroyed ? Promise.resolve() : once(socket, 'close'));
      const idleGone = gone(idle);
      const blindGone = gone(blind.socket);
      await harness.llmux.close();
      closed = true;
      const done = await answer;
      expect(done.status).toBe(200);
      expect(JSON.parse(done.text).choices[0].message.content).toBe('finished after close');
      await Promise.all([idleGone, blindGone, gone(busy)]);
    } finally {
      if (closed) {
        await harness.mocks.oai!.close();
        harness.config.remove();
      } else {
        await harness.close();
      }
    }
  });
});
