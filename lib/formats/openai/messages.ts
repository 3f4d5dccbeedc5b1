/**
 * OpenAI Chat Completions `messages` ⇄ canonical conversation.
 * System and developer messages become the canonical system prompt wherever they stand
 * (the other formats only have one); tool messages carry the tool results.
 */
import {
  type CanonicalMessage,
  type ContentPart,
  type ImagePart,
  type JsonObject,
  type JsonValue,
  type TextPart,
  type ToolCallPart,
  type ToolResultPart,
} from '../canonical.js';
import { type FieldNotes, unsupportedField } from '../shared/field-notes.js';
import { assertFetchableUrl, imageSourceFromUrl, toDataUrl } from '../shared/images.js';
import { asObject, isSet, optArray, optString, reqString } from '../shared/json.js';
import { llmuxError } from '../../errors.js';

const TARGET = 'OpenAI Chat Completions';

export interface DecodedConversation {
  readonly system: TextPart[];
  readonly messages: CanonicalMessage[];
}

function textOnly(content: JsonValue | undefined, path: string, notes: FieldNotes): TextPart[] {
  if (content === undefined || content === null) return [];
  if (typeof content === 'string') return content ? [{ type: 'text', text: content }] : [];
  if (!Array.isArray(content)) {
    throw llmuxError('LLMUX_ERR_INVALID_REQUEST', [`\`${path}\` must be a string or an array of content parts.`]);
  }
  const parts: TextPart[] = [];
  for (const raw of content) {
    const part = asObject(raw, `${path}[]`);
    const type = optString(part, 'type', `${path}[].type`);
    if (type === 'text') parts.push({ type: 'text', text: reqString(part, 'text', `${path}[].text`) });
    // A refusal in history is what the assistant said; keep it as text rather than lose it.
    else if (type === 'refusal') parts.push({ type: 'text', text: reqString(part, 'refusal', `${path}[].refusal`) });
    else notes.unsupported(`${path}[].type=${String(type)}`);
    if (part['prompt_cache_breakpoint'] !== undefined) notes.drop('messages.content.prompt_cache_breakpoint');
  }
  return parts;
}

function userContent(content: JsonValue | undefined, notes: FieldNotes): (TextPart | ImagePart)[] {
  if (!Array.isArray(content)) return textOnly(content, 'messages.content', notes);
  const parts: (TextPart | ImagePart)[] = [];
  for (const raw of content) {
    const part = asObject(raw, 'messages.content[]');
    const type = optString(part, 'type', 'messages.content[].type');
    if (part['prompt_cache_breakpoint'] !== undefined) notes.drop('messages.content.prompt_cache_breakpoint');
    if (type === 'text') {
      parts.push({ type: 'text', text: reqString(part, 'text', 'messages.content[].text') });
    } else if (type === 'image_url') {
      const image = asObject(part['image_url'], 'messages.content[].image_url');
      const detail = optString(image, 'detail', 'messages.content[].image_url.detail');
      if (detail !== undefined && detail !== 'auto') notes.drop('messages.content.image_url.detail');
      parts.push({ type: 'image', source: imageSourceFromUrl(reqString(image, 'url', 'messages.content[].image_url.url')) });
    } else {
      notes.unsupported(`messages.content[].type=${String(type)}`);
    }
  }
  return parts;
}

function toolCalls(message: JsonObject, names: Map<string, string>, notes: FieldNotes): ToolCallPart[] {
  const calls = optArray(message, 'tool_calls', 'messages.tool_calls') ?? [];
  const parts: ToolCallPart[] = [];
  for (const raw of calls) {
    const call = asObject(raw, 'messages.tool_calls[]');
    if (call['type'] !== undefined && call['type'] !== 'function') {
      notes.unsupported(`messages.tool_calls[].type=${String(call['type'])}`);
      continue;
    }
    const fn = asObject(call['function'], 'messages.tool_calls[].function');
    const id = reqString(call, 'id', 'messages.tool_calls[].id');
    const name = reqString(fn, 'name', 'messages.tool_calls[].function.name');
    names.set(id, name);
    parts.push({ type: 'tool_call', id, name, arguments: optString(fn, 'arguments') ?? '' });
  }
  return parts;
}

