/**
 * Anthropic `usage` ⇄ canonical usage. Anthropic's `input_tokens` excludes cache reads
 * and cache writes, while canonical `inputTokens` is the whole prompt, as OpenAI and
 * Gemini count it.
 */
import { type JsonObject, type JsonValue, type Usage } from '../canonical.js';
import { isObject } from '../shared/json.js';

const num = (v: JsonValue | undefined): number | undefined => (typeof v === 'number' ? v : undefined);

/** `base` fills what a `message_delta` usage leaves out (it may omit the input counts). */
export function usageFromAnthropic(usage: JsonValue | undefined, base?: Usage): Usage | undefined {
  if (!isObject(usage)) return undefined;
  const read = num(usage['cache_read_input_tokens']);
  const written = num(usage['cache_creation_input_tokens']);
  const uncached = num(usage['input_tokens']);
  const cachedInputTokens = read ?? base?.cachedInputTokens;
  const cacheWriteInputTokens = written ?? base?.cacheWriteInputTokens;
  const inputTokens =
    uncached === undefined && read === undefined && written === undefined
      ? (base?.inputTokens ?? 0)
      : (uncached ?? 0) + (cachedInputTokens ?? 0) + (cacheWriteInputTokens ?? 0);
  return {
    inputTokens,
    outputTokens: num(usage['output_tokens']) ?? base?.outputTokens ?? 0,
    ...(cachedInputTokens === undefined ? {} : { cachedInputTokens }),
    ...(cacheWriteInputTokens === undefined ? {} : { cacheWriteInputTokens }),
  };
}

export function usageToAnthropic(usage: Usage | undefined): JsonObject {
  const cached = usage?.cachedInputTokens ?? 0;
  const written = usage?.cacheWriteInputTokens ?? 0;
  return {
    input_tokens: Math.max(0, (usage?.inputTokens ?? 0) - cached - written),
    cache_creation_input_tokens: written,
    cache_read_input_tokens: cached,
    output_tokens: usage?.outputTokens ?? 0,
  };
}
