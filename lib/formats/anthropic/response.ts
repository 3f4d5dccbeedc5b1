/**
 * Anthropic `message` body ⇄ canonical response (anthropic-sdk-typescript `Message`).
 * Thinking and server-tool blocks have no canonical form and are left out.
 */
import { type CanonicalResponse, type JsonObject, type TextPart, type ToolCallPart } from '../canonical.js';
import { type EncodeResponseOptions } from '../codec.js';
import { llmuxError } from '../../errors.js';
import { randomToken } from '../shared/ids.js';
import { isObject, parseObject } from '../shared/json.js';
import { finishFromAnthropic, finishToAnthropic } from './stop-reasons.js';
import { usageFromAnthropic, usageToAnthropic } from './usage.js';

function malformed(detail: string): never {
  throw llmuxError('LLMUX_ERR_UPSTREAM_BAD_RESPONSE', ['Anthropic upstream', detail]);
}

export function decodeResponse(body: JsonObject): CanonicalResponse {
  const blocks = body['content'];
  if (!Array.isArray(blocks)) malformed('`content` is missing');
  const content: (TextPart | ToolCallPart)[] = [];
  for (const block of blocks) {
    if (!isObject(block)) malformed('a content block is not an object');
    if (block['type'] === 'text' && typeof block['text'] === 'string') {
      content.push({ type: 'text', text: block['text'] });
    } else if (block['type'] === 'tool_use') {
      if (typeof block['id'] !== 'string' || typeof block['name'] !== 'string') malformed('a tool_use block lacks its id or name');
      content.push({ type: 'tool_call', id: block['id'], name: block['name'], arguments: JSON.stringify(block['input'] ?? {}) });
    }
  }
  const usage = usageFromAnthropic(body['usage']);
  return {
    id: typeof body['id'] === 'string' ? body['id'] : '',
    model: typeof body['model'] === 'string' ? body['model'] : '',
    content,
    finishReason: finishFromAnthropic(body['stop_reason'] as string | null),
    ...(usage ? { usage } : {}),
  };
}

export function encodeResponse(response: CanonicalResponse, options: EncodeResponseOptions): JsonObject {
  const content: JsonObject[] = [];
  for (const part of response.content) {
    if (part.type === 'text') {
      if (part.text) content.push({ type: 'text', text: part.text });
      continue;
    }
    const input = part.arguments.trim() === '' ? {} : parseObject(part.arguments);
    // Anthropic clients receive `input` as an object; arguments that are not one cannot be relayed.
    if (!input) throw llmuxError('LLMUX_ERR_UPSTREAM_BAD_RESPONSE', ['upstream', `the arguments of tool call ${part.id} are not a JSON object`]);
    content.push({ type: 'tool_use', id: part.id, name: part.name, input });
  }
  return {
    id: response.id || `msg_${randomToken()}`,
    type: 'message',
    role: 'assistant',
    model: options.model,
    content,
    stop_reason: finishToAnthropic(response.finishReason),
    stop_sequence: null,
    usage: usageToAnthropic(response.usage),
  };
}