export function decodeMessages(raw: JsonValue[], notes: FieldNotes): DecodedConversation {
  const system: TextPart[] = [];
  const messages: CanonicalMessage[] = [];
  const names = new Map<string, string>();
  for (const item of raw) {
    const m = asObject(item, 'messages[]');
    const role = reqString(m, 'role', 'messages[].role');
    if (isSet(m['name'])) notes.drop('messages.name');
    switch (role) {
      case 'system':
      case 'developer':
        system.push(...textOnly(m['content'], 'messages.content', notes));
        break;
      case 'user':
        messages.push({ role: 'user', content: userContent(m['content'], notes) });
        break;
      case 'assistant': {
        const content: ContentPart[] = textOnly(m['content'], 'messages.content', notes);
        const refusal = optString(m, 'refusal', 'messages.refusal');
        if (refusal) content.push({ type: 'text', text: refusal });
        if (isSet(m['function_call'])) notes.unsupported('messages.function_call');
        if (isSet(m['audio'])) notes.drop('messages.audio');
        content.push(...toolCalls(m, names, notes));
        messages.push({ role: 'assistant', content });
        break;
      }
      case 'tool': {
        const toolCallId = reqString(m, 'tool_call_id', 'messages.tool_call_id');
        const name = names.get(toolCallId);
        const result: ToolResultPart = {
          type: 'tool_result',
          toolCallId,
          ...(name === undefined ? {} : { name }),
          content: textOnly(m['content'], 'messages.content', notes),
        };
        const last = messages.at(-1);
        // Parallel results arrive as consecutive tool messages: one canonical turn.
        if (last?.role === 'tool') messages[messages.length - 1] = { role: 'tool', content: [...last.content, result] };
        else messages.push({ role: 'tool', content: [result] });
        break;
      }
      default:
        notes.unsupported(`messages[].role=${role}`);
    }
  }
  return { system, messages };
}

function encodeUserPart(part: ContentPart): JsonObject {
  if (part.type === 'text') return { type: 'text', text: part.text };
  if (part.type === 'image') {
    const { source } = part;
    if (source.kind === 'url') assertFetchableUrl(source.url, TARGET);
    const url = source.kind === 'url' ? source.url : toDataUrl(source.mediaType, source.data);
    return { type: 'image_url', image_url: { url } };
  }
  return unsupportedField(`${part.type} in a user message`, TARGET);
}

/** A single text part stays a plain string, the shape every OpenAI-compatible server accepts. */
function textContent(parts: readonly TextPart[]): JsonValue {
  if (parts.length === 0) return null;
  if (parts.length === 1) return (parts[0] as TextPart).text;
  return parts.map((p) => ({ type: 'text', text: p.text }));
}

function encodeToolResult(part: ToolResultPart, notes: FieldNotes): JsonObject {
  const texts: TextPart[] = [];
  for (const c of part.content) {
    if (c.type !== 'text') unsupportedField('an image in a tool result', TARGET);
    texts.push(c);
  }
  if (part.isError) notes.drop('tool_result.is_error');
  return { role: 'tool', tool_call_id: part.toolCallId, content: textContent(texts) ?? '' };
}

export function encodeMessages(system: readonly TextPart[] | undefined, messages: readonly CanonicalMessage[], notes: FieldNotes): JsonValue[] {
  const out: JsonValue[] = [];
  if (system && system.length > 0) out.push({ role: 'system', content: textContent(system) });
  for (const m of messages) {
    if (m.role === 'assistant') {
      const texts: TextPart[] = [];
      const calls: JsonValue[] = [];
      for (const p of m.content) {
        if (p.type === 'text') texts.push(p);
        else if (p.type === 'tool_call') calls.push({ id: p.id, type: 'function', function: { name: p.name, arguments: p.arguments || '{}' } });
        else unsupportedField(`${p.type} in an assistant message`, TARGET);
      }
      // OpenAI rejects an assistant message with neither content nor tool calls.
      if (texts.length === 0 && calls.length === 0) continue;
      const msg: JsonObject = { role: 'assistant', content: textContent(texts) };
      if (calls.length > 0) msg['tool_calls'] = calls;
      out.push(msg);
      continue;
    }
    const results = m.content.filter((p): p is ToolResultPart => p.type === 'tool_result');
    for (const r of results) out.push(encodeToolResult(r, notes));
    const rest = results.length === 0 ? m.content : m.content.filter((p) => p.type !== 'tool_result');
    if (rest.length === 0) continue;
    if (m.role === 'tool') throw llmuxError('LLMUX_ERR_INVALID_REQUEST', ['A tool turn may only hold tool results.']);
    const simple = rest.length === 1 && rest[0]?.type === 'text';
    out.push({ role: 'user', content: simple ? (rest[0] as TextPart).text : rest.map(encodeUserPart) });
  }
  return out;
}
