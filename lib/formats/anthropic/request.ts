/**
 * Anthropic Messages request ⇄ canonical request.
 *
 * Sources:
 * - https://platform.claude.com/docs/en/api/messages
 * - https://platform.claude.com/docs/en/agents-and-tools/tool-use/overview (tool_choice,
 *   disable_parallel_tool_use, tool_result placement)
 * - https://platform.claude.com/docs/en/build-with-claude/structured-outputs (output_config.format)
 * - https://platform.claude.com/docs/en/api/migration-2026-10-21 (no sampling parameters)
 * - anthropic-sdk-typescript `src/resources/messages/messages.ts` (MessageCreateParamsBase,
 *   ToolChoice*, ToolResultBlockParam, ImageBlockParam, OutputConfig)
 *
 * JSON mode: Anthropic has structured outputs (`output_config.format`, a JSON schema) but
 * no "any JSON object" switch, so `json_schema` maps to it and `json_object` is dropped
 * and reported: emulating it with a schema would constrain the answer more than the
 * client asked.
 */
import { type CanonicalRequest, type JsonObject, type ToolChoice, type ToolDefinition } from '../canonical.js';
import { type EncodeRequestOptions, type EncodedRequest } from '../codec.js';
import { FieldNotes, assertExpressible } from '../shared/field-notes.js';
import { asObject, isSet, optArray, optBoolean, optNumber, optObject, optString, reqArray, reqString } from '../shared/json.js';
import { decodeMessages, decodeText, encodeMessages } from './messages.js';
import { acceptsSamplingParameters } from './version.js';

const TARGET = 'Anthropic Messages';

const HANDLED = new Set([
  'model', 'messages', 'system', 'max_tokens', 'stop_sequences', 'stream', 'temperature', 'top_p', 'top_k',
  'tools', 'tool_choice', 'metadata', 'output_config', 'thinking', 'mcp_servers',
]);

function decodeTools(body: JsonObject, notes: FieldNotes): ToolDefinition[] | undefined {
  const raw = optArray(body, 'tools');
  if (!raw) return undefined;
  const tools: ToolDefinition[] = [];
  for (const item of raw) {
    const tool = asObject(item, 'tools[]');
    const type = tool['type'];
    if (type !== undefined && type !== null && type !== 'custom') {
      // Server tools (web search, code execution, computer use …) run inside Anthropic.
      notes.unsupported(`tools[].type=${String(type)}`);
      continue;
    }
    for (const extra of ['cache_control', 'defer_loading', 'input_examples', 'eager_input_streaming', 'allowed_callers']) {
      if (isSet(tool[extra])) notes.drop(`tools.${extra}`);
    }
    const description = optString(tool, 'description', 'tools[].description');
    const strict = optBoolean(tool, 'strict', 'tools[].strict');
    tools.push({
      name: reqString(tool, 'name', 'tools[].name'),
      ...(description === undefined ? {} : { description }),
      parameters: optObject(tool, 'input_schema', 'tools[].input_schema') ?? { type: 'object', properties: {} },
      ...(strict === undefined ? {} : { strict }),
    });
  }
  return tools;
}

function decodeToolChoice(body: JsonObject): { choice?: ToolChoice; parallel?: boolean } {
  const tc = optObject(body, 'tool_choice');
  if (!tc) return {};
  const disable = optBoolean(tc, 'disable_parallel_tool_use', 'tool_choice.disable_parallel_tool_use');
  const parallel = disable === undefined ? undefined : !disable;
  switch (tc['type']) {
    case 'any':
      return { choice: { type: 'required' }, parallel };
    case 'none':
      return { choice: { type: 'none' }, parallel };
    case 'tool':
      return { choice: { type: 'tool', name: reqString(tc, 'name', 'tool_choice.name') }, parallel };
    default:
      return { choice: { type: 'auto' }, parallel };
  }
}

function decodeResponseFormat(body: JsonObject, notes: FieldNotes): CanonicalRequest['responseFormat'] {
  const config = optObject(body, 'output_config');
  if (!config) return undefined;
  if (isSet(config['effort'])) notes.drop('output_config.effort');
  const format = optObject(config, 'format', 'output_config.format');
  if (!format) return undefined;
  return { type: 'json_schema', schema: optObject(format, 'schema', 'output_config.format.schema') ?? {} };
}

