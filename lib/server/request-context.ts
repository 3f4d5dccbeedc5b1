/**
 * Everything llmux tracks about one client request while it is being served:
 * its id, timing (so `x-llmux-overhead-ms` can subtract upstream and client
 * time), the route and target, and each attempt's outcome for headers and logs.
 */
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Usage, WireFormat } from '../formats/canonical.js';
import type { Snapshot } from '../config/snapshot.js';
import type { CostReport } from '../telemetry/accounting.js';
import type { ClientKey } from './client-auth.js';
import { randomId } from '../telemetry/request-id.js';

export interface AttemptRecord {
  readonly target: string;
  /** `ok`, or the failure kind (`connect_error`, `at_capacity` …). */
  readonly outcome: string;
  readonly status?: number | undefined;
  readonly ms: number;
}

/** Hears that a request's response has closed (finished, or the connection gone). */
export interface CloseListener {
  closed(ctx: RequestContext): void;
}

export class RequestContext {
  readonly id = randomId();
  readonly startedAt = performance.now();
  readonly attempts: AttemptRecord[] = [];
  /** The URL's path, without the query. */
  path = '/';
  format: WireFormat = 'openai';
  route: string | undefined;
  target: string | undefined;
  stream = false;
  /** Time spent waiting for the client's body; not llmux's overhead. */
  bodyMs = 0;
  /** Time spent waiting for upstreams (connect to first byte); not llmux's overhead. */
  upstreamMs = 0;
  /** How the answer broke off after it had started (`timeout_idle`, `upstream_broken` …), if it did. */
  brokeOff: string | undefined;
  /** Token usage the answer reported, when llmux could read it. */
  usage: Usage | undefined;
  /** Tokens and US dollars of the answer (real usage, or llmux's estimate when marked so). */
  cost: CostReport | undefined;
  /** The virtual model and rule that picked the route (`auto:translations`), when one did. */
  rule: string | undefined;
  /** The key the client sent (whichever header its SDK uses), read once per request. */
  credential: string | undefined;
  /** The client key the request authenticated with, when client keys are configured. */
  clientKey: ClientKey | undefined;

  get clientKeyName(): string | undefined {
    return this.clientKey?.name;
  }
  /** Time to first byte of the committed attempt. */
  ttfbMs: number | undefined;
  overheadMs: number | undefined;

  /** Set when the client closed the connection before its answer was complete. */
  clientGone = false;
  /**
   * The committed upstream answer while it is being relayed, so that a shutdown (or a
   * gone client) can cut it short. The response itself rather than a closure that
   * destroys it: the closure, made once per request, was measured to keep finished
   * requests reachable past young-generation collections (9.3 vs 1.4 KB promoted per
   * request under bench scenario (a)).
   */
  upstreamAnswer: IncomingMessage | undefined;

  /** Who hears once the response has closed (the access-log line, metrics). */
  #afterClose: CloseListener | undefined;

  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    readonly snapshot: Snapshot,
  ) {
    res.on('close', this.#onClose);
  }

  // The one 'close' listener of the response (each `once` costs two more objects per request).
  readonly #onClose = (): void => {
    this.res.off('close', this.#onClose);
    if (!this.res.writableFinished) this.clientGone = true;
    this.#afterClose?.closed(this);
  };

  /** Tells `listener` once the response is finished or the connection is gone (now, if it already is). */
  afterClose(listener: CloseListener): void {
    if (this.res.writableFinished || this.res.destroyed) listener.closed(this);
    else this.#afterClose = listener;
  }

  elapsed(): number {
    return performance.now() - this.startedAt;
  }

  /** llmux's own time so far: total minus the client's upload and the upstreams' waits. */
  measureOverhead(): number {
    this.overheadMs = Math.max(0, this.elapsed() - this.bodyMs - this.upstreamMs);
    return this.overheadMs;
  }

  /** `2; a/m1=connect_error; b/m2=ok`: the count first, so `parseInt` reads it. */
  attemptsHeader(): string {
    let tried = 0;
    let list = '';
    for (const a of this.attempts) {
      if (a.outcome !== 'skipped') tried++;
      list += `; ${a.target}=${a.outcome}`;
    }
    return `${tried}${list}`;
  }

  /** Adds the `x-llmux-*` headers every response carries to `headers` (a fresh object the caller owns), and returns it. */
  llmuxHeaders(headers: OutgoingHttpHeaders = {}): OutgoingHttpHeaders {
    headers['x-llmux-request-id'] = this.id;
    headers['x-llmux-attempts'] = this.attemptsHeader();
    headers['x-llmux-overhead-ms'] = (this.overheadMs ?? this.measureOverhead()).toFixed(2);
    if (this.route) headers['x-llmux-route'] = this.route;
    if (this.rule) headers['x-llmux-rule'] = this.rule;
    if (this.target) headers['x-llmux-target'] = this.target;
    return headers;
  }
}
