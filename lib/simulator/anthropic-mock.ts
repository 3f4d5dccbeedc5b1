/**
 * The Anthropic dialect: `POST /v1/messages` (and `/v1/messages/count_tokens`) and
 * `GET /v1/models`. Every request needs an `anthropic-version` header; the key comes in
 * `x-api-key` or, as recent SDKs send it, `Authorization: Bearer`. Bodies are checked
 * like the real API checks them: required `model`/`max_tokens`/`messages`, no `system`
 * role inside `messages`, and every `tool_use` answered by a `tool_result` in the very
 * next message — the rules a translator from OpenAI most easily breaks.
 */
import { anthropicError, anthropicErrorReply, anthropicRateLimitHeaders } from './anthropic-errors.js';
import { messageReply, messageStream } from './anthropic-messages.js';
import { type Reply } from './delivery.js';
import {
  asArray,
  asObject,
  bearerToken,
  type CallContext,
  type Dialect,
  type Exchange,
  headerValue,
  type IncomingCall,
  jsonReply,
  type ProviderError,
  simId,
} from './dialect.js';
import { quotaAfter } from './rate-limit.js';
import { type ConversationFacts, estimateTokens, textOf } from './reply-script.js';

const MODEL_PATH = /^\/v1\/models\/([^/]+)$/;

function anthropicHeaders(ctx: CallContext): Record<string, string> {
  return {
    'request-id': simId('req_', ctx),
    'anthropic-organization-id': '00000000-0000-4000-8000-00000000517a',
    ...anthropicRateLimitHeaders(quotaAfter(ctx.served, ctx.now)),
  };
}

export const anthropicDialect: Dialect = {
  format: 'anthropic',
  defaultContextWindow: 200_000,

  accept(call: IncomingCall, ctx: CallContext): Exchange | Reply {
    const headers = anthropicHeaders(ctx);
    const path = call.url.pathname;
    if (!headerValue(call.headers, 'anthropic-version')) {
      return anthropicError(400, 'invalid_request_error', 'anthropic-version: header is required', headers);
    }
    if (ctx.apiKey !== undefined) {
      const key = headerValue(call.headers, 'x-api-key') ?? bearerToken(call.headers);
      if (key === undefined) return anthropicError(401, 'authentication_error', 'x-api-key header is required', headers);
      if (key !== ctx.apiKey) return anthropicError(401, 'authentication_error', 'invalid x-api-key', headers);
    }
    if (call.method === 'POST' && path === '/v1/messages') return messages(call, ctx, headers, false);
    if (call.method === 'POST' && path === '/v1/messages/count_tokens') return messages(call, ctx, headers, true);
    if (call.method === 'GET' && path === '/v1/models') {
      const data = ctx.script.behavior.models.map(modelObject);
      const body = { data, has_more: false, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null };
      return listing(body, headers);
    }
    const one = call.method === 'GET' ? MODEL_PATH.exec(path) : null;
    if (one) {
      const id = decodeURIComponent(one[1]!);
      if (!ctx.script.behavior.models.includes(id)) return anthropicError(404, 'not_found_error', `model: ${id}`, headers);
      return listing(modelObject(id), headers);
    }
    return anthropicError(404, 'not_found_error', 'Not Found', headers);
  },

  errorReply(error: ProviderError, ctx: CallContext): Reply {
    return anthropicErrorReply(error, anthropicHeaders(ctx));
  },
};

function modelObject(id: string): { type: string; id: string; display_name: string; created_at: string } {
  return { type: 'model', id, display_name: id, created_at: '2025-09-29T00:00:00Z' };
}

function listing(body: unknown, headers: Record<string, string>): Exchange {
  return { isModelCall: false, stream: false, promptTokens: 0, answer: () => jsonReply(200, body, headers) };
}

