/**
 * The attempt handlers for one request: how to build each target's upstream
 * call and how to answer the client from it. Same format in and out is the fast
 * path (the body passes through except for `model`); a different format goes
 * through the canonical form, decoded once per request and encoded per target.
 */
import type { CanonicalRequest, JsonObject, WireFormat } from '../formats/canonical.js';
import type { EncodedRequest } from '../formats/codec.js';
import { findTopLevelValue, spliceJson, type ValueSpan } from '../formats/json-splice.js';
import { getCodec } from '../formats/registry.js';
import type { Operation } from '../providers/types.js';
import type { AttemptHandlers } from '../resilience/attempt-loop.js';
import type { Target } from '../routing/target.js';
import { deliverAnswer, relayUpstreamError } from './deliver.js';
import type { RequestContext } from './request-context.js';
import type { UpstreamCall } from './upstream.js';

/** Formats whose body names the model (Gemini names it in the URL instead). */
const modelInBody: Readonly<Record<WireFormat, boolean>> = { openai: true, anthropic: true, gemini: false };

const UPSTREAM_DEFAULTS = { 'accept-encoding': 'identity' } as const;
const JSON_HEADERS = { ...UPSTREAM_DEFAULTS, 'content-type': 'application/json' } as const;

export interface ExchangeInput {
  readonly raw: Buffer;
  readonly body: JsonObject;
  readonly operation: Operation;
  /** The model name the client asked for, reported back in translated answers. */
  readonly requestedModel: string;
  /** OpenAI clients get a usage chunk only when they asked for one. */
  readonly includeUsage: boolean;
}

export function createExchange(ctx: RequestContext, input: ExchangeInput): AttemptHandlers {
  const clientCodec = getCodec(ctx.format);
  const span: ValueSpan | undefined = modelInBody[ctx.format] ? findTopLevelValue(input.raw, 'model') : undefined;
  const spliced = new Map<string, Buffer>();
  let canonical: CanonicalRequest | undefined;
  const dropped = new Map<string, readonly string[]>();

  /** The client's body with only `model` changed; each distinct model spliced once. */
  const passThroughBody = (model: string): Buffer => {
    if (!span) return input.raw;
    let body = spliced.get(model);
    if (!body) {
      const current = input.raw.subarray(span.start, span.end).toString('utf8');
      body = current === JSON.stringify(model) ? input.raw : spliceJson(input.raw, span, model);
      spliced.set(model, body);
    }
    return body;
  };

  const translate = (target: Target): EncodedRequest => {
    canonical ??= clientCodec.decodeRequest(input.body, { model: input.requestedModel, stream: ctx.stream });
    const defaults = target.provider.bound.requestDefaults;
    return getCodec(target.provider.bound.format).encodeRequest(canonical, {
      model: target.model,
      defaultMaxTokens: defaults.defaultMaxTokens ?? 4096,
      ...(defaults.apiVersion ? { apiVersion: defaults.apiVersion } : {}),
    });
  };

  return {
    prepare(target): UpstreamCall {
      const { bound, agent } = target.provider;
      const url = bound.endpoint(input.operation, target.model, ctx.stream);
      if (bound.format === ctx.format) {
        return { url, body: passThroughBody(target.model), headers: { ...UPSTREAM_DEFAULTS, ...bound.headers }, agent };
      }
      const encoded = translate(target);
      dropped.set(target.id, encoded.dropped);
      return { url, body: Buffer.from(JSON.stringify(encoded.body)), headers: { ...JSON_HEADERS, ...bound.headers }, agent };
    },
    deliver(target, success, limits) {
      return deliverAnswer(ctx, target, success, {
        ...limits,
        clientCodec,
        requestedModel: input.requestedModel,
        includeUsage: input.includeUsage,
        dropped: dropped.get(target.id) ?? [],
      });
    },
    relayError(target, failure) {
      relayUpstreamError(ctx, target, failure, clientCodec);
    },
  };
}
