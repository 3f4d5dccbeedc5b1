import { afterEach, describe, expect, it } from 'vitest';
import { Agent, createServer, type Server } from 'node:http';
import { createConnection, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { startAttempt } from '../../lib/resilience/attempt.js';
import { RequestContext } from '../../lib/server/request-context.js';
import { UpstreamClient } from '../../lib/server/upstream.js';
import { target } from '../helpers/targets.js';
import type { Snapshot } from '../../lib/config/snapshot.js';

/** An agent whose DNS lookup never answers, so every connection stays "connecting" forever. */
class BlackholeAgent extends Agent {
  override createConnection(options: { port?: number }): Socket {
    return createConnection({ port: options.port ?? 80, host: 'upstream.invalid', lookup: () => {} });
  }
}

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
});

describe('connect timeout', () => {
  it('cuts an attempt whose connection is not established in time and classifies it as timeout_connect', async () => {
    const upstream = new UpstreamClient();
    server = createServer((req, res) => {
      const ctx = new RequestContext(req, res, {} as Snapshot);
      const handle = startAttempt(
        ctx,
        target('blackhole'),
        { url: new URL('http://upstream.invalid:8080/v1/chat/completions'), body: Buffer.from('{}'), headers: {}, agent: new BlackholeAgent() },
        { connectMs: 150, firstByteMs: 5_000, firstBytePhase: 'first_byte', idleMs: 5_000 },
        upstream,
      );
      void handle.result.then((result) => res.end(JSON.stringify(result.ok ? { ok: true } : result.failure)));
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const response = await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', body: '{}' });
    const failure = (await response.json()) as { kind: string; detail: string };
    expect(failure).toEqual({ kind: 'timeout_connect', detail: 'no connection within 150 ms' });
  });
});
