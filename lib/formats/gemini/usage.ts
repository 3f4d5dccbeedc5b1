/**
 * Gemini `usageMetadata` ⇄ canonical usage. Thinking tokens are billed as output, as
 * OpenAI and Anthropic count them; tool-use prompt tokens are input.
 */
import { type JsonObject, type JsonValue, type Usage } from '../canonical.js';
import { isObject } from '../shared/json.js';
import { field } from './fields.js';

const num = (v: JsonValue | undefined): number => (typeof v === 'number' ? v : 0);

export function usageFromGemini(meta: JsonValue | undefined): Usage | undefined {
  if (!isObject(meta)) return undefined;
  const cached = field(meta, 'cachedContentTokenCount');
  return {
    inputTokens: num(field(meta, 'promptTokenCount')) + num(field(meta, 'toolUsePromptTokenCount')),
    outputTokens: num(field(meta, 'candidatesTokenCount')) + num(field(meta, 'thoughtsTokenCount')),
    ...(typeof cached === 'number' ? { cachedInputTokens: cached } : {}),
  };
}

export function usageToGemini(usage: Usage): JsonObject {
  const meta: JsonObject = {
    promptTokenCount: usage.inputTokens,
    candidatesTokenCount: usage.outputTokens,
    totalTokenCount: usage.inputTokens + usage.outputTokens,
  };
  if (usage.cachedInputTokens) meta['cachedContentTokenCount'] = usage.cachedInputTokens;
  return meta;
}
