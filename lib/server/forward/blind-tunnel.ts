/**
 * A blind TCP tunnel for a host llmux does not intercept (when `forward_proxy.tunnel`
 * allows it): resolve the name once, refuse non-public addresses unless allowed,
 * connect to exactly the address that was checked (so a second DNS answer cannot
 * point elsewhere), then copy bytes both ways untouched.
 */
import dns from 'node:dns';
import { connect, isIP, type Socket } from 'node:net';
import { llmuxError, type LlmuxError } from '../../errors.js';
import { isPrivateAddress } from './private-address.js';
import { CONNECTION_ESTABLISHED } from './raw-response.js';

export interface TunnelTarget {
  readonly host: string;
  readonly port: number;
}

export interface TunnelOptions {
  readonly allowPrivate: boolean;
  readonly connectTimeoutMs: number;
}

/** Resolves the target to the address to connect to, or the refusal to send. */
export async function resolveTunnelTarget(target: TunnelTarget, options: TunnelOptions): Promise<string | LlmuxError> {
  const name = `${target.host}:${target.port}`;
  let addresses: string[];
  if (isIP(target.host)) {
    addresses = [target.host];
  } else {
    try {
      // Through the module object, so tests can observe that intercepted hosts are never resolved.
      addresses = (await dns.promises.lookup(target.host, { all: true, verbatim: true })).map((a) => a.address);
    } catch (error) {
      return llmuxError('LLMUX_ERR_TUNNEL_UNREACHABLE', [name, `DNS lookup failed (${(error as NodeJS.ErrnoException).code ?? 'error'})`], { cause: error });
    }
  }
  if (!options.allowPrivate) {
    // One private answer is enough to refuse: a name that mixes them is not to be trusted.
    const inside = addresses.find(isPrivateAddress);
    if (inside !== undefined) return llmuxError('LLMUX_ERR_FORWARD_PRIVATE_ADDRESS', [target.host, inside]);
  }
  const address = addresses[0];
  return address ?? llmuxError('LLMUX_ERR_TUNNEL_UNREACHABLE', [name, 'DNS returned no address']);
}

/**
 * Connects to `address` and, once connected, answers 200 and splices the two
 * sockets. Resolves with the upstream socket, or rejects with the 502 to send.
 */
export function openTunnel(client: Socket, head: Buffer, target: TunnelTarget, address: string, options: TunnelOptions): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const upstream = connect({ host: address, port: target.port });
    const fail = (detail: string, cause?: unknown): void => {
      upstream.destroy();
      reject(llmuxError('LLMUX_ERR_TUNNEL_UNREACHABLE', [`${target.host}:${target.port}`, detail], { cause }));
    };
    upstream.setTimeout(options.connectTimeoutMs, () => fail(`no connection within ${options.connectTimeoutMs} ms`));
    upstream.once('error', (error: NodeJS.ErrnoException) => fail(`${error.code ?? 'error'} connecting to ${address}`, error));
    // The client left while we were connecting: nothing to tunnel.
    const abandoned = (): void => fail('the client closed the connection');
    client.once('close', abandoned);
    upstream.once('connect', () => {
      upstream.setTimeout(0);
      upstream.removeAllListeners('error');
      client.off('close', abandoned);
      splice(client, upstream, head);
      resolve(upstream);
    });
  });
}

function splice(client: Socket, upstream: Socket, head: Buffer): void {
  const close = (): void => {
    client.destroy();
    upstream.destroy();
  };
  client.on('error', close);
  upstream.on('error', close);
  client.on('close', close);
  upstream.on('close', close);
  client.setNoDelay(true);
  upstream.setNoDelay(true);
  client.write(CONNECTION_ESTABLISHED);
  if (head.length > 0) upstream.write(head);
  client.pipe(upstream);
  upstream.pipe(client);
}
