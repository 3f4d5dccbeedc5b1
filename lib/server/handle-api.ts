/**
 * The request path for API calls: read and parse the body, resolve the model to a
 * route chain (rules for virtual models, budgets), run the attempt loop with the
 * handlers for this request's formats, then account for what it cost.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { performance } from 'node:perf_hooks';
import { scanRequest } from '../formats/request-info.js';
import type { Operation } from '../providers/types.js';
import { runAttempts, type ResilienceDependencies } from '../resilience/attempt-loop.js';
import { applyBudgets, recordSpend } from '../routing/budgets.js';
import { headerFallbacks, resolveRouteChain } from '../routing/route-chain.js';
import { evaluateRules } from '../routing/rules.js';
import type { RequestFacts } from '../routing/strategy.js';
import { costReport } from '../telemetry/accounting.js';
import { assertKeyBudget, assertRouteAllowed, recordKeySpend } from './client-auth.js';
import { createExchange } from './exchange.js';
import { implicitRoutes } from './forward/implicit-route.js';
import { readBody } from './read-body.js';
import type { RequestContext } from './request-context.js';
import { RequestView } from './request-view.js';

export interface ApiCall {
  readonly operation: Operation;
  readonly pathModel?: string | undefined;
  readonly pathStream?: boolean | undefined;
}

/** What strategies read of the request (the `hash` strategy its client IP, a header or `user`). */
class Facts implements RequestFacts {
  constructor(
    readonly clientIp: string,
    readonly headers: IncomingHttpHeaders,
    private readonly view: RequestView,
  ) {}

  get user(): string | undefined {
    return this.view.info.user;
  }

  get maxTokens(): number | undefined {
    return this.view.info.maxTokens;
  }

  estimatedInputTokens(): number {
    return this.view.estimatedInputTokens();
  }
}

export async function handleApi(ctx: RequestContext, call: ApiCall, deps: ResilienceDependencies): Promise<void> {
  const limits = ctx.snapshot.proxy.limits;
  const readStart = performance.now();
  // The parser hands a body that came with the headers to the request right after
  // this handler's synchronous part: one microtask later it can be taken whole.
  await undefined;
  let raw = readBody(ctx.req, { maxBytes: limits.max_body_bytes, timeoutMs: limits.body_timeout_ms });
  if (raw instanceof Promise) raw = await raw;
  ctx.bodyMs = performance.now() - readStart;

  const { info, modelSpan } = scanRequest(ctx.format, raw);
  const models = call.pathModel ? [call.pathModel] : info.models;
  ctx.stream = call.pathStream ?? info.stream;
  const view = new RequestView(ctx.format, call.operation, raw, info, models[0] ?? '', ctx.stream, modelSpan);

  const fallbackHeader = ctx.req.headers['x-llmux-fallback'];
  const names = fallbackHeader === undefined ? models : [...models, ...headerFallbacks(fallbackHeader)];
  for (const name of names) assertRouteAllowed(ctx.clientKey, name);
  if (ctx.clientKey?.budget) await assertKeyBudget(ctx.clientKey, deps.state, Date.now());
  // A virtual model (e.g. `auto`) becomes the route its rules pick for this request.
  const { virtualModels } = ctx.snapshot;
  const requested =
    virtualModels.size === 0
      ? names
      : names.map((name) => {
          const virtual = virtualModels.get(name);
          if (!virtual) return name;
          const verdict = evaluateRules(virtual, { view, headers: ctx.req.headers, clientKey: ctx.clientKeyName });
          ctx.rule ??= `${name}:${verdict.rule}`;
          return verdict.route;
        });
  const resolved = resolveRouteChain(ctx.snapshot, requested, implicitRoutes(ctx));
  const chain = resolved.some((route) => route.budget) ? await applyBudgets(resolved, deps.state, Date.now()) : resolved;
  ctx.route = chain[0]?.name;
  // Kept aside for providers with `passthrough_auth`. With client keys configured, what the
  // client sends is an llmux key: it never goes upstream. (No client credential, nor any of
  // llmux's own headers, is copied into an upstream request: see `upstreamHeaders`.)
  const clientKey = ctx.snapshot.auth.required ? undefined : ctx.credential;

  const facts = new Facts(ctx.req.socket.remoteAddress ?? '', ctx.req.headers, view);
  const handlers = createExchange(ctx, view, clientKey);
  const served = await runAttempts(ctx, chain, call.operation, { request: facts, state: deps.state, random: deps.random }, handlers, deps, view);
  if (!served) return;

  const { usage, countedOutputTokens } = served.delivery;
  const estimated = usage === undefined;
  ctx.cost = costReport(served.target.price, usage ?? { inputTokens: view.roughInputTokens(), outputTokens: countedOutputTokens ?? 0 }, estimated);
  if (ctx.cost.usd !== undefined) {
    await recordSpend(served.route, ctx.cost.usd, deps.state, Date.now());
    await recordKeySpend(ctx.clientKey, ctx.cost.usd, deps.state, Date.now());
  }
}
