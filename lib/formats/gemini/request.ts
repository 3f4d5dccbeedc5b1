/**
 * Gemini generateContent request ⇄ canonical request. The model and streaming live in
 * the URL (`models/{model}:generateContent` / `:streamGenerateContent?alt=sse`), not the body.
 *
 * Sources:
 * - https://ai.google.dev/api/generate-content (GenerateContentRequest, GenerationConfig)
 * - https://ai.google.dev/api/caching#Content (Content, Part, FunctionCall, FunctionResponse)
 * - https://ai.google.dev/gemini-api/docs/function-calling (tools, toolConfig modes)
 * - https://ai.google.dev/gemini-api/docs/structured-output (responseMimeType, responseJsonSchema)
 * - https://ai.google.dev/gemini-api/docs/thought-signatures
 * - googleapis/js-genai `genai.d.ts` (GenerationConfig, FunctionCallingConfigMode, FunctionDeclaration)
 */
import { type CanonicalRequest, type JsonObject, type JsonValue, type ToolChoice, type ToolDefinition } from '../canonical.js';
import { type EncodeRequestOptions, type EncodedRequest } from '../codec.js';
import { FieldNotes, assertExpressible } from '../shared/field-notes.js';
import { asObject, isObject, isSet } from '../shared/json.js';
import { llmuxError } from '../../errors.js';
import { decodeContents, encodeContents } from './contents.js';
import { field, spellings } from './fields.js';
import { schemaToJsonSchema } from './schema.js';

const TARGET = 'Gemini generateContent';
const HANDLED = new Set(spellings('contents', 'systemInstruction', 'tools', 'toolConfig', 'generationConfig', 'model'));
const CONFIG_HANDLED = new Set(
  spellings(
    'maxOutputTokens', 'temperature', 'topP', 'topK', 'stopSequences', 'seed', 'presencePenalty', 'frequencyPenalty',
    'responseMimeType', 'responseSchema', 'responseJsonSchema', 'candidateCount', 'responseModalities',
  ),
);

function num(obj: JsonObject, camel: string): number | undefined {
  const v = field(obj, camel);
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number') throw llmuxError('LLMUX_ERR_INVALID_REQUEST', [`\`generationConfig.${camel}\` must be a number.`]);
  return v;
}

function decodeSystem(value: JsonValue | undefined): CanonicalRequest['system'] {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value ? [{ type: 'text', text: value }] : undefined;
  const parts = field(asObject(value, 'systemInstruction'), 'parts');
  if (!Array.isArray(parts)) return undefined;
  const texts = parts.flatMap((p) => {
    const text = isObject(p) ? field(p, 'text') : undefined;
    return typeof text === 'string' && text ? [{ type: 'text' as const, text }] : [];
  });
  return texts.length > 0 ? texts : undefined;
}

function decodeTools(value: JsonValue | undefined, notes: FieldNotes): ToolDefinition[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const tools: ToolDefinition[] = [];
  for (const item of value) {
    const tool = asObject(item, 'tools[]');
    for (const key of Object.keys(tool)) {
      if (key !== 'functionDeclarations' && key !== 'function_declarations') notes.unsupported(`tools.${key}`);
    }
    const decls = field(tool, 'functionDeclarations');
    if (!Array.isArray(decls)) continue;
    for (const d of decls) {
      const decl = asObject(d, 'tools[].functionDeclarations[]');
      const name = field(decl, 'name');
      if (typeof name !== 'string') throw llmuxError('LLMUX_ERR_INVALID_REQUEST', ['`functionDeclarations[].name` must be a string.']);
      const description = field(decl, 'description');
      const jsonSchema = field(decl, 'parametersJsonSchema');
      const schema = field(decl, 'parameters');
      const parameters = isObject(jsonSchema) ? jsonSchema : isObject(schema) ? schemaToJsonSchema(schema) : undefined;
      for (const extra of ['response', 'responseJsonSchema', 'behavior']) if (isSet(field(decl, extra))) notes.drop(`tools.functionDeclarations.${extra}`);
      tools.push({
        name,
        ...(typeof description === 'string' ? { description } : {}),
        parameters: isObject(parameters) ? parameters : { type: 'object', properties: {} },
      });
    }
  }
  return tools;
}

function decodeToolConfig(value: JsonValue | undefined, notes: FieldNotes): { choice?: ToolChoice; allowed?: ReadonlySet<string> } {
  if (!isObject(value)) return {};
  const config = field(value, 'functionCallingConfig');
  for (const key of Object.keys(value)) if (key !== 'functionCallingConfig' && key !== 'function_calling_config') notes.drop(`toolConfig.${key}`);
  if (!isObject(config)) return {};
  const names = field(config, 'allowedFunctionNames');
  const allowed = Array.isArray(names) && names.length > 0 ? new Set(names.map(String)) : undefined;
  switch (field(config, 'mode')) {
    case 'NONE':
      return { choice: { type: 'none' } };
    case 'ANY':
      if (allowed?.size === 1) return { choice: { type: 'tool', name: [...allowed][0] as string } };
      return { choice: { type: 'required' }, ...(allowed ? { allowed } : {}) };
    case 'AUTO':
    case 'VALIDATED':
      return { choice: { type: 'auto' }, ...(allowed ? { allowed } : {}) };
    default:
      return allowed ? { allowed } : {};
  }
}

