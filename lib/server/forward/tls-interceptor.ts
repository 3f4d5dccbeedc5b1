/**
 * Interception of one CONNECT to an intercepted host: answer 200, terminate TLS with
 * a leaf certificate for that host, and hand the decrypted connection to an internal
 * HTTP server that runs llmux's own request handler. Every request on the connection
 * (keep-alive included) then goes through the normal pipeline, marked with the host.
 */
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { TLSSocket, type SecureContext } from 'node:tls';
import { CONNECTION_ESTABLISHED } from './raw-response.js';
import { tagSocket } from './request-tag.js';

/** A client that opens a tunnel but never completes the TLS handshake is dropped after this. */
const HANDSHAKE_TIMEOUT_MS = 30_000;
/**
 * Then it has this long to send its first request (the same as the listener's keep-alive
 * timeout); the caller clears it when a request arrives, so long answers are not cut.
 */
export const FIRST_REQUEST_TIMEOUT_MS = 65_000;

export function interceptConnection(internal: Server, client: Socket, head: Buffer, host: string, context: SecureContext): TLSSocket {
  client.write(CONNECTION_ESTABLISHED);
  // Bytes the client sent right behind the CONNECT (an eager ClientHello) belong to the TLS stream.
  if (head.length > 0) client.unshift(head);
  const tls = new TLSSocket(client, { isServer: true, secureContext: context, ALPNProtocols: ['http/1.1'] });
  tagSocket(tls, { host });
  // Handshake failures (an untrusted CA), garbage instead of TLS and resets end here, never in the process.
  tls.on('error', () => {
    tls.destroy();
    client.destroy();
  });
  tls.on('close', () => client.destroy());
  tls.setTimeout(HANDSHAKE_TIMEOUT_MS);
  tls.once('secure', () => tls.setTimeout(FIRST_REQUEST_TIMEOUT_MS));
  // Node's HTTP server parses the decrypted stream; its keep-alive and timeouts apply as on the listener.
  internal.emit('connection', tls);
  return tls;
}
