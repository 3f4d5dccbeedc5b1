/**
 * OpenAI `usage` ⇄ canonical usage. `prompt_tokens` already includes cached tokens, as
 * the canonical `inputTokens` does.
 */
import { type JsonObject, type JsonValue, type Usage } from '../canonical.js';
import { isObject } from '../shared/json.js';

const num = (v: JsonValue | undefined): number => (typeof v === 'number' ? v : 0);

export function usageFromOpenAI(usage: JsonValue | undefined): Usage | undefined {
  if (!isObject(usage)) return undefined;
  const details = usage['prompt_tokens_details'];
  const cached = isObject(details) ? details['cached_tokens'] : undefined;
  const written = isObject(details) ? details['cache_write_tokens'] : undefined;
  return {
    inputTokens: num(usage['prompt_tokens']),
    outputTokens: num(usage['completion_tokens']),
    ...(typeof cached === 'number' ? { cachedInputTokens: cached } : {}),
    ...(typeof written === 'number' ? { cacheWriteInputTokens: written } : {}),
  };
}

export function usageToOpenAI(usage: Usage): JsonObject {
  const body: JsonObject = {
    prompt_tokens: usage.inputTokens,
    completion_tokens: usage.outputTokens,
    total_tokens: usage.inputTokens + usage.outputTokens,
  };
  if (usage.cachedInputTokens !== undefined || usage.cacheWriteInputTokens) {
    const details: JsonObject = { cached_tokens: usage.cachedInputTokens ?? 0 };
    if (usage.cacheWriteInputTokens) details['cache_write_tokens'] = usage.cacheWriteInputTokens;
    body['prompt_tokens_details'] = details;
  }
  return body;
}
