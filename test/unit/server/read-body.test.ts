import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { readBody } from '../../../lib/server/read-body.js';
import { isLlmuxError } from '../../../lib/errors.js';

const LIMITS = { maxBytes: 1024, timeoutMs: 2_000 };

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** What readBody gave a request (at once, or later), as the handler saw it after one microtask. */
interface Seen {
  readonly immediate: boolean;
  readonly body?: string;
  readonly error?: string;
}

async function serve(onRequest: (req: IncomingMessage) => Promise<Seen>): Promise<{ port: number; seen: Promise<Seen> }> {
  let resolveSeen!: (seen: Seen) => void;
  const seen = new Promise<Seen>((resolve) => (resolveSeen = resolve));
  server = createServer((req, res) => {
    void onRequest(req).then((result) => {
      resolveSeen(result);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, seen };
}

async function read(req: IncomingMessage): Promise<Seen> {
  await undefined;
  const result = readBody(req, LIMITS);
  const immediate = !(result instanceof Promise);
  try {
    return { immediate, body: (await result).toString('utf8') };
  } catch (error) {
    return { immediate, error: isLlmuxError(error) ? error.code : String(error) };
  }
}

/** Sends a raw request: the head and the first part of the body together, the rest after `pauseMs`. */
function send(port: number, body: string, split: number, pauseMs: number): void {
  const socket = connect(port, '127.0.0.1');
  socket.write(`POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, split)}`);
  setTimeout(() => socket.write(body.slice(split)), pauseMs).unref();
  socket.on('error', () => {});
}

describe('readBody', () => {
  it('takes a body that arrived with its headers at once, without waiting for it', async () => {
    const { port, seen } = await serve(read);
    const body = JSON.stringify({ model: 'm', text: 'x'.repeat(500) });
    send(port, body, body.length, 0);
    expect(await seen).toEqual({ immediate: true, body });
  });

  it('waits for a body that is still arriving, and returns all of it', async () => {
    const { port, seen } = await serve(read);
    const body = JSON.stringify({ model: 'm', text: 'y'.repeat(500) });
    send(port, body, 100, 50);
    expect(await seen).toEqual({ immediate: false, body });
  });

  it('refuses a body declared larger than the limit before reading it', async () => {
    const { port, seen } = await serve(read);
    send(port, 'z'.repeat(2000), 10, 10_000);
    expect(await seen).toEqual({ immediate: false, error: 'LLMUX_ERR_BODY_TOO_LARGE' });
  });
});
