/**
 * The canonical, format-neutral shapes that translation goes through:
 * client format → canonical → provider format (and back for responses and streams).
 * Same-format traffic never touches these: it is passed through byte for byte.
 */
import type { ErrorKind } from '../errors.js';

export type WireFormat = 'openai' | 'anthropic' | 'gemini';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'stop_sequence' | 'error';

export interface TextPart {
  readonly type: 'text';
  readonly text: string;
}

export interface ImagePart {
  readonly type: 'image';
  /** Either a URL (`https:` or `data:`) or inline base64 data with its media type. */
  readonly source: { readonly kind: 'url'; readonly url: string } | { readonly kind: 'base64'; readonly mediaType: string; readonly data: string };
}

export interface ToolCallPart {
  readonly type: 'tool_call';
  readonly id: string;
  readonly name: string;
  /** Arguments as a JSON text, exactly as the model produced them. */
  readonly arguments: string;
}

export interface ToolResultPart {
  readonly type: 'tool_result';
  readonly toolCallId: string;
  /** Name of the tool that was called, when known (Gemini needs it). */
  readonly name?: string;
  readonly content: readonly (TextPart | ImagePart)[];
  readonly isError?: boolean;
}

export type ContentPart = TextPart | ImagePart | ToolCallPart | ToolResultPart;

export interface CanonicalMessage {
  readonly role: 'user' | 'assistant' | 'tool';
  readonly content: readonly ContentPart[];
}

export interface ToolDefinition {
  readonly name: string;
  readonly description?: string;
  /** JSON Schema of the arguments. */
  readonly parameters: JsonObject;
  /** Strict schema adherence (OpenAI `strict`, Anthropic `strict`); absent means the provider default. */
  readonly strict?: boolean;
}

export type ToolChoice =
  | { readonly type: 'auto' }
  | { readonly type: 'none' }
  | { readonly type: 'required' }
  | { readonly type: 'tool'; readonly name: string };

export interface CanonicalRequest {
  /** The model the client asked for (a route name); encoders replace it with the target's model. */
  readonly model: string;
  readonly system?: readonly TextPart[];
  readonly messages: readonly CanonicalMessage[];
  readonly maxTokens?: number;
  readonly temperature?: number;
  readonly topP?: number;
  readonly topK?: number;
  readonly stop?: readonly string[];
  readonly seed?: number;
  readonly frequencyPenalty?: number;
  readonly presencePenalty?: number;
  readonly stream: boolean;
  /** OpenAI `stream_options.include_usage`; other formats always report usage. */
  readonly includeUsage?: boolean;
  readonly tools?: readonly ToolDefinition[];
  readonly toolChoice?: ToolChoice;
  readonly parallelToolCalls?: boolean;
  /** JSON mode: `json_object`, or `json_schema` with a schema. */
  readonly responseFormat?: { readonly type: 'json_object' } | { readonly type: 'json_schema'; readonly name?: string; readonly schema: JsonObject };
  /** End-user id for abuse tracking and sticky routing. */
  readonly user?: string;
  /**
   * Fields of the client's request that no canonical field carries; named so the
   * encoder can report them in `x-llmux-dropped` rather than lose them silently.
   */
  readonly unmapped: readonly string[];
  /**
   * Fields of the client's request that no other format can express (server-side tools,
   * audio or document inputs …). Decoding never rejects them, so same-format pass-through
   * keeps working; every cross-format encoder rejects a request that has any
   * (`LLMUX_ERR_UNSUPPORTED_FIELD`, naming the first).
   */
  readonly unsupported?: readonly string[];
}

export interface Usage {
  readonly inputTokens: number;
  readonly outputTokens: number;
  /** Part of `inputTokens` read from the provider's prompt cache. */
  readonly cachedInputTokens?: number;
  /** Part of `inputTokens` written to the provider's prompt cache (Anthropic cache creation). */
  readonly cacheWriteInputTokens?: number;
}

export interface CanonicalResponse {
  readonly id: string;
  readonly model: string;
  /** Assistant content: text and tool calls, in order. */
  readonly content: readonly (TextPart | ToolCallPart)[];
  readonly finishReason: FinishReason;
  readonly usage?: Usage;
}

/**
 * One step of a translated stream. Decoders turn upstream SSE events into these;
 * encoders turn these into the client's SSE events. Indexes are per content block
 * (text blocks and tool calls share one sequence, in the order they appeared).
 */
export type StreamEvent =
  | { readonly type: 'start'; readonly id: string; readonly model: string; readonly usage?: Usage }
  | { readonly type: 'text_delta'; readonly index: number; readonly text: string }
  | { readonly type: 'tool_call_start'; readonly index: number; readonly id: string; readonly name: string }
  | { readonly type: 'tool_call_delta'; readonly index: number; readonly argumentsDelta: string }
  | { readonly type: 'block_stop'; readonly index: number }
  | { readonly type: 'finish'; readonly reason: FinishReason }
  | { readonly type: 'usage'; readonly usage: Usage }
  | { readonly type: 'error'; readonly error: CanonicalError }
  | { readonly type: 'end' };

export interface CanonicalError {
  readonly status: number;
  readonly kind: ErrorKind;
  readonly message: string;
  /** The provider's or llmux's own code, when there is one. */
  readonly code?: string;
  /** The upstream refused the prompt as longer than the model's context window (worth a bigger-context fallback). */
  readonly contextLengthExceeded?: boolean;
}
