/**
 * OpenAI `chat.completion` body ⇄ canonical response.
 * Shape: openai-node `ChatCompletion` / `ChatCompletionMessage`.
 */
import { type CanonicalResponse, type JsonObject, type JsonValue, type TextPart, type ToolCallPart } from '../canonical.js';
import { type EncodeResponseOptions } from '../codec.js';
import { llmuxError } from '../../errors.js';
import { isObject } from '../shared/json.js';
import { finishFromOpenAI, finishToOpenAI } from './stop-reasons.js';
import { usageFromOpenAI, usageToOpenAI } from './usage.js';

function malformed(detail: string): never {
  throw llmuxError('LLMUX_ERR_UPSTREAM_BAD_RESPONSE', ['OpenAI upstream', detail]);
}

export function decodeResponse(body: JsonObject): CanonicalResponse {
  const choices = body['choices'];
  if (!Array.isArray(choices)) malformed('`choices` is missing');
  const choice = choices[0];
  if (!isObject(choice) || !isObject(choice['message'])) malformed('`choices[0].message` is missing');
  const message = choice['message'];
  const content: (TextPart | ToolCallPart)[] = [];
  if (typeof message['content'] === 'string' && message['content'] !== '') content.push({ type: 'text', text: message['content'] });
  if (typeof message['refusal'] === 'string' && message['refusal'] !== '') content.push({ type: 'text', text: message['refusal'] });
  const calls = message['tool_calls'];
  if (Array.isArray(calls)) {
    for (const call of calls) {
      const fn = isObject(call) ? call['function'] : undefined;
      if (!isObject(call) || !isObject(fn) || typeof call['id'] !== 'string' || typeof fn['name'] !== 'string') {
        malformed('a tool call lacks its id or function name');
      }
      const args = fn['arguments'];
      content.push({ type: 'tool_call', id: call['id'], name: fn['name'], arguments: typeof args === 'string' ? args : '' });
    }
  }
  const usage = usageFromOpenAI(body['usage']);
  return {
    id: typeof body['id'] === 'string' ? body['id'] : '',
    model: typeof body['model'] === 'string' ? body['model'] : '',
    content,
    finishReason: typeof message['refusal'] === 'string' && message['refusal'] ? 'content_filter' : finishFromOpenAI(choice['finish_reason'] as string | null),
    ...(usage ? { usage } : {}),
  };
}

export function encodeResponse(response: CanonicalResponse, options: EncodeResponseOptions): JsonObject {
  let text: string | null = null;
  const calls: JsonValue[] = [];
  for (const part of response.content) {
    if (part.type === 'text') text = text === null ? part.text : text + part.text;
    else calls.push({ id: part.id, type: 'function', function: { name: part.name, arguments: part.arguments || '{}' } });
  }
  const message: JsonObject = { role: 'assistant', content: text, refusal: null };
  if (calls.length > 0) message['tool_calls'] = calls;
  const body: JsonObject = {
    id: response.id,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: options.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: finishToOpenAI(response.finishReason) }],
  };
  if (response.usage) body['usage'] = usageToOpenAI(response.usage);
  return body;
}
