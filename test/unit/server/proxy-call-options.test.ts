import { afterEach, describe, expect, it } from 'vitest';
import { Agent, createServer, type ClientRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UpstreamClient } from '../../../lib/server/upstream.js';

/** An agent that records the options Node's http client hands it for each request. */
class RecordingAgent extends Agent {
  readonly seen: Record<string, unknown>[] = [];
  addRequest(request: ClientRequest, options: Record<string, unknown>): void {
    this.seen.push({ ...options });
    (Agent.prototype as unknown as { addRequest(r: ClientRequest, o: object): void }).addRequest.call(this, request, options);
  }
}

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

async function listen(handler: Parameters<typeof createServer>[1]): Promise<number> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

describe('upstream call options', () => {
  it('hand Node only the fields that describe the call, none of the undefined TLS and socket fields http-proxy-3 assigns', async () => {
    const upstreamPort = await listen((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (body += chunk));
      req.on('end', () => res.end(JSON.stringify({ path: req.url, host: req.headers.host, body })));
    });
    const agent = new RecordingAgent({ keepAlive: true });
    const client = new UpstreamClient();
    const proxyPort = await listen((req, res) => {
      const url = new URL(`http://127.0.0.1:${upstreamPort}/v1/chat/completions?x=1`);
      client.send(req, res, { url, body: Buffer.from('{"model":"m"}'), headers: { authorization: 'Bearer k' }, agent }, {
        requestStarted: () => {},
        responded: (response) => response.pipe(res),
        failed: (error) => res.end(`failed: ${error.message}`),
      });
    });

    const answer = await (await fetch(`http://127.0.0.1:${proxyPort}/anything`, { method: 'POST', body: 'ignored' })).json();
    agent.destroy();

    // The call itself is what it was: path, host and body.
    expect(answer).toEqual({ path: '/v1/chat/completions?x=1', host: `127.0.0.1:${upstreamPort}`, body: '{"model":"m"}' });
    const [options] = agent.seen;
    for (const dropped of ['socketPath', 'pfx', 'key', 'passphrase', 'cert', 'ca', 'ciphers', 'secureProtocol', 'localAddress', 'url']) {
      expect(Object.keys(options ?? {})).not.toContain(dropped);
    }
    expect(options).toMatchObject({ hostname: '127.0.0.1', port: upstreamPort, method: 'POST', path: '/v1/chat/completions?x=1' });
  });
});
