/**
 * Gemini `finishReason` ⇄ canonical finish reasons (genai `FinishReason`). Gemini ends a
 * function-calling turn with STOP, so a finished turn that called tools is `tool_calls`.
 */
import { type FinishReason } from '../canonical.js';

const FILTERED = new Set([
  'SAFETY', 'RECITATION', 'LANGUAGE', 'BLOCKLIST', 'PROHIBITED_CONTENT', 'SPII',
  'IMAGE_SAFETY', 'IMAGE_PROHIBITED_CONTENT', 'IMAGE_RECITATION',
]);

export function finishFromGemini(reason: string, calledTools: boolean): FinishReason {
  if (reason === 'STOP') return calledTools ? 'tool_calls' : 'stop';
  // CONTINUATION: the per-request token limit cut the answer short.
  if (reason === 'MAX_TOKENS' || reason === 'CONTINUATION') return 'length';
  if (FILTERED.has(reason)) return 'content_filter';
  return 'error';
}

export function finishToGemini(reason: FinishReason): string {
  switch (reason) {
    case 'length':
      return 'MAX_TOKENS';
    case 'content_filter':
      return 'SAFETY';
    case 'error':
      return 'OTHER';
    default:
      return 'STOP';
  }
}
