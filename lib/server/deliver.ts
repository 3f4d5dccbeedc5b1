/**
 * Answering the client from a committed attempt. Same format: the upstream's
 * bytes as they are. Different format: a whole answer is decoded and re-encoded;
 * a stream goes through a stateful translator chunk by chunk. Either way a
 * stream that breaks after it started ends with a terminal error event in the
 * client's own stream format.
 */
import type { OutgoingHttpHeaders } from 'node:http';
import type { FormatCodec } from '../formats/codec.js';
import type { JsonValue, Usage } from '../formats/canonical.js';
import { findTopLevelValueFromEnd } from '../formats/json-splice.js';
import { getCodec } from '../formats/registry.js';
import { createStreamTranslator } from '../formats/stream-translator.js';
import { createUsageSniffer } from '../formats/usage-sniffer.js';
import { costUsd, formatUsd } from '../telemetry/accounting.js';
import type { AttemptFailure, AttemptSuccess } from '../resilience/attempt.js';
import type { Target } from '../routing/target.js';
import { llmuxError } from '../errors.js';
import { responseHeaders } from './headers.js';
import { relayBody, type RelayEnd } from './relay.js';
import type { RequestContext } from './request-context.js';

export interface DeliveryOptions {
  /** Whether a same-format stream will carry usage (else its text is counted for an estimate). */
  readonly streamReportsUsage: boolean;
  readonly idleMs: number;
  readonly remainingMs: number;
  readonly clientCodec: FormatCodec;
  readonly requestedModel: string;
  readonly includeUsage: boolean;
  readonly dropped: readonly string[];
}

/** How an answer ended, and the token usage it reported (when llmux could read it). */
export interface Delivery {
  readonly end: RelayEnd;
  readonly usage?: Usage | undefined;
  /** Output tokens llmux counted itself, for a stream that reported no usage. */
  readonly countedOutputTokens?: number | undefined;
}

/**
 * A new literal per response, not a spread of a shared one: V8 (Node 20) gives a
 * spread copy a hidden class outside the transition tree, so every header llmux adds
 * to it afterwards makes a new hidden class (an old-generation map) per response.
 */
const sseHeaders = (): OutgoingHttpHeaders => ({ 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });

/** `base` (a fresh object, added to in place) with llmux's headers. */
function headersFor(ctx: RequestContext, base: OutgoingHttpHeaders, dropped: readonly string[], cost?: number): OutgoingHttpHeaders {
  ctx.measureOverhead();
  const headers = ctx.llmuxHeaders(base);
  if (dropped.length > 0) headers['x-llmux-dropped'] = dropped.join(', ');
  if (cost !== undefined) headers['x-llmux-cost-usd'] = formatUsd(cost);
  return headers;
}

/** The cost of a whole answer, for its header, when both usage and a price are known. */
const wholeCost = (target: Target, usage: Usage | undefined): number | undefined => (usage && target.price ? costUsd(target.price, usage) : undefined);

function brokenMessage(target: Target, error: Error): string {
  if (error instanceof ShutdownCut) return error.message;
  return `the upstream stream from ${target.id} broke off: ${error.message}`;
}

/** The reason an answer is cut when llmux shuts down and the drain timeout has passed. */
export class ShutdownCut extends Error {
  constructor(drainMs: number) {
    super(`llmux is shutting down and the answer did not finish within the ${drainMs} ms drain timeout; retry the request`);
    this.name = 'ShutdownCut';
  }
}

/** Synchronous for a whole answer; a stream's delivery resolves when the stream ends. */
export function deliverAnswer(ctx: RequestContext, target: Target, success: AttemptSuccess, options: DeliveryOptions): Delivery | Promise<Delivery> {
  const { res } = ctx;
  const upstreamCodec = getCodec(target.provider.bound.format);
  const sameFormat = upstreamCodec === options.clientCodec;
  const status = success.response.statusCode ?? 200;

  if (success.mode === 'whole') {
    if (sameFormat) {
      const usage = usageOf(upstreamCodec, success.body);
      const headers = responseHeaders(success.response.headers, false);
      headers['content-length'] = success.body.length;
      res.writeHead(status, headersFor(ctx, headers, options.dropped, wholeCost(target, usage)));
      res.end(success.body);
      return { end: COMPLETE, usage };
    }
    let text: string;
    let usage: Usage | undefined;
    try {
      if (!success.json) throw new Error('the answer was not parsed');
      const canonical = upstreamCodec.decodeResponse(success.json);
      usage = canonical.usage;
      text = JSON.stringify(options.clientCodec.encodeResponse(canonical, { model: options.requestedModel }));
    } catch (error) {
      const failure = llmuxError('LLMUX_ERR_UPSTREAM_BAD_RESPONSE', [target.id, error instanceof Error ? error.message : String(error)]);
      const { status: errorStatus, body } = options.clientCodec.encodeError({ status: failure.status, kind: failure.kind, message: failure.message, code: failure.code });
      res.writeHead(errorStatus, headersFor(ctx, { 'content-type': 'application/json' }, []));
      res.end(JSON.stringify(body));
      return { end: { kind: 'upstream_broken', error: failure } };
    }
    res.writeHead(200, headersFor(ctx, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }, options.dropped, wholeCost(target, usage)));
    res.end(text);
    return { end: COMPLETE, usage };
  }
  return deliverStream(ctx, target, success, options, upstreamCodec, sameFormat);
}

