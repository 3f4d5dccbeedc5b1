/**
 * What each wire format (OpenAI, Anthropic, Gemini) provides to the pipeline. The
 * pipeline only ever talks to this interface, so it never names a format.
 */
import type {
  CanonicalError,
  CanonicalRequest,
  CanonicalResponse,
  JsonObject,
  StreamEvent,
  Usage,
  WireFormat,
} from './canonical.js';

/** One parsed server-sent event. */
export interface SseEvent {
  readonly event?: string;
  readonly data: string;
}

export interface EncodedRequest {
  readonly body: JsonObject;
  /** Request fields the target cannot express and that were dropped (reported in `x-llmux-dropped`). */
  readonly dropped: readonly string[];
}

export interface EncodeRequestOptions {
  /** The target's model name (replaces the client's route name). */
  readonly model: string;
  /** Used when the target requires a max-tokens value and the client gave none. */
  readonly defaultMaxTokens: number;
  /**
   * The provider's configured API version (Anthropic: the `anthropic-version` header sent
   * upstream); the body is shaped for that version's rules. Absent: the newest version
   * the codec knows.
   */
  readonly apiVersion?: string;
}

export interface EncodeResponseOptions {
  /** The model name to report to the client (the route it asked for). */
  readonly model: string;
}

/** Turns upstream SSE events into canonical stream events, one call per event. */
export interface StreamDecoder {
  decode(event: SseEvent): readonly StreamEvent[];
  /** Called when the upstream stream ends; returns any events still owed (e.g. a missing finish). */
  end(): readonly StreamEvent[];
}

/** Turns canonical stream events into the client's SSE text, one call per event. */
export interface StreamEncoder {
  encode(event: StreamEvent): string;
}

export interface FormatCodec {
  readonly name: WireFormat;
  /** Client body → canonical. Throws an `LlmuxError` (400) for a body this format rejects. */
  decodeRequest(body: JsonObject, info: { readonly model: string; readonly stream: boolean }): CanonicalRequest;
  /** Canonical → upstream body in this format. Throws an `LlmuxError` (400) for what cannot be expressed. */
  encodeRequest(request: CanonicalRequest, options: EncodeRequestOptions): EncodedRequest;
  /** Upstream non-streamed body in this format → canonical. Throws on a malformed body. */
  decodeResponse(body: JsonObject): CanonicalResponse;
  /**
   * Just the usage of a whole answer in this format (cheaper than `decodeResponse`:
   * the pass-through path needs only this, to account the cost).
   */
  readUsage(body: JsonObject): Usage | undefined;
  /** The top-level field of a whole answer that holds its usage (`usage`, `usageMetadata`). */
  readonly usageField: string;
  /** Canonical → client body in this format. */
  encodeResponse(response: CanonicalResponse, options: EncodeResponseOptions): JsonObject;
  createStreamDecoder(): StreamDecoder;
  createStreamEncoder(options: EncodeResponseOptions & { readonly includeUsage: boolean }): StreamEncoder;
  /** Upstream error body in this format → canonical (tolerates bodies that are not JSON). */
  decodeError(status: number, body: string): CanonicalError;
  /** Canonical error → this format's error body and status, for a client. */
  encodeError(error: CanonicalError): { readonly status: number; readonly body: JsonObject };
  /** A well-formed terminal error event in this format's stream, for failures after the first byte. */
  encodeStreamError(error: CanonicalError): string;
}
