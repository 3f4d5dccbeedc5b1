/**
 * Refusals of a CONNECT are written straight onto the client socket: after the
 * `connect` event Node's HTTP machinery no longer owns it. Plain text, so `curl -v`
 * shows the reason, and `x-llmux-error` carries the stable code.
 */
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { LlmuxError } from '../../errors.js';

/** Time a refused client gets to read the answer before the socket is destroyed. */
const LINGER_MS = 2_000;

export function writeRawError(socket: Duplex, error: LlmuxError): void {
  if (socket.destroyed || !socket.writable) {
    socket.destroy();
    return;
  }
  const body = `${error.code}: ${error.message}\n`;
  const head = [
    `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status] ?? 'Error'}`,
    'content-type: text/plain; charset=utf-8',
    `content-length: ${Buffer.byteLength(body)}`,
    `x-llmux-error: ${error.code}`,
    ...Object.entries(error.headers).map(([name, value]) => `${name}: ${value}`),
    'connection: close',
  ];
  // Whatever else the client sends is read and dropped, so closing does not reset the connection under the answer.
  socket.resume();
  socket.end(`${head.join('\r\n')}\r\n\r\n${body}`);
  setTimeout(() => socket.destroy(), LINGER_MS).unref();
}

/** The answer that turns the connection into a tunnel. */
export const CONNECTION_ESTABLISHED = 'HTTP/1.1 200 Connection Established\r\n\r\n';
