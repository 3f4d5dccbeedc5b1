/**
 * The few facts the router needs from a client body, read per format without
 * translating anything: the model (a route name, or an ordered fallback list),
 * stream mode, the end-user id and the output-token cap.
 */
import type { JsonObject, JsonValue, WireFormat } from './canonical.js';
import { llmuxError } from '../errors.js';
import { JsonSyntaxError, scanJson } from './json-scan.js';
import type { ValueSpan } from './json-splice.js';

export interface RequestInfo {
  /** Route names in the order to try: the model first, then any client-given fallbacks. */
  readonly models: readonly string[];
  readonly stream: boolean;
  readonly user?: string | undefined;
  readonly maxTokens?: number | undefined;
  /**
   * Whether an answer streamed in this format carries token usage: OpenAI's only
   * when the client asked (`stream_options.include_usage`), the others always.
   */
  readonly streamUsage: boolean;
}

type Reader = (body: JsonObject) => RequestInfo;

function bodyModels(body: JsonObject): string[] {
  const model = body.model;
  if (typeof model === 'string' && model) return [model];
  if (Array.isArray(model) && model.length > 0 && model.every((m) => typeof m === 'string' && m)) return model as string[];
  throw llmuxError('LLMUX_ERR_INVALID_REQUEST', ['`model` is required: a route name, or a list of route names to try in order.']);
}

const numberOr = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined);

const readers: Record<WireFormat, Reader> = {
  openai: (body) => {
    const options = body.stream_options;
    return {
      models: bodyModels(body),
      stream: body.stream === true,
      user: typeof body.user === 'string' ? body.user : undefined,
      maxTokens: numberOr(body.max_completion_tokens) ?? numberOr(body.max_tokens),
      streamUsage: typeof options === 'object' && options !== null && !Array.isArray(options) && options.include_usage === true,
    };
  },
  anthropic: (body) => {
    const metadata = body.metadata;
    const user = metadata && typeof metadata === 'object' && !Array.isArray(metadata) ? metadata.user_id : undefined;
    return {
      models: bodyModels(body),
      stream: body.stream === true,
      user: typeof user === 'string' ? user : undefined,
      maxTokens: numberOr(body.max_tokens),
      streamUsage: true,
    };
  },
  gemini: (body) => {
    const config = body.generationConfig;
    const max = config && typeof config === 'object' && !Array.isArray(config) ? config.maxOutputTokens : undefined;
    // Gemini names the model in the URL; the caller fills `models` and `stream` from the path.
    return { models: [], stream: false, maxTokens: numberOr(max), streamUsage: true };
  },
};

export function readRequestInfo(format: WireFormat, body: JsonObject): RequestInfo {
  return readers[format](body);
}

/**
 * The top-level members each format's reader looks at; `model` first where the body
 * names the model (its span is where a pass-through body's model is rewritten).
 */
const MEMBERS: Readonly<Record<WireFormat, readonly string[]>> = {
  openai: ['model', 'stream', 'user', 'max_completion_tokens', 'max_tokens', 'stream_options'],
  anthropic: ['model', 'stream', 'metadata', 'max_tokens'],
  gemini: ['generationConfig'],
};

export interface ScannedRequest {
  readonly info: RequestInfo;
  /** Where the body's top-level `model` value lies, for formats whose body names the model. */
  readonly modelSpan: ValueSpan | undefined;
}

/**
 * The router's facts from a client body that is checked to be a JSON object but not
 * parsed whole (see json-scan.ts): only the few members the format's reader needs are
 * parsed. Anything but a JSON object is a 400 in the client's own format.
 */
export function scanRequest(format: WireFormat, raw: Buffer): ScannedRequest {
  const keys = MEMBERS[format];
  let spans: ReturnType<typeof scanJson>;
  try {
    spans = scanJson(raw, keys);
  } catch (error) {
    if (!(error instanceof JsonSyntaxError)) throw error;
    throw llmuxError('LLMUX_ERR_INVALID_JSON', [error.message], { cause: error });
  }
  if (!spans) throw llmuxError('LLMUX_ERR_INVALID_JSON', ['the body must be a JSON object']);
  const members: JsonObject = {};
  for (let k = 0; k < keys.length; k++) {
    const span = spans[k];
    if (span) members[keys[k] as string] = JSON.parse(raw.toString('utf8', span.start, span.end)) as JsonValue;
  }
  return { info: readers[format](members), modelSpan: format === 'gemini' ? undefined : spans[0] };
}

/**
 * Where the JSON broke, without quoting it: V8's messages include a snippet of the
 * input, and prompt text must never appear in an error or a log line.
 */
function describeJsonError(error: unknown, length: number): string {
  const message = error instanceof Error ? error.message : '';
  const position = /position (\d+)/.exec(message)?.[1];
  if (position !== undefined) return `syntax error at byte ${position} of ${length}`;
  if (/end of (JSON )?input|Unterminated/i.test(message)) return `the body ends too early (${length} bytes)`;
  return length === 0 ? 'the body is empty' : `syntax error in ${length} bytes`;
}

/** Parses a client body; anything but a JSON object is a 400 in the client's own format. */
export function parseJsonObject(raw: Buffer): JsonObject {
  let value: unknown;
  try {
    value = JSON.parse(raw.toString('utf8'));
  } catch (error) {
    throw llmuxError('LLMUX_ERR_INVALID_JSON', [describeJsonError(error, raw.length)], { cause: error });
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw llmuxError('LLMUX_ERR_INVALID_JSON', ['the body must be a JSON object']);
  }
  return value as JsonObject;
}
