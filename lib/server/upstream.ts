/**
 * Sends one attempt upstream through http-proxy-3 and hands back the upstream
 * response as soon as its headers arrive, without writing anything to the client.
 * The caller decides what to do with it: stream it through, translate it, or
 * treat it as a failure and try another target before the client sees a byte.
 */
import type { Agent, ClientRequest, IncomingMessage, ServerResponse } from 'node:http';
import { createProxyServer } from 'http-proxy-3';
import { upstreamHeaders } from './headers.js';
import { callOptions, plainTarget } from './proxy-call-options.js';

/**
 * The request body as http-proxy-3's `buffer` option: it only ever calls
 * `pipe(proxyReq)`, so a whole Buffer is written in one `end()` instead of going
 * through a Readable (which costs an async iterator and several ticks per request).
 * A plain object rather than a Stream: nothing listens to it, and an emitter per
 * request is measurable at saturation.
 *
 * `pipe()` is also where the attempt learns of its ClientRequest: http-proxy-3 calls
 * it synchronously, right after creating the request, for every request (its
 * `proxyReq` event comes a tick later, and not at all for a request with an `expect`
 * header). Attempt and body are handed over and forgotten here: http-proxy-3's copy
 * of the options, which its listeners hold for the whole exchange, keeps neither.
 */
class BodySource {
  #body: Buffer | undefined;
  #pending: PendingRequest | undefined;

  constructor(body: Buffer, pending: PendingRequest) {
    this.#body = body;
    this.#pending = pending;
  }

  pipe<T extends NodeJS.WritableStream>(destination: T): T {
    const pending = this.#pending;
    const body = this.#body;
    this.#pending = this.#body = undefined;
    pending?.onRequest(destination as unknown as ClientRequest);
    if (body) destination.end(body);
    else destination.end();
    return destination;
  }
}

/**
 * Hears how one upstream request goes: `requestStarted` first, then exactly one of
 * `responded` and `failed`. A listener rather than a promise: the attempt that sends
 * the request is already an object that waits for these events, and a promise (with
 * its two callbacks and a microtask hop) per upstream call is measurable at saturation.
 */
export interface UpstreamListener {
  /** The request exists (its socket may still be on its way), so it can be cut. */
  requestStarted(request: ClientRequest): void;
  /** The upstream's response headers arrived. */
  responded(response: IncomingMessage): void;
  /** The request failed before response headers arrived, or the client left first. */
  failed(error: Error): void;
}

const CLIENT_LEFT = 'the client closed the connection before the upstream answered';

/**
 * One upstream request until its response headers arrive (or it fails). Its
 * listeners are fields bound once, added with `on` and taken off by hand: `once`
 * would wrap each in two more objects per request.
 */
class PendingRequest {
  #request: ClientRequest | undefined;
  #settled = false;

  constructor(
    private readonly res: ServerResponse,
    private readonly listener: UpstreamListener,
  ) {}

  readonly fail = (error: Error): void => {
    if (this.#settled) return;
    this.#settled = true;
    this.res.off('close', this.onClientClose);
    this.#request?.off('response', this.#onResponse);
    this.listener.failed(error);
  };

  // http-proxy-3 swallows the reset it causes when the client leaves (it only emits
  // 'econnreset'), and a request destroyed before it had a socket emits nothing at
  // all: without this, the attempt would wait forever and hold its slot.
  readonly onClientClose = (): void => {
    if (this.res.writableFinished) return;
    this.#request?.destroy();
    this.fail(new Error(CLIENT_LEFT));
  };

  // Every request closes, answered or not: the error (and its stack trace) is built only when unanswered.
  readonly #onClose = (): void => {
    if (!this.#settled) this.fail(new Error('the upstream request closed before an answer'));
  };

  readonly #onResponse = (response: IncomingMessage): void => {
    if (this.#settled) return;
    this.#settled = true;
    (this.#request as ClientRequest).off('close', this.#onClose);
    this.res.off('close', this.onClientClose);
    this.listener.responded(response);
  };

  /** From BodySource.pipe(): the upstream request exists (its socket may still be on its way). */
  onRequest(request: ClientRequest): void {
    this.#request = request;
    this.listener.requestStarted(request);
    request.on('close', this.#onClose);
    request.on('response', this.#onResponse);
  }
}

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

export class UpstreamClient {
  /**
   * http-proxy-3 merges its server-wide options with each call's as
   * `{ ...server, ...call }`, and sets `prependPath` on the server's. When the two
   * differ in shape, V8 (Node 20) makes a new hidden class for every merged object: a
   * map in the old generation and a descriptor array per request (~7 µs, and garbage
   * only a full collection frees). Server options of exactly the calls' shape make
   * the merge a copy onto one shared hidden class.
   */
  readonly #proxy = createProxyServer(callOptions(undefined, undefined, undefined));

  constructor() {
    // Errors are delivered per call through the callback; this only keeps the emitter from throwing.
    this.#proxy.on('error', () => {});
  }

  /**
   * Starts the upstream request; `listener` hears of the ClientRequest as soon as it
   * exists (so the caller can cut it: a lost hedge, a timeout), then of its answer.
   */
  send(req: IncomingMessage, res: ServerResponse, call: UpstreamCall, listener: UpstreamListener): void {
    const pending = new PendingRequest(res, listener);
    if (res.closed && !res.writableFinished) {
      pending.fail(new Error(CLIENT_LEFT));
      return;
    }
    res.on('close', pending.onClientClose);
    const target = plainTarget(call.url);
    const options = callOptions(target, call.agent, new BodySource(call.body, pending));
    // The upstream's headers and path go in as the request's own (headers rather than
    // `options.headers`, which http-proxy-3 would merge with another slow spread). It
    // reads both synchronously within web(); the client's are put back right after.
    const clientHeaders = req.headers;
    const clientUrl = req.url;
    req.headers = upstreamHeaders(clientHeaders, call.headers, call.body.length, target.host);
    req.url = target.path;
    try {
      this.#proxy.web(req, res, options, pending.fail);
    } finally {
      req.headers = clientHeaders;
      req.url = clientUrl;
    }
  }

  close(): void {
    this.#proxy.removeAllListeners();
  }
}
