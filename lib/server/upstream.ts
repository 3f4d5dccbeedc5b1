/**
 * Sends one attempt upstream through http-proxy-3 and hands back the upstream
 * response as soon as its headers arrive, without writing anything to the client.
 * The caller decides what to do with it: stream it through, translate it, or
 * treat it as a failure and try another target before the client sees a byte.
 */
import type { Agent, ClientRequest, IncomingMessage, ServerResponse } from 'node:http';
import { Stream } from 'node:stream';
import { createProxyServer, type ServerOptions } from 'http-proxy-3';

/**
 * The request body as http-proxy-3's `buffer` option: it only ever calls
 * `pipe(proxyReq)`, so a whole Buffer is written in one `end()` instead of going
 * through a Readable (which costs an async iterator and several ticks per request).
 */
class BodySource extends Stream {
  constructor(readonly body: Buffer) {
    super();
  }

  override pipe<T extends NodeJS.WritableStream>(destination: T): T {
    destination.end(this.body);
    return destination;
  }
}

/** Carries the per-attempt hooks through http-proxy-3's shared events. */
const ATTEMPT = Symbol('llmux.attempt');

interface AttemptHooks {
  onRequest(request: ClientRequest): void;
}

type AttemptOptions = ServerOptions & { [ATTEMPT]: AttemptHooks };

export interface UpstreamCall {
  readonly url: URL;
  readonly body: Buffer;
  /** Headers added to (or overriding) the client's sanitized headers. */
  readonly headers: Readonly<Record<string, string>>;
  readonly agent: Agent;
  /**
   * A whole answer that is relayed byte for byte (same format) is only checked to be
   * a JSON object, not parsed; a translated one must be parsed.
   */
  readonly relayAsIs?: boolean;
}

export interface UpstreamExchange {
  readonly request: ClientRequest;
  readonly response: IncomingMessage;
}

/** A failure before the upstream's response headers arrived, with the raw cause. */
export class UpstreamRequestError extends Error {
  constructor(
    override readonly cause: Error,
    readonly request: ClientRequest | undefined,
  ) {
    super(cause.message);
    this.name = 'UpstreamRequestError';
  }
}

export class UpstreamClient {
  readonly #proxy = createProxyServer({
    selfHandleResponse: true,
    ignorePath: true,
    changeOrigin: true,
    xfwd: false,
  });

  constructor() {
    this.#proxy.on('proxyReq', (request, _req, _res, options) => {
      (options as Partial<AttemptOptions>)[ATTEMPT]?.onRequest(request);
    });
    // Errors are delivered per call through the callback; this only keeps the emitter from throwing.
    this.#proxy.on('error', () => {});
  }

  /**
   * Starts the upstream request. `started` is called with the ClientRequest as soon
   * as it exists, so the caller can abort it (a lost hedge, a client that left).
   */
  send(
    req: IncomingMessage,
    res: ServerResponse,
    call: UpstreamCall,
    started?: (request: ClientRequest) => void,
  ): Promise<UpstreamExchange> {
    return new Promise((resolve, reject) => {
      let request: ClientRequest | undefined;
      let settled = false;
      const fail = (error: Error): void => {
        if (settled) return;
        settled = true;
        res.off('close', onClientClose);
        reject(new UpstreamRequestError(error, request));
      };
      // http-proxy-3 swallows the reset it causes when the client leaves (it only emits
      // 'econnreset'), and a request destroyed before it had a socket emits nothing at
      // all: without these, the attempt would wait forever and hold its slot.
      const onClientClose = (): void => {
        if (res.writableFinished) return;
        request?.destroy();
        fail(new Error('the client closed the connection before the upstream answered'));
      };
      if (res.closed && !res.writableFinished) {
        fail(new Error('the client closed the connection before the upstream answered'));
        return;
      }
      res.once('close', onClientClose);
      const options: AttemptOptions = {
        target: call.url,
        agent: call.agent,
        headers: { ...call.headers, 'content-length': String(call.body.length) },
        buffer: new BodySource(call.body),
        [ATTEMPT]: {
          onRequest(proxyReq) {
            request = proxyReq;
            started?.(proxyReq);
            proxyReq.once('close', () => fail(new Error('the upstream request closed before an answer')));
            proxyReq.once('response', (response: IncomingMessage) => {
              if (settled) return;
              settled = true;
              res.off('close', onClientClose);
              resolve({ request: proxyReq, response });
            });
          },
        },
      };
      this.#proxy.web(req, res, options, fail);
    });
  }

  close(): void {
    this.#proxy.removeAllListeners();
  }
}
