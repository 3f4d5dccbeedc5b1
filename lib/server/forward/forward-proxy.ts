/**
 * llmux as a forward proxy (`HTTPS_PROXY` / `HTTP_PROXY`) on the main listener, for
 * apps that cannot change their base URL. CONNECT to an intercepted host is decrypted
 * with a certificate from llmux's own CA and served by the same request handler as
 * the reverse proxy; CONNECT elsewhere is refused or blindly tunnelled, as configured;
 * absolute-form plain-HTTP requests are handled in absolute-form.ts. Every setting is
 * read from the current snapshot per connection, so a reload applies to new tunnels.
 */
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { ForwardProxyConfig } from '../../config/forward-proxy-schema.js';
import type { Snapshot } from '../../config/snapshot.js';
import { isLlmuxError, llmuxError, type LlmuxError } from '../../errors.js';
import type { Logger } from '../../telemetry/logger.js';
// The certificate code (and its polyfills) loads only when the forward proxy is used.
import type { StoredCa } from '../../tls/ca-store.js';
import type { LeafCertificates } from '../../tls/leaf-certificates.js';
import { resolveCaDir } from '../../tls/ca-dir.js';
import { handleAbsoluteForm, isAbsoluteForm } from './absolute-form.js';
import { fromAzurePath } from './azure-paths.js';
import { openTunnel, resolveTunnelTarget, type TunnelTarget } from './blind-tunnel.js';
import { hostMatches, parseAuthority } from './host-pattern.js';
import { isLoopbackAddress } from './private-address.js';
import { PROXY_AUTHENTICATE, proxyAuthorized } from './proxy-auth.js';
import { writeRawError } from './raw-response.js';
import { interceptConnection } from './tls-interceptor.js';
import { LiveSet } from '../../state/live-set.js';

export interface ForwardProxyOptions {
  /** The listener's request handler; decrypted requests run through it too. */
  readonly handler: RequestListener;
  /** The snapshot a new connection or request reads its settings from. */
  readonly current: () => Snapshot;
  readonly logger: Logger;
}

interface Authority {
  readonly ca: StoredCa;
  readonly leaves: LeafCertificates;
}

/** Requests in flight on a decrypted connection, kept on the socket itself. */
const IN_FLIGHT = Symbol('requests in flight');
type Intercepted = TLSSocket & { [IN_FLIGHT]: number };

export class ForwardProxy {
  readonly #options: ForwardProxyOptions;
  /** Parses the decrypted HTTP/1.1 of intercepted tunnels; never listens itself. */
  readonly #internal: Server;
  /** CAs by resolved directory (a reload may point `ca_dir` elsewhere). */
  readonly #authorities = new Map<string, Promise<Authority>>();
  /** Decrypted connections; each carries its number of requests in flight. LiveSets: see live-set.ts. */
  readonly #intercepted = new LiveSet<Intercepted>();
  /** Client sockets of blind tunnels. */
  readonly #tunnels = new LiveSet<Socket>();
  #closing = false;

