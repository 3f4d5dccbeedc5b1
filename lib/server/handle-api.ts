/**
 * The request path for API calls: read and parse the body, find the route chain,
 * then run the attempt loop with the handlers for this request's formats.
 */
import { performance } from 'node:perf_hooks';
import { parseJsonObject, readRequestInfo } from '../formats/request-info.js';
import type { Operation } from '../providers/types.js';
import { runAttempts, type ResilienceDependencies } from '../resilience/attempt-loop.js';
import { headerFallbacks, resolveRouteChain } from '../routing/route-chain.js';
import type { RequestFacts } from '../routing/strategy.js';
import { createExchange } from './exchange.js';
import { sanitizeRequestHeaders } from './headers.js';
import { readBody } from './read-body.js';
import type { RequestContext } from './request-context.js';

export interface ApiCall {
  readonly operation: Operation;
  readonly pathModel?: string | undefined;
  readonly pathStream?: boolean | undefined;
}

export async function handleApi(ctx: RequestContext, call: ApiCall, deps: ResilienceDependencies): Promise<void> {
  const limits = ctx.snapshot.proxy.limits;
  const readStart = performance.now();
  const raw = await readBody(ctx.req, { maxBytes: limits.max_body_bytes, timeoutMs: limits.body_timeout_ms });
  ctx.bodyMs = performance.now() - readStart;

  const body = parseJsonObject(raw);
  const info = readRequestInfo(ctx.format, body);
  const models = call.pathModel ? [call.pathModel] : info.models;
  ctx.stream = call.pathStream ?? info.stream;
  const chain = resolveRouteChain(ctx.snapshot, [...models, ...headerFallbacks(ctx.req.headers['x-llmux-fallback'])]);
  ctx.route = chain[0]?.name;
  // After the control headers were read: nothing of the client's credentials or llmux's own headers goes upstream.
  sanitizeRequestHeaders(ctx.req.headers);

  let estimate: number | undefined;
  const facts: RequestFacts = {
    clientIp: ctx.req.socket.remoteAddress ?? '',
    headers: ctx.req.headers,
    user: info.user,
    maxTokens: info.maxTokens,
    // A rough count (4 bytes per token) until a tokenizer is wired in; computed once, on demand.
    estimatedInputTokens: () => (estimate ??= Math.ceil(raw.length / 4)),
  };
  const streamOptions = body.stream_options;
  const includeUsage = typeof streamOptions === 'object' && streamOptions !== null && !Array.isArray(streamOptions) && streamOptions.include_usage === true;

  const handlers = createExchange(ctx, { raw, body, operation: call.operation, requestedModel: models[0] ?? '', includeUsage });
  await runAttempts(ctx, chain, call.operation, { request: facts, state: deps.state, random: deps.random }, handlers, deps);
}
