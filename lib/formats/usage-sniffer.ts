/**
 * Reads the token usage out of a same-format stream that llmux passes through
 * untouched. Only events that carry usage are decoded (a cheap substring test
 * first), unless the stream will report none (an OpenAI client that did not ask
 * for `include_usage`): then every event is decoded to count the answer's text
 * for an estimate. Never throws; a stream it cannot read just has no usage.
 */
import { countTokens } from '../routing/tokenizer.js';
import type { Usage } from './canonical.js';
import type { FormatCodec } from './codec.js';
import { createSseReader } from './sse.js';

export interface UsageSniffer {
  push(chunk: Uint8Array): void;
  /** The usage the stream reported, if it did. */
  readonly usage: Usage | undefined;
  /** Output tokens counted from the streamed text (only when every event was decoded). */
  readonly countedOutputTokens: number | undefined;
}

export function createUsageSniffer(codec: FormatCodec, options: { readonly decodeAll: boolean }): UsageSniffer {
  const reader = createSseReader();
  const decoder = codec.createStreamDecoder();
  let usage: Usage | undefined;
  let text = '';
  let broken = false;
  return {
    push(chunk) {
      if (broken) return;
      try {
        for (const event of reader.push(chunk)) {
          if (!options.decodeAll && !event.data.includes('usage')) continue;
          for (const decoded of decoder.decode(event)) {
            if (decoded.type === 'usage') usage = mergeUsage(usage, decoded.usage);
            else if (decoded.type === 'start' && decoded.usage) usage = mergeUsage(usage, decoded.usage);
            else if (decoded.type === 'text_delta' && options.decodeAll) text += decoded.text;
            else if (decoded.type === 'tool_call_delta' && options.decodeAll) text += decoded.argumentsDelta;
          }
        }
      } catch {
        broken = true;
      }
    },
    get usage() {
      return usage;
    },
    get countedOutputTokens() {
      return options.decodeAll && !broken ? countTokens(text) : undefined;
    },
  };
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