export function decodeRequest(body: JsonObject, info: { readonly model: string; readonly stream: boolean }): CanonicalRequest {
  const notes = new FieldNotes();
  const system = decodeText(body['system'], 'system', notes);
  const messages = decodeMessages(reqArray(body, 'messages'), system, notes);
  const tools = decodeTools(body, notes);
  const { choice, parallel } = decodeToolChoice(body);
  const thinking = optObject(body, 'thinking');
  if (thinking && thinking['type'] !== 'disabled') notes.drop('thinking');
  // Remote MCP tools run inside Anthropic, like its server tools.
  if (isSet(body['mcp_servers'])) notes.unsupported('mcp_servers');
  const metadata = optObject(body, 'metadata');
  for (const key of Object.keys(body)) if (!HANDLED.has(key) && isSet(body[key])) notes.drop(key);
  const stop = optArray(body, 'stop_sequences');
  const responseFormat = decodeResponseFormat(body, notes);
  const unsupported = notes.unsupportedFields;
  return {
    model: info.model,
    system: system.length > 0 ? system : undefined,
    messages,
    maxTokens: optNumber(body, 'max_tokens'),
    temperature: optNumber(body, 'temperature'),
    topP: optNumber(body, 'top_p'),
    topK: optNumber(body, 'top_k'),
    stop: stop?.map((s) => String(s)),
    stream: info.stream,
    tools,
    toolChoice: choice,
    parallelToolCalls: parallel,
    responseFormat,
    user: metadata ? optString(metadata, 'user_id', 'metadata.user_id') : undefined,
    unmapped: notes.dropped,
    unsupported: unsupported.length > 0 ? unsupported : undefined,
  };
}

function encodeToolChoice(choice: ToolChoice | undefined, parallel: boolean | undefined): JsonObject | undefined {
  const disable: JsonObject = parallel === false ? { disable_parallel_tool_use: true } : {};
  switch (choice?.type) {
    case undefined:
      return parallel === false ? { type: 'auto', ...disable } : undefined;
    case 'none':
      return { type: 'none' };
    case 'required':
      return { type: 'any', ...disable };
    case 'tool':
      return { type: 'tool', name: choice.name, ...disable };
    case 'auto':
      return { type: 'auto', ...disable };
  }
}

export function encodeRequest(request: CanonicalRequest, options: EncodeRequestOptions): EncodedRequest {
  assertExpressible(request, TARGET);
  const notes = new FieldNotes(request.unmapped);
  const body: JsonObject = {
    model: options.model,
    max_tokens: request.maxTokens ?? options.defaultMaxTokens,
    messages: encodeMessages(request.messages),
  };
  if (request.system && request.system.length > 0) {
    body['system'] = request.system.length === 1 ? (request.system[0]?.text ?? '') : request.system.map((p) => ({ type: 'text', text: p.text }));
  }
  if (request.stop && request.stop.length > 0) body['stop_sequences'] = [...request.stop];
  if (request.stream) body['stream'] = true;
  // Anthropic's temperature range is 0–1 where OpenAI's is 0–2; the top of the range is the nearest equivalent.
  const sampling: [string, number | undefined][] = [
    ['temperature', request.temperature === undefined ? undefined : Math.min(request.temperature, 1)],
    ['top_p', request.topP],
    ['top_k', request.topK],
  ];
  const samplingAllowed = acceptsSamplingParameters(options.apiVersion);
  for (const [field, value] of sampling) {
    if (value === undefined) continue;
    if (samplingAllowed) body[field] = value;
    else notes.drop(field);
  }
  if (request.seed !== undefined) notes.drop('seed');
  if (request.frequencyPenalty !== undefined) notes.drop('frequency_penalty');
  if (request.presencePenalty !== undefined) notes.drop('presence_penalty');
  if (request.tools && request.tools.length > 0) {
    body['tools'] = request.tools.map((t) => {
      const tool: JsonObject = { name: t.name };
      if (t.description !== undefined) tool['description'] = t.description;
      tool['input_schema'] = t.parameters;
      if (t.strict !== undefined) tool['strict'] = t.strict;
      return tool;
    });
    const choice = encodeToolChoice(request.toolChoice, request.parallelToolCalls);
    if (choice) body['tool_choice'] = choice;
  }
  const rf = request.responseFormat;
  if (rf?.type === 'json_schema') body['output_config'] = { format: { type: 'json_schema', schema: rf.schema } };
  else if (rf?.type === 'json_object') notes.drop('response_format');
  if (request.user !== undefined) body['metadata'] = { user_id: request.user };
  return { body, dropped: notes.dropped };
}