const COMPLETE: RelayEnd = Object.freeze({ kind: 'complete' });

async function deliverStream(
  ctx: RequestContext,
  target: Target,
  success: AttemptSuccess & { readonly mode: 'stream' },
  options: DeliveryOptions,
  upstreamCodec: FormatCodec,
  sameFormat: boolean,
): Promise<Delivery> {
  const { res } = ctx;
  const status = success.response.statusCode ?? 200;
  const { idleMs, remainingMs } = options;
  if (sameFormat) {
    res.writeHead(status, headersFor(ctx, responseHeaders(success.response.headers, false), options.dropped));
    const sniffer = createUsageSniffer(upstreamCodec, { decodeAll: !options.streamReportsUsage });
    const end = await relayBody(success.response, res, success.first, {
      idleMs,
      remainingMs,
      tap: (chunk) => sniffer.push(chunk),
      onBroken: (error) =>
        options.clientCodec.encodeStreamError({ status: 502, kind: 'bad_gateway', message: brokenMessage(target, error), code: 'LLMUX_ERR_UPSTREAM_STREAM_BROKEN' }),
    });
    return { end, usage: sniffer.usage, countedOutputTokens: sniffer.countedOutputTokens };
  }
  const translator = createStreamTranslator(upstreamCodec, options.clientCodec, { model: options.requestedModel, includeUsage: options.includeUsage });
  res.writeHead(200, headersFor(ctx, sseHeaders(), options.dropped));
  const end = await relayBody(success.response, res, success.first, {
    idleMs,
    remainingMs,
    transform: (chunk) => translator.push(chunk),
    flush: () => translator.end(),
    onBroken: (error) =>
      translator.done
        ? undefined
        : options.clientCodec.encodeStreamError({ status: 502, kind: 'bad_gateway', message: brokenMessage(target, error), code: 'LLMUX_ERR_UPSTREAM_STREAM_BROKEN' }),
  });
  // Garbage inside an otherwise complete stream was turned into an error event by the translator.
  if (end.kind === 'complete' && translator.failed) return { end: { kind: 'upstream_broken', error: new Error('the upstream stream carried a malformed event') } };
  return { end, usage: translator.usage };
}

/**
 * The usage a whole same-format answer reports, read from its usage field alone
 * (the answer itself is relayed as bytes, never parsed whole). A body the codec
 * cannot read just has none.
 */
function usageOf(codec: FormatCodec, body: Buffer): Usage | undefined {
  try {
    const span = findTopLevelValueFromEnd(body, codec.usageField);
    if (!span) return undefined;
    return codec.readUsage({ [codec.usageField]: JSON.parse(body.toString('utf8', span.start, span.end)) as JsonValue });
  } catch {
    return undefined;
  }
}

/** An upstream error the client caused: relayed as-is in the same format, translated otherwise. */
export function relayUpstreamError(ctx: RequestContext, target: Target, failure: AttemptFailure, clientCodec: FormatCodec): void {
  const { res } = ctx;
  const upstreamCodec = getCodec(target.provider.bound.format);
  const status = failure.failure.status ?? 502;
  if (upstreamCodec === clientCodec && failure.body && failure.headers) {
    const headers = responseHeaders(failure.headers, false);
    headers['content-length'] = failure.body.length;
    res.writeHead(status, headersFor(ctx, headers, []));
    res.end(failure.body);
    return;
  }
  const error = failure.failure.error ?? { status, kind: 'api_error' as const, message: failure.failure.detail };
  const { status: clientStatus, body } = clientCodec.encodeError(error);
  const text = JSON.stringify(body);
  res.writeHead(clientStatus, headersFor(ctx, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }, []));
  res.end(text);
}
