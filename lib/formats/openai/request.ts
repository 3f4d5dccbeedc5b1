/**
 * OpenAI Chat Completions request ⇄ canonical request.
 *
 * Sources:
 * - https://platform.openai.com/docs/api-reference/chat/create
 * - https://platform.openai.com/docs/guides/function-calling
 * - https://platform.openai.com/docs/guides/structured-outputs
 * - openai-node `src/resources/chat/completions/completions.ts` (ChatCompletionCreateParamsBase,
 *   ChatCompletionToolChoiceOption, ChatCompletionAllowedTools, ChatCompletionStreamOptions)
 */
import { type CanonicalRequest, type JsonObject, type JsonValue, type ToolChoice, type ToolDefinition } from '../canonical.js';
import { type EncodeRequestOptions, type EncodedRequest } from '../codec.js';
import { FieldNotes, assertExpressible } from '../shared/field-notes.js';
import { asObject, isSet, optArray, optBoolean, optNumber, optObject, optString, reqArray, reqString } from '../shared/json.js';
import { decodeMessages, encodeMessages } from './messages.js';

const TARGET = 'OpenAI Chat Completions';

/** Fields this module reads itself; any other top-level field is reported as dropped. */
const HANDLED = new Set([
  'model', 'messages', 'stream', 'stream_options', 'max_tokens', 'max_completion_tokens', 'temperature', 'top_p',
  'stop', 'n', 'tools', 'tool_choice', 'parallel_tool_calls', 'response_format', 'user', 'safety_identifier', 'seed',
  'frequency_penalty', 'presence_penalty', 'functions', 'function_call', 'audio', 'modalities', 'web_search_options',
]);

function decodeTools(body: JsonObject, notes: FieldNotes): ToolDefinition[] | undefined {
  const raw = optArray(body, 'tools');
  if (!raw) return undefined;
  const tools: ToolDefinition[] = [];
  for (const item of raw) {
    const tool = asObject(item, 'tools[]');
    if (tool['type'] !== 'function') {
      notes.unsupported(`tools[].type=${String(tool['type'])}`);
      continue;
    }
    const fn = asObject(tool['function'], 'tools[].function');
    const description = optString(fn, 'description', 'tools[].function.description');
    const strict = optBoolean(fn, 'strict', 'tools[].function.strict');
    tools.push({
      name: reqString(fn, 'name', 'tools[].function.name'),
      ...(description === undefined ? {} : { description }),
      parameters: optObject(fn, 'parameters', 'tools[].function.parameters') ?? { type: 'object', properties: {} },
      ...(strict === undefined ? {} : { strict }),
    });
  }
  return tools;
}

interface DecodedChoice {
  readonly choice?: ToolChoice;
  /** `allowed_tools` narrows the tool list rather than naming one tool. */
  readonly allowed?: ReadonlySet<string>;
}

function decodeToolChoice(value: JsonValue | undefined, notes: FieldNotes): DecodedChoice {
  if (value === undefined || value === null) return {};
  if (value === 'auto' || value === 'none' || value === 'required') return { choice: { type: value } };
  const obj = asObject(value, 'tool_choice');
  if (obj['type'] === 'function') {
    const fn = asObject(obj['function'], 'tool_choice.function');
    return { choice: { type: 'tool', name: reqString(fn, 'name', 'tool_choice.function.name') } };
  }
  if (obj['type'] === 'allowed_tools') {
    const spec = asObject(obj['allowed_tools'], 'tool_choice.allowed_tools');
    const names = new Set<string>();
    for (const t of reqArray(spec, 'tools', 'tool_choice.allowed_tools.tools')) {
      const fn = asObject(asObject(t, 'tool_choice.allowed_tools.tools[]')['function'], 'tool_choice.allowed_tools.tools[].function');
      names.add(reqString(fn, 'name', 'tool_choice.allowed_tools.tools[].function.name'));
    }
    return { choice: { type: spec['mode'] === 'required' ? 'required' : 'auto' }, allowed: names };
  }
  notes.unsupported(`tool_choice.type=${String(obj['type'])}`);
  return {};
}

function decodeResponseFormat(body: JsonObject, notes: FieldNotes): CanonicalRequest['responseFormat'] {
  const rf = optObject(body, 'response_format');
  if (!rf || rf['type'] === 'text') return undefined;
  if (rf['type'] === 'json_object') return { type: 'json_object' };
  if (rf['type'] === 'json_schema') {
    const spec = asObject(rf['json_schema'], 'response_format.json_schema');
    const name = optString(spec, 'name', 'response_format.json_schema.name');
    if (isSet(spec['description'])) notes.drop('response_format.json_schema.description');
    return { type: 'json_schema', ...(name === undefined ? {} : { name }), schema: optObject(spec, 'schema') ?? {} };
  }
  return undefined;
}

