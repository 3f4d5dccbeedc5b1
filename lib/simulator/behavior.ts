/**
 * How a mock provider answers: reply text, pacing, tool calls, usage and random
 * faults. A mock holds one resolved behaviour; `setBehavior` swaps in a new one,
 * so a test can turn a healthy provider slow or flaky between two requests.
 */
import { type RandomFault } from './faults.js';

/** The wire format a mock speaks. */
export type ProviderFormat = 'openai' | 'anthropic' | 'gemini';

/** A scripted tool call the mock answers with instead of text. */
export interface ToolCallScript {
  /** Name of the function the "model" calls. */
  readonly name: string;
  /** The call's arguments, as an object or as a ready JSON string. */
  readonly arguments: Readonly<Record<string, unknown>> | string;
  /**
   * The call id reported to the client (OpenAI `call_…`, Anthropic `toolu_…`; Gemini has none).
   * @default a generated id, unique per mock
   */
  readonly id?: string;
  /**
   * Text the model "says" before calling the tool. Real models often do this, and it moves
   * the tool call to the second content block, which translators must index correctly.
   * @default undefined (the tool call is the only output)
   */
  readonly preamble?: string;
  /**
   * How many fragments the streamed arguments are cut into.
   * @default 3
   */
  readonly argumentChunks?: number;
  /**
   * Call the tool even when the request declares no tools. Real models never do; this is
   * for testing how a client copes with a call it did not ask for.
   * @default false
   */
  readonly force?: boolean;
}

/** Token counts that replace the ones the mock would estimate. */
export interface UsageOverride {
  /**
   * Prompt tokens to report.
   * @default ceil(characters of request text / 4)
   */
  readonly inputTokens?: number;
  /**
   * Completion tokens to report.
   * @default ceil(characters of reply / 4)
   */
  readonly outputTokens?: number;
}

/** Everything about a mock's answers that can change at runtime. */
export interface MockBehavior {
  /**
   * The reply text.
   * @default `Hello from <name>.`
   */
  readonly text?: string;
  /**
   * How many content deltas a streamed text reply is cut into (capped at the text length).
   * @default 4
   */
  readonly chunks: number;
  /**
   * Delay before the status line and headers are sent.
   * @default 0
   */
  readonly firstByteDelayMs: number;
  /**
   * Delay between two streamed events.
   * @default 0
   */
  readonly chunkDelayMs: number;
  /**
   * Answer with this tool call when the request declares tools (see {@link ToolCallScript.force}).
   * A request whose last message is a tool result always gets text that quotes the result,
   * so a multi-turn tool loop ends.
   * @default undefined (always answer with text)
   */
  readonly toolCall?: ToolCallScript;
  /**
   * Why the reply ended: `stop` (natural end) or `length` (max tokens reached), rendered as
   * each format's own reason (`stop`/`length`, `end_turn`/`max_tokens`, `STOP`/`MAX_TOKENS`).
   * @default 'stop'
   */
  readonly finishReason: 'stop' | 'length';
  /**
   * Fixed token counts instead of estimates.
   * @default undefined (estimate from characters)
   */
  readonly usage?: UsageOverride;
  /**
   * Length of embedding vectors when the request gives no `dimensions`.
   * @default 16
   */
  readonly embeddingDimensions: number;
  /**
   * Faults drawn at random for each request that has no scripted fault queued.
   * @default []
   */
  readonly faults: readonly RandomFault[];
  /**
   * Model ids listed by the models endpoint.
   * @default a few current model ids of the format
   */
  readonly models: readonly string[];
  /**
   * Answer 404 (model not found, in the provider's shape) for a model not in {@link models}.
   * @default false
   */
  readonly rejectUnknownModels: boolean;
  /**
   * Context window: a prompt estimated above this many tokens gets the provider's own
   * context-length error.
   * @default undefined (no limit)
   */
  readonly maxContextTokens?: number;
  /**
   * Builds the reply to a request whose last message is a tool result.
   * @default (result) => `Hello from <name>. The tool returned: <result>`
   */
  readonly toolResultText?: (result: string, mockName: string) => string;
}

/** The part of {@link MockBehavior} a caller may give; everything has a default. */
export type MockBehaviorOptions = Partial<MockBehavior>;

const DEFAULT_MODELS: Readonly<Record<ProviderFormat, readonly string[]>> = {
  openai: ['gpt-4o-mini', 'gpt-4o', 'text-embedding-3-small'],
  anthropic: ['claude-sonnet-4-6', 'claude-haiku-4-5'],
  gemini: ['gemini-2.5-flash', 'gemini-2.5-pro'],
};

/** The behaviour of a fresh mock of `format`. */
export function defaultBehavior(format: ProviderFormat): MockBehavior {
  return {
    chunks: 4,
    firstByteDelayMs: 0,
    chunkDelayMs: 0,
    finishReason: 'stop',
    embeddingDimensions: 16,
    faults: [],
    models: DEFAULT_MODELS[format],
    rejectUnknownModels: false,
  };
}

/**
 * Applies `patch` over `base`. A key given as `undefined` resets an optional field
 * (e.g. `{ toolCall: undefined }` turns tool calls off again).
 */
export function mergeBehavior(base: MockBehavior, patch: MockBehaviorOptions): MockBehavior {
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) {
      if (!REQUIRED_KEYS.has(key)) delete merged[key];
    } else {
      merged[key] = value;
    }
  }
  const result = merged as unknown as MockBehavior;
  validateBehavior(result);
  return result;
}

/** Keys that always have a value; `undefined` in a patch leaves them unchanged. */
const REQUIRED_KEYS: ReadonlySet<string> = new Set<keyof MockBehavior>([
  'chunks',
  'firstByteDelayMs',
  'chunkDelayMs',
  'finishReason',
  'embeddingDimensions',
  'faults',
  'models',
  'rejectUnknownModels',
]);

function validateBehavior(b: MockBehavior): void {
  const nonNegative = { firstByteDelayMs: b.firstByteDelayMs, chunkDelayMs: b.chunkDelayMs };
  for (const [key, value] of Object.entries(nonNegative)) {
    if (!Number.isFinite(value) || value < 0) throw new RangeError(`${key} must be a number >= 0, got ${value}`);
  }
  if (!Number.isInteger(b.chunks) || b.chunks < 1) throw new RangeError(`chunks must be an integer >= 1, got ${b.chunks}`);
  if (!Number.isInteger(b.embeddingDimensions) || b.embeddingDimensions < 1) {
    throw new RangeError(`embeddingDimensions must be an integer >= 1, got ${b.embeddingDimensions}`);
  }
  for (const entry of b.faults) {
    if (!(entry.probability >= 0 && entry.probability <= 1)) {
      throw new RangeError(`fault probability must be between 0 and 1, got ${entry.probability}`);
    }
  }
}
