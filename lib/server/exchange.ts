/**
 * The attempt handlers for one request: how to build each target's upstream
 * call and how to answer the client from it. Same format in and out is the fast
 * path (the body passes through except for `model`); a different format goes
 * through the canonical form, decoded once per request and encoded per target.
 */
import type { WireFormat } from '../formats/canonical.js';
import type { EncodedRequest } from '../formats/codec.js';
import { findTopLevelValue, spliceJson, type ValueSpan } from '../formats/json-splice.js';
import { getCodec } from '../formats/registry.js';
import type { AttemptHandlers } from '../resilience/attempt-loop.js';
import type { Target } from '../routing/target.js';
import { deliverAnswer, relayUpstreamError } from './deliver.js';
import type { RequestContext } from './request-context.js';
import type { RequestView } from './request-view.js';
import type { UpstreamCall } from './upstream.js';

/** Formats whose body names the model (Gemini names it in the URL instead). */
const modelInBody: Readonly<Record<WireFormat, boolean>> = { openai: true, anthropic: true, gemini: false };

const UPSTREAM_DEFAULTS = { 'accept-encoding': 'identity' } as const;
const JSON_HEADERS = { ...UPSTREAM_DEFAULTS, 'content-type': 'application/json' } as const;

/** The headers of each provider's upstream calls, merged once per provider rather than per request. */
const merged = new WeakMap<object, { readonly plain: Readonly<Record<string, string>>; readonly json: Readonly<Record<string, string>> }>();

function providerHeaders(auth: Readonly<Record<string, string>>): { readonly plain: Readonly<Record<string, string>>; readonly json: Readonly<Record<string, string>> } {
  let headers = merged.get(auth);
  if (!headers) {
    headers = { plain: Object.freeze({ ...UPSTREAM_DEFAULTS, ...auth }), json: Object.freeze({ ...JSON_HEADERS, ...auth }) };
    merged.set(auth, headers);
  }
  return headers;
}

/**
 * `clientKey` is the key the client sent; it goes upstream only to providers with
 * `passthrough_auth: true`, in that provider's own auth header.
 */
export function createExchange(ctx: RequestContext, view: RequestView, clientKey?: string): AttemptHandlers {
  const clientCodec = getCodec(view.format);
  const span: ValueSpan | undefined = modelInBody[view.format] ? findTopLevelValue(view.raw, 'model') : undefined;
  const spliced = new Map<string, Buffer>();
  const dropped = new Map<string, readonly string[]>();

  /** The client's body with only `model` changed; each distinct model spliced once. */
  const passThroughBody = (model: string): Buffer => {
    if (!span) return view.raw;
    let body = spliced.get(model);
    if (!body) {
      const current = view.raw.subarray(span.start, span.end).toString('utf8');
      body = current === JSON.stringify(model) ? view.raw : spliceJson(view.raw, span, model);
      spliced.set(model, body);
    }
    return body;
  };

  const translate = (target: Target): EncodedRequest => {
    const defaults = target.provider.bound.requestDefaults;
    return getCodec(target.provider.bound.format).encodeRequest(view.canonical(), {
      model: target.model,
      defaultMaxTokens: defaults.defaultMaxTokens ?? 4096,
      ...(defaults.apiVersion ? { apiVersion: defaults.apiVersion } : {}),
    });
  };

  return {
    prepare(target): UpstreamCall {
      const { bound, agent } = target.provider;
      const url = bound.endpoint(view.operation, target.model, view.stream);
      const headers = bound.passthroughAuth && clientKey ? providerHeaders(bound.headersWithKey(clientKey)) : providerHeaders(bound.headers);
      if (bound.format === view.format) return { url, body: passThroughBody(target.model), headers: headers.plain, agent, relayAsIs: true };
      const encoded = translate(target);
      dropped.set(target.id, encoded.dropped);
      return { url, body: Buffer.from(JSON.stringify(encoded.body)), headers: headers.json, agent };
    },
    deliver(target, success, limits) {
      return deliverAnswer(ctx, target, success, {
        idleMs: limits.idleMs,
        remainingMs: limits.remainingMs,
        clientCodec,
        requestedModel: view.requestedModel,
        includeUsage: view.info.streamUsage,
        streamReportsUsage: view.info.streamUsage,
        dropped: dropped.get(target.id) ?? [],
      });
    },
    relayError(target, failure) {
      relayUpstreamError(ctx, target, failure, clientCodec);
    },
  };
}
