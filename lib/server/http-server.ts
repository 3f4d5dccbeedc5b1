/**
 * The listener's request handler: dispatches a request to the API pipeline or the
 * model list, turns every thrown error into a client-shaped error response, and
 * writes one access-log line per request.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { llmuxError } from '../errors.js';
import type { Snapshot } from '../config/snapshot.js';
import type { Logger } from '../telemetry/logger.js';
import { formatForPath, matchEndpoint } from './endpoints.js';
import { sendError, toLlmuxError } from './error-response.js';
import { handleApi } from './handle-api.js';
import type { ResilienceDependencies } from '../resilience/attempt-loop.js';
import { modelList } from '../formats/model-list.js';
import { RequestContext } from './request-context.js';

export interface HandlerDependencies extends ResilienceDependencies {
  readonly logger: Logger;
  /** The snapshot a new request starts on; in-flight requests keep the one they began with. */
  current(): Snapshot;
  /** False once shutdown began: new requests are refused. */
  accepting(): boolean;
}

export function createRequestHandler(deps: HandlerDependencies): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const ctx = new RequestContext(req, res, deps.current());
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    ctx.format = formatForPath(path);
    serve(ctx, path, q === -1 ? '' : url.slice(q + 1), deps)
      .catch((error: unknown) => {
        const failure = toLlmuxError(error, ctx.id);
        if (failure.code === 'LLMUX_ERR_INTERNAL') deps.logger.error({ err: error, id: ctx.id }, 'request failed unexpectedly');
        if (!ctx.clientGone) sendError(ctx, failure);
        // A body we stopped reading (413, 408) would otherwise sit in the socket.
        if (!req.complete) res.once('finish', () => req.socket.destroy());
      })
      .finally(() => accessLog(ctx, path, deps.logger));
  };
}

async function serve(ctx: RequestContext, path: string, query: string, deps: HandlerDependencies): Promise<void> {
  if (!deps.accepting()) throw llmuxError('LLMUX_ERR_SHUTTING_DOWN', []);
  const endpoint = matchEndpoint(ctx.req.method ?? 'GET', path, new URLSearchParams(query), ctx.req.headers);
  if (endpoint instanceof Error) throw endpoint;
  ctx.format = endpoint.format;
  if (endpoint.kind === 'models') {
    sendModels(ctx);
    return;
  }
  await handleApi(ctx, endpoint, deps);
}

function sendModels(ctx: RequestContext): void {
  const body = JSON.stringify(modelList(ctx.format, ctx.snapshot.routeNames, ctx.snapshot.loadedAt));
  ctx.res.writeHead(200, { ...ctx.llmuxHeaders(), 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  ctx.res.end(body);
}

function accessLog(ctx: RequestContext, path: string, logger: Logger): void {
  if (!ctx.snapshot.proxy.log.access_log) return;
  const done = (): void => {
    logger.info(
      {
        id: ctx.id,
        method: ctx.req.method,
        path,
        format: ctx.format,
        route: ctx.route,
        rule: ctx.rule,
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
        duration_ms: round(ctx.elapsed()),
      },
      'request',
    );
  };
  if (ctx.res.writableFinished || ctx.res.destroyed) done();
  else ctx.res.once('close', done);
}

const round = (ms: number): number => Math.round(ms * 100) / 100;