function decodeStop(body: JsonObject): string[] | undefined {
  const stop = body['stop'];
  if (stop === undefined || stop === null) return undefined;
  if (typeof stop === 'string') return [stop];
  return reqArray(body, 'stop').map((s) => (typeof s === 'string' ? s : String(s)));
}

export function decodeRequest(body: JsonObject, info: { readonly model: string; readonly stream: boolean }): CanonicalRequest {
  const notes = new FieldNotes();
  const { system, messages } = decodeMessages(reqArray(body, 'messages'), notes);
  const { choice, allowed } = decodeToolChoice(body['tool_choice'], notes);
  const declared = decodeTools(body, notes);
  const tools = allowed && declared ? declared.filter((t) => allowed.has(t.name)) : declared;
  const n = optNumber(body, 'n');
  if (n !== undefined && n !== 1) notes.unsupported('n');
  if (isSet(body['functions']) || isSet(body['function_call'])) notes.unsupported('functions');
  if (isSet(body['audio'])) notes.unsupported('audio');
  // The answer would be grounded in a search the other providers' chat APIs do not run.
  if (isSet(body['web_search_options'])) notes.unsupported('web_search_options');
  const modalities = optArray(body, 'modalities');
  if (modalities?.some((m) => m !== 'text')) notes.unsupported('modalities');
  for (const key of Object.keys(body)) if (!HANDLED.has(key) && isSet(body[key])) notes.drop(key);

  const streamOptions = optObject(body, 'stream_options');
  const responseFormat = decodeResponseFormat(body, notes);
  const unsupported = notes.unsupportedFields;
  return {
    model: info.model,
    system: system.length > 0 ? system : undefined,
    messages,
    maxTokens: optNumber(body, 'max_completion_tokens') ?? optNumber(body, 'max_tokens'),
    temperature: optNumber(body, 'temperature'),
    topP: optNumber(body, 'top_p'),
    stop: decodeStop(body),
    seed: optNumber(body, 'seed'),
    frequencyPenalty: optNumber(body, 'frequency_penalty'),
    presencePenalty: optNumber(body, 'presence_penalty'),
    stream: info.stream,
    includeUsage: streamOptions ? optBoolean(streamOptions, 'include_usage', 'stream_options.include_usage') : undefined,
    tools,
    toolChoice: choice,
    parallelToolCalls: optBoolean(body, 'parallel_tool_calls'),
    responseFormat,
    user: optString(body, 'user') ?? optString(body, 'safety_identifier'),
    unmapped: notes.dropped,
    unsupported: unsupported.length > 0 ? unsupported : undefined,
  };
}

function encodeToolChoice(choice: ToolChoice): JsonValue {
  return choice.type === 'tool' ? { type: 'function', function: { name: choice.name } } : choice.type;
}

export function encodeRequest(request: CanonicalRequest, options: EncodeRequestOptions): EncodedRequest {
  assertExpressible(request, TARGET);
  const notes = new FieldNotes(request.unmapped);
  const body: JsonObject = { model: options.model, messages: encodeMessages(request.system, request.messages, notes) };
  if (request.maxTokens !== undefined) body['max_completion_tokens'] = request.maxTokens;
  if (request.temperature !== undefined) body['temperature'] = request.temperature;
  if (request.topP !== undefined) body['top_p'] = request.topP;
  if (request.topK !== undefined) notes.drop('top_k');
  if (request.stop && request.stop.length > 0) body['stop'] = [...request.stop];
  if (request.seed !== undefined) body['seed'] = request.seed;
  if (request.frequencyPenalty !== undefined) body['frequency_penalty'] = request.frequencyPenalty;
  if (request.presencePenalty !== undefined) body['presence_penalty'] = request.presencePenalty;
  if (request.stream) {
    body['stream'] = true;
    // llmux needs the token counts of every stream, whatever the client asked for.
    body['stream_options'] = { include_usage: true };
  }
  if (request.tools && request.tools.length > 0) {
    body['tools'] = request.tools.map((t) => {
      const fn: JsonObject = { name: t.name };
      if (t.description !== undefined) fn['description'] = t.description;
      fn['parameters'] = t.parameters;
      if (t.strict !== undefined) fn['strict'] = t.strict;
      return { type: 'function', function: fn };
    });
    if (request.toolChoice) body['tool_choice'] = encodeToolChoice(request.toolChoice);
    if (request.parallelToolCalls !== undefined) body['parallel_tool_calls'] = request.parallelToolCalls;
  }
  const rf = request.responseFormat;
  if (rf?.type === 'json_object') body['response_format'] = { type: 'json_object' };
  else if (rf?.type === 'json_schema') body['response_format'] = { type: 'json_schema', json_schema: { name: rf.name ?? 'response', schema: rf.schema } };
  if (request.user !== undefined) body['user'] = request.user;
  return { body, dropped: notes.dropped };
}
