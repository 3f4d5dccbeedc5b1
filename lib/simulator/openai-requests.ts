/**
 * Reading OpenAI request bodies the way the API does: a model (from the body, or from
 * the deployment on Azure), a non-empty `messages` list with known roles, and every
 * `tool` message answering a call of the assistant message before it. The checks are the
 * ones a translator from Anthropic or Gemini most easily fails, with the API's wording.
 */
import { type Reply } from './delivery.js';
import { asArray, asObject, type CallContext, type Exchange, type IncomingCall, simId } from './dialect.js';
import { chatCompletionReply, chatCompletionStream } from './openai-chat.js';
import { embeddingInputs, embeddingsReply } from './openai-embeddings.js';
import { INVALID_JSON_ERROR, openaiError } from './openai-errors.js';
import { type ConversationFacts, estimateTokens, textOf } from './reply-script.js';

type Headers = Readonly<Record<string, string>>;

const ROLES = ['system', 'assistant', 'user', 'function', 'tool', 'developer'];

function invalid(headers: Headers, message: string, param: string | null, code: string | null): Reply {
  return openaiError(400, { message, type: 'invalid_request_error', param, code }, headers);
}

type Checked =
  | { readonly ok: true; readonly body: Record<string, unknown>; readonly model: string }
  | { readonly ok: false; readonly reply: Reply };

/** Checks shared by chat and embeddings: a JSON object, a model, and (optionally) a known model. */
function checkBody(call: IncomingCall, ctx: CallContext, headers: Headers, deployment: string | undefined): Checked {
  const body = asObject(call.json);
  if (call.invalidJson || !body) return { ok: false, reply: openaiError(400, INVALID_JSON_ERROR, headers) };
  // Azure takes the model from the deployment in the path; the body's `model` is optional there.
  const model = typeof body.model === 'string' ? body.model : deployment;
  if (model === undefined) return { ok: false, reply: invalid(headers, 'you must provide a model parameter', null, null) };
  const behavior = ctx.script.behavior;
  if (behavior.rejectUnknownModels && !behavior.models.includes(model)) {
    const message = `The model \`${model}\` does not exist or you do not have access to it.`;
    const error = { message, type: 'invalid_request_error', param: null, code: 'model_not_found' };
    return { ok: false, reply: openaiError(404, error, headers) };
  }
  return { ok: true, body, model };
}

/** A chat completion request; `deployment` is set on Azure paths. */
export function chatExchange(
  call: IncomingCall,
  ctx: CallContext,
  headers: Headers,
  deployment: string | undefined,
): Exchange | Reply {
  const checked = checkBody(call, ctx, headers, deployment);
  if (!checked.ok) return checked.reply;
  const { body, model } = checked;
  const messages = body.messages;
  if (!Array.isArray(messages)) {
    return invalid(headers, "Missing required parameter: 'messages'.", 'messages', 'missing_required_parameter');
  }
  if (messages.length === 0) {
    const message = "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.";
    return invalid(headers, message, 'messages', 'empty_array');
  }
  const problem = checkMessages(messages);
  if (problem) return invalid(headers, problem.message, problem.param, problem.code);

  const facts = chatFacts(body, messages);
  const stream = body.stream === true;
  const includeUsage = stream && asObject(body.stream_options)?.include_usage === true;
  return {
    isModelCall: true,
    stream,
    promptTokens: estimateTokens(facts.promptChars),
    answer: () => {
      const answer = {
        plan: ctx.script.plan(facts, () => simId('call_', ctx)),
        model,
        id: simId('chatcmpl-', ctx),
        created: Math.floor(ctx.now / 1000),
        includeUsage,
        azure: deployment !== undefined,
        headers,
      };
      return stream ? chatCompletionStream(answer) : chatCompletionReply(answer);
    },
  };
}

interface MessageProblem {
  readonly message: string;
  readonly param: string;
  readonly code: string | null;
}

function checkMessages(messages: readonly unknown[]): MessageProblem | undefined {
  for (const [i, item] of messages.entries()) {
    const role = asObject(item)?.role;
    if (typeof role !== 'string' || !ROLES.includes(role)) {
      return {
        message: `Invalid value: '${String(role)}'. Supported values are: 'system', 'assistant', 'user', 'function', 'tool', and 'developer'.`,
        param: `messages[${i}].role`,
        code: 'invalid_value',
      };
    }
    if (role === 'tool' && !answersToolCall(messages, i)) {
      return {
        // "preceeding" is the API's own spelling.
        message: "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.",
        param: `messages.[${i}].role`,
        code: null,
      };
    }
  }
  return undefined;
}

/** A tool message must answer a call of the nearest preceding non-tool message, which must be the assistant's. */
function answersToolCall(messages: readonly unknown[], index: number): boolean {
  const id = asObject(messages[index])?.tool_call_id;
  for (let j = index - 1; j >= 0; j--) {
    const previous = asObject(messages[j]);
    if (previous?.role === 'tool') continue;
    if (previous?.role !== 'assistant') return false;
    return asArray(previous.tool_calls).some((c) => asObject(c)?.id === id);
  }
  return false;
}

function chatFacts(body: Record<string, unknown>, messages: readonly unknown[]): ConversationFacts {
  let promptChars = 0;
  for (const item of messages) {
    const message = asObject(item) ?? {};
    promptChars += contentChars(message.content);
    for (const call of asArray(message.tool_calls)) {
      const fn = asObject(asObject(call)?.function);
      promptChars += String(fn?.name ?? '').length + String(fn?.arguments ?? '').length;
    }
  }
  const results: string[] = [];
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = asObject(messages[i]);
    if (message?.role !== 'tool' && message?.role !== 'function') break;
    results.unshift(textOf(message.content));
  }
  return {
    promptChars,
    hasTools: asArray(body.tools).length > 0 || asArray(body.functions).length > 0,
    ...(results.length > 0 ? { toolResult: results.join('\n') } : {}),
  };
}

/** Characters of text in a message's content (string or parts); images and audio count as nothing. */
function contentChars(content: unknown): number {
  if (typeof content === 'string') return content.length;
  let chars = 0;
  for (const part of asArray(content)) {
    const text = asObject(part)?.text;
    if (typeof text === 'string') chars += text.length;
  }
  return chars;
}

/** An embeddings request; `deployment` is set on Azure paths. */
export function embeddingsExchange(
  call: IncomingCall,
  ctx: CallContext,
  headers: Headers,
  deployment: string | undefined,
): Exchange | Reply {
  const checked = checkBody(call, ctx, headers, deployment);
  if (!checked.ok) return checked.reply;
  const { body, model } = checked;
  const inputs = embeddingInputs(body.input);
  if (!inputs) return invalid(headers, "Missing required parameter: 'input'.", 'input', 'missing_required_parameter');
  const dimensions = typeof body.dimensions === 'number' ? body.dimensions : ctx.script.behavior.embeddingDimensions;
  const base64 = body.encoding_format === 'base64';
  return {
    isModelCall: true,
    stream: false,
    promptTokens: estimateTokens(inputs.reduce((sum, text) => sum + text.length, 0)),
    answer: () => embeddingsReply({ inputs, model, dimensions, base64, headers }),
  };
}
