/**
 * Clients of llmux's forward proxy for tests: raw CONNECT, TLS through a tunnel,
 * curl as a child process, and a local TLS echo server to tunnel to.
 */
import { once } from 'node:events';
import { request, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { connect as tlsConnect, createServer as createTlsServer, type Server as TlsServer, type TLSSocket } from 'node:tls';
import { runProcess, type CliResult } from './cli.js';
import { createCaCertificate, createLeafCertificate, exportKeyPem, generateKeys, importSigner } from '../../lib/tls/x509.js';

export interface ConnectResult {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  /** The open tunnel (status 200), or the socket that carried the refusal. */
  readonly socket: Socket;
  /** The refusal's body (empty for 200). */
  readonly body: string;
}

/** Sends `CONNECT authority` to the proxy and resolves with its answer. */
export function connectThrough(proxyUrl: string, authority: string, headers: Record<string, string> = {}): Promise<ConnectResult> {
  const proxy = new URL(proxyUrl);
  return new Promise((resolve, reject) => {
    const req = request({ host: proxy.hostname, port: proxy.port, method: 'CONNECT', path: authority, headers: { host: authority, ...headers } });
    req.once('connect', (res, socket, head: Buffer) => {
      if (res.statusCode === 200) {
        if (head.length > 0) socket.unshift(head);
        resolve({ status: 200, headers: res.headers, socket, body: '' });
        return;
      }
      // A refusal carries a body: what arrived with the headers, then the rest of the raw socket.
      let body = head.toString();
      socket.on('data', (chunk: Buffer) => (body += chunk.toString()));
      socket.once('error', () => {});
      socket.once('close', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, socket, body }));
    });
    req.once('error', reject);
    req.end();
  });
}

/** CONNECT, then TLS to `servername` inside the tunnel, trusting `ca`. */
export async function tlsThrough(proxyUrl: string, authority: string, servername: string, ca: string): Promise<TLSSocket> {
  const tunnel = await connectThrough(proxyUrl, authority);
  if (tunnel.status !== 200) throw new Error(`CONNECT ${authority}: ${tunnel.status} ${tunnel.body}`);
  const tls = tlsConnect({ socket: tunnel.socket, servername, ca, ALPNProtocols: ['http/1.1'] });
  await once(tls, 'secureConnect');
  return tls;
}

/** Runs curl with the given arguments; proxy variables of the test's own environment are removed. */
export function curl(args: readonly string[], env: Record<string, string> = {}): Promise<CliResult> {
  const base = { ...process.env };
  for (const name of ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'ALL_PROXY', 'all_proxy', 'NO_PROXY', 'no_proxy', 'CURL_CA_BUNDLE']) delete base[name];
  return runProcess('curl', ['--silent', '--show-error', '--max-time', '20', ...args], { env: { ...base, ...env } });
}

/** Splits `curl --include` output into the last response's status, headers and body. */
export function parseCurlInclude(output: string): { status: number; headers: Record<string, string>; body: string } {
  // With a proxy, curl prints the CONNECT answer first; the last header block is the real response.
  const blocks = output.split('\r\n\r\n');
  let index = 0;
  while (index + 1 < blocks.length && /^HTTP\/[\d.]+ \d{3}/.test(blocks[index + 1] ?? '')) index++;
  const head = blocks[index] ?? '';
  const [statusLine = '', ...lines] = head.split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status: Number(statusLine.split(' ')[1]), headers, body: blocks.slice(index + 1).join('\r\n\r\n') };
}

export interface TlsEchoServer {
  readonly port: number;
  /** PEM of the server's own CA, for the client to trust. */
  readonly ca: string;
  readonly connections: number;
  close(): Promise<void>;
}

/** A TLS server on 127.0.0.1 with its own self-signed CA that echoes every byte back. */
export async function startTlsEchoServer(): Promise<TlsEchoServer> {
  const ca = await createCaCertificate('test echo server');
  const keys = await generateKeys();
  const cert = await createLeafCertificate('localhost', await importSigner(ca), keys);
  let connections = 0;
  const sockets = new Set<TLSSocket>();
  const server: TlsServer = createTlsServer({ key: await exportKeyPem(keys.privateKey), cert }, (socket) => {
    connections++;
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    socket.pipe(socket);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    ca: ca.cert,
    get connections() {
      return connections;
    },
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Writes `data` and collects exactly as many bytes back. */
export function echo(socket: TLSSocket | Socket, data: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const onData = (chunk: Buffer): void => {
      chunks.push(chunk);
      received += chunk.length;
      if (received >= data.length) {
        socket.off('data', onData);
        resolve(Buffer.concat(chunks));
      }
    };
    socket.on('data', onData);
    socket.once('error', reject);
    socket.once('close', () => reject(new Error(`closed after ${received} of ${data.length} bytes`)));
    socket.write(data);
  });
}

/** The `forward_proxy:` block for a harness's proxy.yaml. */
export function forwardProxyYaml(lines: readonly string[]): string {
  return `forward_proxy:\n  enabled: true\n  ca_dir: ca\n${lines.map((line) => `  ${line}`).join('\n')}\n`;
}
