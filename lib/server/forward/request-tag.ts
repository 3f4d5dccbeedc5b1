/**
 * Marks requests that arrived through the forward proxy with the host the client
 * meant to reach, so the pipeline can send unknown models to that host's provider.
 * Tunnelled requests are marked through their (decrypted) socket, plain-HTTP
 * absolute-form requests one by one.
 */
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';

export interface ForwardTag {
  /** The intercepted host, normalized (`api.openai.com`). */
  readonly host: string;
}

const bySocket = new WeakMap<Socket, ForwardTag>();
const byRequest = new WeakMap<IncomingMessage, ForwardTag>();

export function tagSocket(socket: Socket, tag: ForwardTag): void {
  bySocket.set(socket, tag);
}

export function tagRequest(req: IncomingMessage, tag: ForwardTag): void {
  byRequest.set(req, tag);
}

/** The forward-proxy host of a request; `undefined` for ordinary reverse-proxy requests. */
export function forwardTagOf(req: IncomingMessage): ForwardTag | undefined {
  return byRequest.get(req) ?? bySocket.get(req.socket);
}