  constructor(options: ForwardProxyOptions) {
    this.#options = options;
    this.#internal = createServer({ keepAliveTimeout: 65_000, requestTimeout: 0, headersTimeout: 60_000 }, (req, res) => {
      req.url = fromAzurePath(req.url ?? '/');
      options.handler(req, res);
    });
    this.#internal.on('request', (req: IncomingMessage, res: ServerResponse) => this.#track(req, res));
    // Garbage inside a tunnel or a reset mid-request: that connection ends, nothing else notices.
    this.#internal.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
      if (error.code?.startsWith('HPE_')) writeRawError(socket, llmuxError('LLMUX_ERR_INVALID_REQUEST', ['The request inside the tunnel is not valid HTTP/1.1.']));
      else socket.destroy();
    });
  }

  /** Serves CONNECT on the listener. */
  attach(server: Server): void {
    server.on('connect', (req: IncomingMessage, socket: Socket, head: Buffer) => {
      void this.#onConnect(req, socket, head);
    });
  }

  /** The listener's handler, extended with absolute-form (plain-HTTP proxy) requests. */
  wrap(handler: RequestListener): RequestListener {
    return (req, res) => {
      if (!isAbsoluteForm(req.url)) {
        handler(req, res);
        return;
      }
      const outcome = handleAbsoluteForm(req, res, handler, this.#options.current().proxy.forward_proxy);
      if (outcome.refused) this.#refused('http', outcome.refused, req, hostOf(req.url));
      else if (outcome.host) this.#options.logger.debug({ host: outcome.host }, 'forward proxy: plain-HTTP request intercepted');
    };
  }

  /** With the forward proxy on, makes sure its CA exists (created on first start) and says where it is. */
  async prepare(snapshot: Snapshot): Promise<void> {
    if (snapshot.proxy.forward_proxy.enabled) await this.#authority(snapshot);
  }

  /** Stops taking tunnels: blind ones and idle decrypted ones close now, busy ones after their answer. */
  close(): void {
    this.#closing = true;
    for (const socket of this.#tunnels) socket.destroy();
    for (const tls of this.#intercepted) if (tls[IN_FLIGHT] === 0) tls.destroy();
  }

  async #onConnect(req: IncomingMessage, socket: Socket, head: Buffer): Promise<void> {
    // A client that resets mid-handshake must never take the process down.
    socket.on('error', () => socket.destroy());
    const snapshot = this.#options.current();
    const config = snapshot.proxy.forward_proxy;
    const refuse = (error: LlmuxError): void => {
      this.#refused('connect', error, req, req.url);
      writeRawError(socket, error);
    };
    if (this.#closing) return refuse(llmuxError('LLMUX_ERR_SHUTTING_DOWN', []));
    if (!config.enabled) return refuse(llmuxError('LLMUX_ERR_FORWARD_DISABLED', []));
    if (!proxyAuthorized(config.auth, req.headers['proxy-authorization'])) {
      return refuse(llmuxError('LLMUX_ERR_PROXY_AUTH_REQUIRED', [], { headers: { 'proxy-authenticate': PROXY_AUTHENTICATE } }));
    }
    const target = parseAuthority(req.url ?? '');
    if (!target) return refuse(llmuxError('LLMUX_ERR_BAD_CONNECT', [req.url ?? '']));
    try {
      if (config.intercept.some((entry) => hostMatches(entry.host, target.host))) await this.#intercept(snapshot, socket, head, target);
      else await this.#tunnel(config, socket, head, target);
    } catch (error) {
      if (!isLlmuxError(error)) this.#options.logger.error({ err: error, host: target.host }, 'forward proxy: CONNECT failed unexpectedly');
      refuse(isLlmuxError(error) ? error : llmuxError('LLMUX_ERR_INTERNAL', [`CONNECT ${req.url ?? ''}`], { cause: error }));
    }
  }

  async #intercept(snapshot: Snapshot, socket: Socket, head: Buffer, target: TunnelTarget): Promise<void> {
    const { leaves } = await this.#authority(snapshot);
    const context = await leaves.contextFor(target.host);
    if (socket.destroyed) return;
    const tls = Object.assign(interceptConnection(this.#internal, socket, head, target.host, context), { [IN_FLIGHT]: 0 });
    this.#intercepted.add(tls);
    tls.once('close', () => this.#intercepted.delete(tls));
    this.#options.logger.debug({ host: target.host, port: target.port }, 'forward proxy: tunnel intercepted');
  }

  async #tunnel(config: ForwardProxyConfig, socket: Socket, head: Buffer, target: TunnelTarget): Promise<void> {
    const { tunnel } = config;
    const allowed = tunnel === 'allow' || (Array.isArray(tunnel) && tunnel.some((pattern) => hostMatches(pattern, target.host)));
    if (!allowed) throw llmuxError('LLMUX_ERR_FORWARD_HOST_FORBIDDEN', [target.host]);
    // Without credentials, only this machine's own apps may open tunnels: never an open proxy.
    if (config.auth.length === 0 && !isLoopbackAddress(socket.remoteAddress)) {
      throw llmuxError('LLMUX_ERR_FORWARD_REMOTE_CLIENT', [socket.remoteAddress ?? 'unknown']);
    }
    const options = { allowPrivate: config.allow_private, connectTimeoutMs: config.connect_timeout_ms };
    const address = await resolveTunnelTarget(target, options);
    if (typeof address !== 'string') throw address;
    if (socket.destroyed) return;
    await openTunnel(socket, head, target, address, options);
    this.#tunnels.add(socket);
    socket.once('close', () => this.#tunnels.delete(socket));
    if (this.#closing) socket.destroy();
    this.#options.logger.debug({ host: target.host, port: target.port, address }, 'forward proxy: blind tunnel opened');
  }

  /** Counts requests per decrypted connection, so shutdown closes each one only once it is idle. */
  #track(req: IncomingMessage, res: ServerResponse): void {
    const socket = req.socket as Intercepted;
    if (!this.#intercepted.has(socket)) return;
    // The first-request timer stops here; a long answer must not be cut by it.
    socket.setTimeout(0);
    socket[IN_FLIGHT]++;
    res.once('close', () => {
      if (!this.#intercepted.has(socket)) return;
      if (--socket[IN_FLIGHT] === 0 && this.#closing) socket.end();
    });
  }

  #authority(snapshot: Snapshot): Promise<Authority> {
    const dir = resolveCaDir(snapshot.proxy.forward_proxy.ca_dir, snapshot.file);
    let authority = this.#authorities.get(dir);
    if (authority) return authority;
    authority = (async () => {
      const [{ loadOrCreateCa }, { LeafCertificates }] = await Promise.all([import('../../tls/ca-store.js'), import('../../tls/leaf-certificates.js')]);
      const ca = await loadOrCreateCa(dir);
      const { logger } = this.#options;
      for (const warning of ca.warnings) logger.warn({ ca: ca.certPath }, `forward proxy: ${warning}`);
      // Only the certificate's path: the key is never logged.
      if (ca.created) logger.info({ ca: ca.certPath }, 'forward proxy: created a new CA; clients must trust it (`llmux ca` prints how)');
      else logger.info({ ca: ca.certPath }, 'forward proxy: using CA');
      return { ca, leaves: new LeafCertificates(ca.pem) };
    })();
    this.#authorities.set(dir, authority);
    // A failure (an unwritable directory) is not kept: the next start, reload or CONNECT tries again.
    authority.catch(() => this.#authorities.delete(dir));
    return authority;
  }

  /** One line per refusal: the target host, never the URL (a Gemini `?key=` would be in it) or credentials. */
  #refused(kind: 'connect' | 'http', error: LlmuxError, req: IncomingMessage, target: string | undefined): void {
    this.#options.logger.info({ kind, target, client: req.socket.remoteAddress, status: error.status, code: error.code }, 'forward proxy: refused');
  }
}

function hostOf(url: string | undefined): string | undefined {
  try {
    return new URL(url ?? '').host;
  } catch {
    return undefined;
  }
}