function messages(
  call: IncomingCall,
  ctx: CallContext,
  headers: Record<string, string>,
  countOnly: boolean,
): Exchange | Reply {
  const invalid = (message: string): Reply => anthropicError(400, 'invalid_request_error', message, headers);
  if (call.invalidJson) return invalid('There was an error parsing the body of your request.');
  const body = asObject(call.json);
  if (!body) return invalid('There was an error parsing the body of your request.');
  if (typeof body.model !== 'string') return invalid('model: Field required');
  if (!countOnly && typeof body.max_tokens !== 'number') return invalid('max_tokens: Field required');
  if (!Array.isArray(body.messages)) return invalid('messages: Field required');
  const problem = checkMessages(body.messages);
  if (problem) return invalid(problem);
  const model = body.model;
  const behavior = ctx.script.behavior;
  if (behavior.rejectUnknownModels && !behavior.models.includes(model)) {
    return anthropicError(404, 'not_found_error', `model: ${model}`, headers);
  }

  const facts = messageFacts(body, body.messages);
  const promptTokens = estimateTokens(facts.promptChars);
  if (countOnly) {
    const answer = (): Reply => jsonReply(200, { input_tokens: promptTokens }, headers);
    return { isModelCall: false, stream: false, promptTokens, answer };
  }
  const stream = body.stream === true;
  return {
    isModelCall: true,
    stream,
    promptTokens,
    answer: () => {
      const plan = ctx.script.plan(facts, () => simId('toolu_', ctx));
      const answer = { plan, model, id: simId('msg_', ctx), headers };
      return stream ? messageStream(answer) : messageReply(answer);
    },
  };
}

function checkMessages(messages: readonly unknown[]): string | undefined {
  for (const [i, item] of messages.entries()) {
    const message = asObject(item);
    const role = message?.role;
    if (role === 'system') {
      return 'messages: Unexpected role "system". The Messages API accepts a top-level `system` parameter, not "system" as an input message role.';
    }
    if (role !== 'user' && role !== 'assistant') return `messages.${i}.role: Input should be 'user' or 'assistant'`;
    const uses = blocksOf(message?.content, 'tool_use').map((b) => b.id);
    const answered = new Set(blocksOf(asObject(messages[i + 1])?.content, 'tool_result').map((b) => b.tool_use_id));
    const unanswered = uses.filter((id) => !answered.has(id));
    if (i + 1 < messages.length && unanswered.length > 0) {
      return `messages.${i}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${unanswered.join(', ')}. Each \`tool_use\` block must have a corresponding \`tool_result\` block in the next message.`;
    }
    const called = new Set(blocksOf(asObject(messages[i - 1])?.content, 'tool_use').map((b) => b.id));
    const orphans = blocksOf(message?.content, 'tool_result').filter((b) => !called.has(b.tool_use_id));
    if (orphans.length > 0) {
      return `messages.${i}.content.0: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${orphans.map((b) => String(b.tool_use_id)).join(', ')}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`;
    }
  }
  return undefined;
}

function blocksOf(content: unknown, type: string): Record<string, unknown>[] {
  return asArray(content)
    .map(asObject)
    .filter((b): b is Record<string, unknown> => b?.type === type);
}

function messageFacts(body: Record<string, unknown>, messages: readonly unknown[]): ConversationFacts {
  let promptChars = textChars(body.system);
  for (const item of messages) {
    const content = asObject(item)?.content;
    promptChars += textChars(content);
    for (const use of blocksOf(content, 'tool_use')) {
      promptChars += String(use.name).length + JSON.stringify(use.input ?? {}).length;
    }
    for (const result of blocksOf(content, 'tool_result')) promptChars += textOf(result.content).length;
  }
  const last = asObject(messages.at(-1));
  const results = last?.role === 'user' ? blocksOf(last.content, 'tool_result') : [];
  return {
    promptChars,
    hasTools: asArray(body.tools).length > 0,
    ...(results.length > 0 ? { toolResult: results.map((r) => textOf(r.content)).join('\n') } : {}),
  };
}

/** Characters of text in a string or in the `text` blocks of a block list. */
function textChars(content: unknown): number {
  if (typeof content === 'string') return content.length;
  return blocksOf(content, 'text').reduce((sum, b) => sum + String(b.text).length, 0);
}
