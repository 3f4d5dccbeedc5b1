/**
 * Decides what the "model" says, independent of wire format: plain text cut into
 * stream deltas, a scripted tool call with its arguments cut into fragments, or a text
 * that quotes a tool result. Each format mock only renders the plan, so the three mocks
 * answer the same conversation with the same content and token counts, and a
 * translation can be checked by comparing them.
 */
import { type MockBehavior } from './behavior.js';
import { splitText } from './sse-writer.js';

/** What a mock read from a request, in format-neutral terms. */
export interface ConversationFacts {
  /** Characters of prompt text (system prompt, message text, tool calls and results). */
  readonly promptChars: number;
  /** The request declares tools the model may call. */
  readonly hasTools: boolean;
  /** Set when the last message carries tool results: their text, joined. */
  readonly toolResult?: string;
}

/** Token counts reported for an exchange. */
export interface PlannedUsage {
  readonly inputTokens: number;
  readonly outputTokens: number;
}

/** Reply text with its stream deltas. */
export interface PlannedText {
  readonly text: string;
  readonly pieces: readonly string[];
}

/** A reply that is text only. */
export interface TextReplyPlan {
  readonly kind: 'text';
  readonly text: PlannedText;
  readonly finish: 'stop' | 'length';
  readonly usage: PlannedUsage;
}

/** A reply that calls a tool, optionally after some text. */
export interface ToolReplyPlan {
  readonly kind: 'tool_call';
  readonly preamble?: PlannedText;
  readonly callId: string;
  readonly name: string;
  /** The arguments as one JSON string. */
  readonly argumentsJson: string;
  /** The same arguments parsed (Anthropic's `input`, Gemini's `args`). */
  readonly argumentsValue: unknown;
  /** The same JSON cut into stream fragments. */
  readonly argumentPieces: readonly string[];
  readonly usage: PlannedUsage;
}

/** What the mock answers. */
export type ReplyPlan = TextReplyPlan | ToolReplyPlan;

/** Rough token estimate: about four characters per token, never zero. */
export function estimateTokens(chars: number): number {
  return Math.max(1, Math.ceil(chars / 4));
}

/**
 * A behaviour compiled for fast planning: the default text and tool arguments are cut
 * into pieces once, not on every request.
 */
export class ReplyScript {
  readonly #behavior: MockBehavior;
  readonly #mockName: string;
  readonly #defaultText: PlannedText;
  readonly #preamble: PlannedText | undefined;
  readonly #argumentsJson: string | undefined;
  readonly #argumentsValue: unknown;
  readonly #argumentPieces: readonly string[];

  constructor(behavior: MockBehavior, mockName: string) {
    this.#behavior = behavior;
    this.#mockName = mockName;
    this.#defaultText = planText(behavior.text ?? `Hello from ${mockName}.`, behavior.chunks);
    const call = behavior.toolCall;
    this.#preamble = call?.preamble === undefined ? undefined : planText(call.preamble, behavior.chunks);
    this.#argumentsJson =
      call === undefined ? undefined : typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments);
    this.#argumentsValue = this.#argumentsJson === undefined ? undefined : parseArguments(this.#argumentsJson);
    this.#argumentPieces =
      this.#argumentsJson === undefined ? [] : splitText(this.#argumentsJson, call?.argumentChunks ?? 3);
  }

  /** The behaviour this script was compiled from. */
  get behavior(): MockBehavior {
    return this.#behavior;
  }

  /** Plans the answer to a request; `newCallId` supplies a format-specific id when the script has none. */
  plan(facts: ConversationFacts, newCallId: () => string): ReplyPlan {
    const b = this.#behavior;
    const inputTokens = b.usage?.inputTokens ?? estimateTokens(facts.promptChars);
    const call = b.toolCall;
    if (facts.toolResult !== undefined) {
      const render = b.toolResultText ?? defaultToolResultText;
      const text = planText(render(facts.toolResult, this.#mockName), b.chunks);
      return this.#textPlan(text, inputTokens);
    }
    if (call !== undefined && this.#argumentsJson !== undefined && (facts.hasTools || call.force === true)) {
      const outChars = (this.#preamble?.text.length ?? 0) + call.name.length + this.#argumentsJson.length;
      return {
        kind: 'tool_call',
        ...(this.#preamble === undefined ? {} : { preamble: this.#preamble }),
        callId: call.id ?? newCallId(),
        name: call.name,
        argumentsJson: this.#argumentsJson,
        argumentsValue: this.#argumentsValue,
        argumentPieces: this.#argumentPieces,
        usage: { inputTokens, outputTokens: b.usage?.outputTokens ?? estimateTokens(outChars) },
      };
    }
    return this.#textPlan(this.#defaultText, inputTokens);
  }

  #textPlan(text: PlannedText, inputTokens: number): TextReplyPlan {
    const b = this.#behavior;
    return {
      kind: 'text',
      text,
      finish: b.finishReason,
      usage: { inputTokens, outputTokens: b.usage?.outputTokens ?? estimateTokens(text.text.length) },
    };
  }
}

function parseArguments(json: string): unknown {
  try {
    return JSON.parse(json) as unknown;
  } catch {
    throw new RangeError(`toolCall.arguments must be a JSON object or a JSON string, got: ${json}`);
  }
}

function planText(text: string, chunks: number): PlannedText {
  return { text, pieces: splitText(text, chunks) };
}

function defaultToolResultText(result: string, mockName: string): string {
  return `Hello from ${mockName}. The tool returned: ${result}`;
}

/** Text of a value that may be a string, a list of text parts, or any JSON. */
export function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(textOf).join('');
  if (value !== null && typeof value === 'object') {
    const text = (value as { text?: unknown }).text;
    if (typeof text === 'string') return text;
    return JSON.stringify(value);
  }
  return value === undefined ? '' : String(value);
}
