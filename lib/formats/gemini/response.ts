/**
 * Gemini `GenerateContentResponse` ⇄ canonical response (https://ai.google.dev/api/generate-content#v1beta.GenerateContentResponse).
 * A prompt blocked before generation has no candidates, only `promptFeedback.blockReason`.
 */
import { type CanonicalResponse, type JsonObject, type JsonValue, type TextPart, type ToolCallPart } from '../canonical.js';
import { type EncodeResponseOptions } from '../codec.js';
import { llmuxError } from '../../errors.js';
import { randomToken, syntheticCallId } from '../shared/ids.js';
import { isObject, parseObject } from '../shared/json.js';
import { field } from './fields.js';
import { finishFromGemini, finishToGemini } from './stop-reasons.js';
import { usageFromGemini, usageToGemini } from './usage.js';

export function firstCandidate(body: JsonObject): JsonObject | undefined {
  const candidates = body['candidates'];
  const first = Array.isArray(candidates) ? candidates[0] : undefined;
  return isObject(first) ? first : undefined;
}

/** The parts of a candidate, or `undefined` when the candidate has no content. */
export function candidateParts(candidate: JsonObject | undefined): JsonValue[] | undefined {
  const content = candidate ? candidate['content'] : undefined;
  const parts = isObject(content) ? content['parts'] : undefined;
  return Array.isArray(parts) ? parts : undefined;
}

export function isBlocked(body: JsonObject): boolean {
  const feedback = body['promptFeedback'];
  return isObject(feedback) && typeof feedback['blockReason'] === 'string';
}

export function decodeResponse(body: JsonObject): CanonicalResponse {
  const candidate = firstCandidate(body);
  if (!candidate && !isBlocked(body)) throw llmuxError('LLMUX_ERR_UPSTREAM_BAD_RESPONSE', ['Gemini upstream', 'the response has no candidates']);
  const responseId = typeof body['responseId'] === 'string' ? body['responseId'] : randomToken();
  const content: (TextPart | ToolCallPart)[] = [];
  let position = 0;
  for (const part of candidateParts(candidate) ?? []) {
    if (!isObject(part) || part['thought'] === true) continue;
    const call = part['functionCall'];
    if (typeof part['text'] === 'string') {
      if (part['text']) content.push({ type: 'text', text: part['text'] });
    } else if (isObject(call) && typeof call['name'] === 'string') {
      const id = typeof call['id'] === 'string' && call['id'] ? call['id'] : syntheticCallId(responseId, position);
      position++;
      content.push({ type: 'tool_call', id, name: call['name'], arguments: JSON.stringify(call['args'] ?? {}) });
    }
  }
  const reason = candidate ? candidate['finishReason'] : undefined;
  const usage = usageFromGemini(field(body, 'usageMetadata'));
  return {
    id: responseId,
    model: typeof body['modelVersion'] === 'string' ? body['modelVersion'] : '',
    content,
    finishReason: candidate ? finishFromGemini(typeof reason === 'string' ? reason : 'STOP', position > 0) : 'content_filter',
    ...(usage ? { usage } : {}),
  };
}

export function encodeResponse(response: CanonicalResponse, options: EncodeResponseOptions): JsonObject {
  const parts: JsonObject[] = [];
  for (const part of response.content) {
    if (part.type === 'text') {
      if (part.text) parts.push({ text: part.text });
      continue;
    }
    const args = part.arguments.trim() === '' ? {} : parseObject(part.arguments);
    if (!args) throw llmuxError('LLMUX_ERR_UPSTREAM_BAD_RESPONSE', ['upstream', `the arguments of tool call ${part.id} are not a JSON object`]);
    parts.push({ functionCall: { id: part.id, name: part.name, args } });
  }
  // genai's chat history keeps only candidates with at least one non-empty part.
  if (parts.length === 0) parts.push({ text: '' });
  const body: JsonObject = {
    candidates: [{ content: { parts, role: 'model' }, finishReason: finishToGemini(response.finishReason), index: 0 }],
  };
  if (response.usage) body['usageMetadata'] = usageToGemini(response.usage);
  body['modelVersion'] = options.model;
  body['responseId'] = response.id;
  return body;
}
