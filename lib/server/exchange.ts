/**
 * The attempt handlers for one request: how to build each target's upstream
 * call and how to answer the client from it. Same format in and out is the fast
 * path (the body passes through except for `model`); a different format goes
 * through the canonical form, decoded once per request and encoded per target.
 */
import type { WireFormat } from '../formats/canonical.js';
import { spliceJson, type ValueSpan } from '../formats/json-splice.js';
import { getCodec } from '../formats/registry.js';
import type { AttemptHandlers } from '../resilience/attempt-loop.js';
import type { AttemptFailure, AttemptSuccess } from '../resilience/attempt.js';
import type { EncodedRequest, FormatCodec } from '../formats/codec.js';
import type { Target } from '../routing/target.js';
import { deliverAnswer, relayUpstreamError, type Delivery } from './deliver.js';
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
 * The attempt handlers of one request, as one object (it lives as long as the
 * request). `clientKey` is the key the client sent; it goes upstream only to
 * providers with `passthrough_auth: true`, in that provider's own auth header.
 */
export function createExchange(ctx: RequestContext, view: RequestView, clientKey?: string): AttemptHandlers {
  return new Exchange(ctx, view, clientKey);
}

class Exchange implements AttemptHandlers {
  readonly #clientCodec: FormatCodec;
  readonly #span: ValueSpan | undefined;
  /** The body spliced for the last model asked (a request usually goes to one). */
  #splicedModel: string | undefined;
  #splicedBody: Buffer | undefined;
  #dropped: Map<string, readonly string[]> | undefined;

  constructor(
    private readonly ctx: RequestContext,
    private readonly view: RequestView,
    private readonly clientKey: string | undefined,
  ) {
    this.#clientCodec = getCodec(view.format);
    this.#span = modelInBody[view.format] ? view.modelSpan : undefined;
  }

  prepare(target: Target): UpstreamCall {
    const { view, clientKey } = this;
    const { bound, agent } = target.provider;
    const url = bound.endpoint(view.operation, target.model, view.stream);
    const headers = bound.passthroughAuth && clientKey ? providerHeaders(bound.headersWithKey(clientKey)) : providerHeaders(bound.headers);
    if (bound.format === view.format) return { url, body: this.#passThroughBody(target.model), headers: headers.plain, agent, relayAsIs: true };
    const encoded = this.#translate(target);
    (this.#dropped ??= new Map()).set(target.id, encoded.dropped);
    return { url, body: Buffer.from(JSON.stringify(encoded.body)), headers: headers.json, agent };
  }

  deliver(target: Target, success: AttemptSuccess, limits: { readonly idleMs: number; readonly remainingMs: number }): Delivery | Promise<Delivery> {
    const { view } = this;
    return deliverAnswer(this.ctx, target, success, {
      idleMs: limits.idleMs,
      remainingMs: limits.remainingMs,
      clientCodec: this.#clientCodec,
      requestedModel: view.requestedModel,
      includeUsage: view.info.streamUsage,
      streamReportsUsage: view.info.streamUsage,
      dropped: this.#dropped?.get(target.id) ?? NOTHING_DROPPED,
    });
  }

  relayError(target: Target, failure: AttemptFailure): void {
    relayUpstreamError(this.ctx, target, failure, this.#clientCodec);
  }

  /** The client's body with only `model` changed; the same model is spliced once. */
  #passThroughBody(model: string): Buffer {
    const { raw } = this.view;
    const span = this.#span;
    if (!span) return raw;
    if (this.#splicedModel === model && this.#splicedBody) return this.#splicedBody;
    const body = spliceJson(raw, span, model);
    this.#splicedModel = model;
    this.#splicedBody = body;
    return body;
  }

  #translate(target: Target): EncodedRequest {
    const defaults = target.provider.bound.requestDefaults;
    return getCodec(target.provider.bound.format).encodeRequest(this.view.canonical(), {
      model: target.model,
      defaultMaxTokens: defaults.defaultMaxTokens ?? 4096,
      ...(defaults.apiVersion ? { apiVersion: defaults.apiVersion } : {}),
    });
  }
}

const NOTHING_DROPPED: readonly string[] = Object.freeze([]);
