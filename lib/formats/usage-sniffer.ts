/**
 * Reads the token usage out of a same-format stream that llmux passes through
 * untouched. Only events that carry usage are decoded (a cheap substring test
 * first). When the stream will report none (an OpenAI client that did not ask for
 * `include_usage`), the answer's length is measured instead, by scanning for the
 * JSON string values of its text fields without parsing the events; the output
 * estimate is that length in characters over four. Never throws.
 */
import type { Usage } from './canonical.js';
import type { FormatCodec, StreamDecoder } from './codec.js';
import { createSseReader } from './sse.js';

export interface UsageSniffer {
  push(chunk: Uint8Array): void;
  /** The usage the stream reported, if it did. */
  readonly usage: Usage | undefined;
  /** Estimated output tokens from the streamed text's length (only when measuring). */
  readonly countedOutputTokens: number | undefined;
}

/** Text-bearing fields of the three formats' stream events. */
const TEXT_FIELDS = ['"content":"', '"arguments":"', '"text":"', '"partial_json":"'];

/** Characters in the JSON string values of text fields in one event (escapes counted as one). */
function textLength(data: string): number {
  let total = 0;
  for (const field of TEXT_FIELDS) {
    for (let at = data.indexOf(field); at !== -1; at = data.indexOf(field, at + 1)) {
      let i = at + field.length;
      while (i < data.length && data.charCodeAt(i) !== 0x22) {
        if (data.charCodeAt(i) === 0x5c) i++;
        i++;
        total++;
      }
    }
  }
  return total;
}

export function createUsageSniffer(codec: FormatCodec, options: { readonly decodeAll: boolean }): UsageSniffer {
  return new Sniffer(codec.createStreamDecoder(), options.decodeAll);
}

/** A class rather than an object literal with getters over closed-over state (see the SSE reader for why). */
class Sniffer implements UsageSniffer {
  readonly #reader = createSseReader();
  #usage: Usage | undefined;
  #characters = 0;
  #broken = false;

  constructor(
    private readonly decoder: StreamDecoder,
    private readonly decodeAll: boolean,
  ) {}

  get usage(): Usage | undefined {
    return this.#usage;
  }

  get countedOutputTokens(): number | undefined {
    return this.decodeAll && !this.#broken ? Math.ceil(this.#characters / 4) : undefined;
  }

  push(chunk: Uint8Array): void {
    if (this.#broken) return;
    try {
      for (const event of this.#reader.push(chunk)) {
        if (this.decodeAll) this.#characters += textLength(event.data);
        if (!event.data.includes('usage')) continue;
        for (const decoded of this.decoder.decode(event)) {
          if (decoded.type === 'usage') this.#usage = mergeUsage(this.#usage, decoded.usage);
          else if (decoded.type === 'start' && decoded.usage) this.#usage = mergeUsage(this.#usage, decoded.usage);
        }
      }
    } catch {
      this.#broken = true;
    }
  }
}

/** Anthropic reports input tokens at the start and output tokens at the end: keep the larger of each. */
function mergeUsage(previous: Usage | undefined, next: Usage): Usage {
  if (!previous) return next;
  return {
    inputTokens: Math.max(previous.inputTokens, next.inputTokens),
    outputTokens: Math.max(previous.outputTokens, next.outputTokens),
    cachedInputTokens: Math.max(previous.cachedInputTokens ?? 0, next.cachedInputTokens ?? 0) || undefined,
  };
}
