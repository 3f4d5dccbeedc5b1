/**
 * The contract between the generic mock server and one provider's wire format. The
 * server owns sockets, recording, pacing and faults; a dialect owns everything the
 * provider's documentation defines: paths, auth headers, body validation, answer
 * shapes, stream framing and error bodies.
 */
import { type IncomingHttpHeaders } from 'node:http';
import { type ProviderFormat } from './behavior.js';
import { type Reply } from './delivery.js';
import { type RetryTiming } from './rate-limit.js';
import { type ReplyScript } from './reply-script.js';
import { JSON_HEADERS } from './sse-writer.js';

/** A request as received, body fully read. */
export interface IncomingCall {
  readonly method: string;
  readonly url: URL;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  /** The parsed body, or `undefined` when it is empty or not JSON. */
  readonly json: unknown;
  /** The body is non-empty and does not parse as JSON. */
  readonly invalidJson: boolean;
}

/** What a dialect knows about the mock and this one request. */
export interface CallContext {
  readonly mockName: string;
  /** The key the mock requires, if any. */
  readonly apiKey: string | undefined;
  readonly script: ReplyScript;
  /** Unique per request across mocks; appended to a prefix it makes request and response ids. */
  readonly idSuffix: string;
  /** Requests this mock has received before this one. */
  readonly served: number;
  /** Time the request arrived (epoch ms). */
  readonly now: number;
}

/** A request the dialect accepted: routed, authenticated and valid. */
export interface Exchange {
  /** A model call (chat, messages, generateContent, embeddings), not a listing. */
  readonly isModelCall: boolean;
  /** The client asked for a stream. */
  readonly stream: boolean;
  /** The estimated prompt size, for context-window checks. */
  readonly promptTokens: number;
  /** Builds the normal answer. */
  answer(): Reply;
}

/** A provider error described without its wire shape. */
export type ProviderError =
  | { readonly kind: 'server'; readonly status: number; readonly message?: string }
  | { readonly kind: 'rate_limit'; readonly timing: RetryTiming }
  | { readonly kind: 'context_length'; readonly promptTokens: number; readonly maxTokens: number }
  | { readonly kind: 'client'; readonly status: number; readonly message?: string };

/** One provider's wire format. */
export interface Dialect {
  readonly format: ProviderFormat;
  /** Context window named in context-length errors when the behaviour sets none. */
  readonly defaultContextWindow: number;
  /** Routes and checks a request; an answer instead of an exchange is an error to send as is. */
  accept(call: IncomingCall, ctx: CallContext): Exchange | Reply;
  /** Renders an error in the provider's own body shape, with its usual headers. */
  errorReply(error: ProviderError, ctx: CallContext): Reply;
}

/** A JSON answer. */
export function jsonReply(status: number, body: unknown, headers: Readonly<Record<string, string>>): Reply {
  return { status, headers: { ...JSON_HEADERS, ...headers }, pieces: [JSON.stringify(body)], streaming: false };
}

/** A header's value, the first one when it was sent several times. */
export function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The token of an `Authorization: Bearer …` header. */
export function bearerToken(headers: IncomingHttpHeaders): string | undefined {
  const match = /^Bearer\s+(.+)$/i.exec(headerValue(headers, 'authorization') ?? '');
  return match?.[1]?.trim();
}

/** A plain JSON object, or `undefined`. */
export function asObject(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** An array, or an empty one. */
export function asArray(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}

/** An id in the provider's style (`chatcmpl-…`, `msg_…`, `req_…`), unique per request. */
export function simId(prefix: string, ctx: CallContext): string {
  return prefix + ctx.idSuffix;
}