function decodeResponseFormat(config: JsonObject, notes: FieldNotes): CanonicalRequest['responseFormat'] {
  const mime = field(config, 'responseMimeType');
  if (mime === undefined || mime === null || mime === 'text/plain') return undefined;
  if (mime !== 'application/json') {
    notes.unsupported(`generationConfig.responseMimeType=${String(mime)}`);
    return undefined;
  }
  const jsonSchema = field(config, 'responseJsonSchema');
  if (isObject(jsonSchema)) return { type: 'json_schema', schema: jsonSchema };
  const schema = field(config, 'responseSchema');
  if (isObject(schema)) {
    const converted = schemaToJsonSchema(schema);
    if (isObject(converted)) return { type: 'json_schema', schema: converted };
  }
  return { type: 'json_object' };
}

export function decodeRequest(body: JsonObject, info: { readonly model: string; readonly stream: boolean }): CanonicalRequest {
  const notes = new FieldNotes();
  const contents = field(body, 'contents');
  if (!Array.isArray(contents)) throw llmuxError('LLMUX_ERR_INVALID_REQUEST', ['`contents` must be an array.']);
  const messages = decodeContents(contents, notes);
  const declared = decodeTools(field(body, 'tools'), notes);
  const { choice, allowed } = decodeToolConfig(field(body, 'toolConfig'), notes);
  const tools = allowed && declared ? declared.filter((t) => allowed.has(t.name)) : declared;
  if (isSet(field(body, 'cachedContent'))) notes.unsupported('cachedContent');
  for (const key of Object.keys(body)) if (!HANDLED.has(key) && key !== 'cachedContent' && key !== 'cached_content' && isSet(body[key])) notes.drop(key);
  const configValue = field(body, 'generationConfig');
  const config = isObject(configValue) ? configValue : {};
  const candidates = num(config, 'candidateCount');
  if (candidates !== undefined && candidates !== 1) notes.unsupported('generationConfig.candidateCount');
  const modalities = field(config, 'responseModalities');
  if (Array.isArray(modalities) && modalities.some((m) => m !== 'TEXT')) notes.unsupported('generationConfig.responseModalities');
  for (const key of Object.keys(config)) if (!CONFIG_HANDLED.has(key) && isSet(config[key])) notes.drop(`generationConfig.${key}`);
  const stop = field(config, 'stopSequences');
  const responseFormat = decodeResponseFormat(config, notes);
  const unsupported = notes.unsupportedFields;
  return {
    model: info.model,
    system: decodeSystem(field(body, 'systemInstruction')),
    messages,
    maxTokens: num(config, 'maxOutputTokens'),
    temperature: num(config, 'temperature'),
    topP: num(config, 'topP'),
    topK: num(config, 'topK'),
    stop: Array.isArray(stop) ? stop.map(String) : undefined,
    seed: num(config, 'seed'),
    frequencyPenalty: num(config, 'frequencyPenalty'),
    presencePenalty: num(config, 'presencePenalty'),
    stream: info.stream,
    tools,
    toolChoice: choice,
    responseFormat,
    unmapped: notes.dropped,
    unsupported: unsupported.length > 0 ? unsupported : undefined,
  };
}

function encodeToolChoice(choice: ToolChoice): JsonObject {
  switch (choice.type) {
    case 'auto':
      return { mode: 'AUTO' };
    case 'none':
      return { mode: 'NONE' };
    case 'required':
      return { mode: 'ANY' };
    case 'tool':
      return { mode: 'ANY', allowedFunctionNames: [choice.name] };
  }
}

export function encodeRequest(request: CanonicalRequest, _options: EncodeRequestOptions): EncodedRequest {
  assertExpressible(request, TARGET);
  const notes = new FieldNotes(request.unmapped);
  const body: JsonObject = { contents: encodeContents(request.messages) };
  if (request.system && request.system.length > 0) body['systemInstruction'] = { parts: request.system.map((p) => ({ text: p.text })) };
  const config: JsonObject = {};
  if (request.maxTokens !== undefined) config['maxOutputTokens'] = request.maxTokens;
  if (request.temperature !== undefined) config['temperature'] = request.temperature;
  if (request.topP !== undefined) config['topP'] = request.topP;
  if (request.topK !== undefined) config['topK'] = request.topK;
  if (request.stop && request.stop.length > 0) config['stopSequences'] = [...request.stop];
  if (request.seed !== undefined) config['seed'] = request.seed;
  if (request.presencePenalty !== undefined) config['presencePenalty'] = request.presencePenalty;
  if (request.frequencyPenalty !== undefined) config['frequencyPenalty'] = request.frequencyPenalty;
  const rf = request.responseFormat;
  if (rf) {
    config['responseMimeType'] = 'application/json';
    if (rf.type === 'json_schema') config['responseJsonSchema'] = rf.schema;
  }
  if (Object.keys(config).length > 0) body['generationConfig'] = config;
  if (request.tools && request.tools.length > 0) {
    body['tools'] = [
      {
        functionDeclarations: request.tools.map((t) => {
          if (t.strict !== undefined) notes.drop('tools.strict');
          const decl: JsonObject = { name: t.name };
          if (t.description !== undefined) decl['description'] = t.description;
          decl['parametersJsonSchema'] = t.parameters;
          return decl;
        }),
      },
    ];
    if (request.toolChoice) body['toolConfig'] = { functionCallingConfig: encodeToolChoice(request.toolChoice) };
  }
  // Gemini has no switch for one-call-at-a-time.
  if (request.parallelToolCalls === false) notes.drop('parallel_tool_calls');
  if (request.user !== undefined) notes.drop('user');
  return { body, dropped: notes.dropped };
}
