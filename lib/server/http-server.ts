/**
 * The listener's request handler: dispatches a request to the API pipeline or the
 * model list, turns every thrown error into a client-shaped error response, and
 * writes one access-log line per request.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { llmuxError } from '../errors.js';
import type { Snapshot } from '../config/snapshot.js';
import type { Logger } from '../telemetry/logger.js';
import type { Metrics } from '../telemetry/metrics.js';
import type { TrafficStats } from '../telemetry/traffic-stats.js';
import { formatForPath, matchEndpoint } from './endpoints.js';
import { sendError, toLlmuxError } from './error-response.js';
import { handleApi } from './handle-api.js';
import type { ResilienceDependencies } from '../resilience/attempt-loop.js';
import { modelList } from '../formats/model-list.js';
import { RequestContext, type CloseListener } from './request-context.js';
import { readClientCredential } from './client-credential.js';
import type { RequestTracker } from './request-tracker.js';

export interface HandlerDependencies extends ResilienceDependencies {
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly traffic: TrafficStats;
  readonly tracker: RequestTracker;
  /** The snapshot a new request starts on; in-flight requests keep the one they began with. */
  current(): Snapshot;
  /** False once shutdown began: new requests are refused. */
  accepting(): boolean;
}

const NO_QUERY = new URLSearchParams();

export function createRequestHandler(deps: HandlerDependencies): (req: IncomingMessage, res: ServerResponse) => void {
  // The access-log line is made of named fields only (never headers or bodies), so the
  // logger's wildcard redaction, about 20 µs a line, has nothing to find in it. A
  // child follows the main logger's level, which a reload may change.
  const recorder = new Recorder(deps);
  return (req, res) => {
    const ctx = new RequestContext(req, res, deps.current());
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    ctx.path = q === -1 ? url : url.slice(0, q);
    ctx.format = formatForPath(ctx.path);
    void respond(ctx, q === -1 ? '' : url.slice(q + 1), deps, recorder);
  };
}

/** Serves the request and turns whatever it throws into a client-shaped error; records it once it has closed. */
async function respond(ctx: RequestContext, query: string, deps: HandlerDependencies, recorder: Recorder): Promise<void> {
  try {
    await serve(ctx, query, deps);
  } catch (error) {
    const failure = toLlmuxError(error, ctx.id);
    if (failure.code === 'LLMUX_ERR_INTERNAL') deps.logger.error({ err: error, id: ctx.id }, 'request failed unexpectedly');
    if (!ctx.clientGone) sendError(ctx, failure);
    const { req } = ctx;
    // A body we stopped reading (413, 408) would otherwise sit in the socket.
    if (!req.complete) ctx.res.once('finish', () => req.socket.destroy());
  } finally {
    ctx.afterClose(recorder);
  }
}

function serve(ctx: RequestContext, query: string, deps: HandlerDependencies): Promise<void> | undefined {
  if (!deps.accepting()) throw llmuxError('LLMUX_ERR_SHUTTING_DOWN', []);
  deps.tracker.enter(ctx, ctx.snapshot.proxy.limits.max_concurrent_requests);
  const endpoint = matchEndpoint(ctx.req.method ?? 'GET', ctx.path, query ? new URLSearchParams(query) : NO_QUERY, ctx.req.headers);
  if (endpoint instanceof Error) throw endpoint;
  ctx.format = endpoint.format;
  ctx.credential = readClientCredential(ctx.req);
  ctx.clientKey = ctx.snapshot.auth.authenticate(ctx.credential);
  if (endpoint.kind === 'models') {
    sendModels(ctx);
    return undefined;
  }
  return handleApi(ctx, endpoint, deps);
}

function sendModels(ctx: RequestContext): void {
  const allowed = ctx.clientKey?.routes;
  const names = allowed ? ctx.snapshot.routeNames.filter((name) => allowed.has(name)) : ctx.snapshot.routeNames;
  const body = JSON.stringify(modelList(ctx.format, names, ctx.snapshot.loadedAt));
  ctx.res.writeHead(200, ctx.llmuxHeaders({ 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }));
  ctx.res.end(body);
}

/** Writes one access-log line and the metrics and traffic stats of each finished request. */
class Recorder implements CloseListener {
  readonly #deps: HandlerDependencies;
  // The access-log line is made of named fields only (never headers or bodies), so the
  // logger's wildcard redaction, about 20 µs a line, has nothing to find in it. A
  // child follows the main logger's level, which a reload may change.
  readonly #accessLog: Logger;

  constructor(deps: HandlerDependencies) {
    this.#deps = deps;
    this.#accessLog = deps.logger.child({}, { redact: [] });
  }

  closed(ctx: RequestContext): void {
    record(ctx, this.#deps, this.#accessLog);
  }
}

function record(ctx: RequestContext, deps: HandlerDependencies, accessLog: Logger): void {
  deps.tracker.leave(ctx);
  const duration = ctx.elapsed();
  deps.metrics.observeRequest(ctx, duration);
  deps.traffic.observe(ctx);
  if (!ctx.snapshot.proxy.log.access_log) return;
  accessLog.info(
    {
      id: ctx.id,
      method: ctx.req.method,
      path: ctx.path,
      format: ctx.format,
      route: ctx.route,
      rule: ctx.rule,
      client_key: ctx.clientKeyName,
      target: ctx.target,
      stream: ctx.stream,
      status: ctx.res.statusCode,
      attempts: ctx.attempts,
      broke_off: ctx.brokeOff,
      tokens_in: ctx.cost?.inputTokens,
      tokens_out: ctx.cost?.outputTokens,
      tokens_cached: ctx.cost?.cachedInputTokens || undefined,
      cost_usd: ctx.cost?.usd,
      cost_estimated: ctx.cost?.estimated || undefined,
      client_gone: ctx.clientGone || undefined,
      ttfb_ms: ctx.ttfbMs === undefined ? undefined : round(ctx.ttfbMs),
      overhead_ms: ctx.overheadMs === undefined ? undefined : round(ctx.overheadMs),
      duration_ms: round(duration),
    },
    'request',
  );
}

const round = (ms: number): number => Math.round(ms * 100) / 100;
