/**
 * Anthropic Messages `system` + `messages` ⇄ canonical conversation.
 * Tool results live in user turns as `tool_result` blocks, which must come first in
 * that turn; user and assistant turns alternate, so consecutive same-role canonical
 * messages are merged when encoding.
 */
import {
  type CanonicalMessage,
  type ContentPart,
  type ImagePart,
  type JsonObject,
  type JsonValue,
  type TextPart,
  type ToolResultPart,
} from '../canonical.js';
import { llmuxError } from '../../errors.js';
import { type FieldNotes, unsupportedField } from '../shared/field-notes.js';
import { assertFetchableUrl } from '../shared/images.js';
import { asObject, isSet, optBoolean, optString, parseArguments, reqString } from '../shared/json.js';

const TARGET = 'Anthropic Messages';
const IMAGE_TYPES = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);

function noteBlockExtras(block: JsonObject, notes: FieldNotes): void {
  if (block['cache_control'] !== undefined) notes.drop('cache_control');
  if (isSet(block['citations']) && !(Array.isArray(block['citations']) && block['citations'].length === 0)) notes.drop('citations');
}

export function decodeText(value: JsonValue | undefined, path: string, notes: FieldNotes): TextPart[] {
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') return value ? [{ type: 'text', text: value }] : [];
  if (!Array.isArray(value)) throw llmuxError('LLMUX_ERR_INVALID_REQUEST', [`\`${path}\` must be a string or an array of text blocks.`]);
  return value.map((raw) => {
    const block = asObject(raw, `${path}[]`);
    noteBlockExtras(block, notes);
    return { type: 'text', text: reqString(block, 'text', `${path}[].text`) };
  });
}

function decodeImage(block: JsonObject, notes: FieldNotes): ImagePart | undefined {
  const source = asObject(block['source'], 'messages.content[].source');
  if (source['type'] === 'base64') {
    return {
      type: 'image',
      source: { kind: 'base64', mediaType: reqString(source, 'media_type', 'source.media_type'), data: reqString(source, 'data', 'source.data') },
    };
  }
  if (source['type'] === 'url') return { type: 'image', source: { kind: 'url', url: reqString(source, 'url', 'source.url') } };
  notes.unsupported(`messages.content[].source.type=${String(source['type'])}`);
  return undefined;
}

function decodeToolResult(block: JsonObject, names: Map<string, string>, notes: FieldNotes): ToolResultPart {
  const toolCallId = reqString(block, 'tool_use_id', 'tool_result.tool_use_id');
  const raw = block['content'];
  const content: (TextPart | ImagePart)[] = [];
  if (typeof raw === 'string') {
    if (raw) content.push({ type: 'text', text: raw });
  } else if (Array.isArray(raw)) {
    for (const item of raw) {
      const inner = asObject(item, 'tool_result.content[]');
      noteBlockExtras(inner, notes);
      if (inner['type'] === 'text') content.push({ type: 'text', text: reqString(inner, 'text', 'tool_result.content[].text') });
      else if (inner['type'] === 'image') {
        const image = decodeImage(inner, notes);
        if (image) content.push(image);
      } else notes.unsupported(`tool_result.content[].type=${String(inner['type'])}`);
    }
  }
  const name = names.get(toolCallId);
  const isError = optBoolean(block, 'is_error', 'tool_result.is_error');
  return { type: 'tool_result', toolCallId, ...(name === undefined ? {} : { name }), content, ...(isError ? { isError } : {}) };
}

export function decodeMessages(raw: JsonValue[], system: TextPart[], notes: FieldNotes): CanonicalMessage[] {
  const messages: CanonicalMessage[] = [];
  const names = new Map<string, string>();
  for (const item of raw) {
    const m = asObject(item, 'messages[]');
    const role = reqString(m, 'role', 'messages[].role');
    if (role === 'system') {
      // Mid-conversation system turns have no equivalent elsewhere; they join the system prompt.
      system.push(...decodeText(m['content'], 'messages[].content', notes));
      continue;
    }
    if (role !== 'user' && role !== 'assistant') {
      notes.unsupported(`messages[].role=${role}`);
      continue;
    }
    const content = m['content'];
    const blocks: JsonValue[] = typeof content === 'string' ? [{ type: 'text', text: content }] : Array.isArray(content) ? content : [];
    if (typeof content !== 'string' && !Array.isArray(content)) {
      throw llmuxError('LLMUX_ERR_INVALID_REQUEST', ['`messages[].content` must be a string or an array of content blocks.']);
    }
    const parts: ContentPart[] = [];
    const results: ToolResultPart[] = [];
    for (const rawBlock of blocks) {
      const block = asObject(rawBlock, 'messages[].content[]');
      const type = optString(block, 'type', 'messages[].content[].type');
      noteBlockExtras(block, notes);
      if (type === 'text') {
        const text = reqString(block, 'text', 'messages[].content[].text');
        if (text) parts.push({ type: 'text', text });
      } else if (type === 'image') {
        const image = decodeImage(block, notes);
        if (image) parts.push(image);
      } else if (type === 'tool_use' && role === 'assistant') {
        const id = reqString(block, 'id', 'tool_use.id');
        const name = reqString(block, 'name', 'tool_use.name');
        names.set(id, name);
        parts.push({ type: 'tool_call', id, name, arguments: JSON.stringify(block['input'] ?? {}) });
      } else if (type === 'tool_result' && role === 'user') {
        results.push(decodeToolResult(block, names, notes));
      } else if (type === 'thinking' || type === 'redacted_thinking') {
        // Reasoning from an earlier turn only Anthropic can read back; the turn itself survives.
        notes.drop(`messages.content.${type}`);
      } else {
        notes.unsupported(`messages[].content[].type=${String(type)}`);
      }
    }
    if (results.length > 0) messages.push({ role: 'tool', content: results });
    if (parts.length > 0 || results.length === 0) messages.push({ role, content: parts });
  }
  return messages;
}

function encodeImage(part: ImagePart): JsonObject {
  const { source } = part;
  if (source.kind === 'url') {
    assertFetchableUrl(source.url, TARGET);
    return { type: 'image', source: { type: 'url', url: source.url } };
  }
  if (!IMAGE_TYPES.has(source.mediaType)) unsupportedField(`an image of type ${source.mediaType}`, TARGET);
  return { type: 'image', source: { type: 'base64', media_type: source.mediaType, data: source.data } };
}

function encodeToolResult(part: ToolResultPart): JsonObject {
  const block: JsonObject = { type: 'tool_result', tool_use_id: part.toolCallId };
  const only = part.content[0];
  if (part.content.length === 1 && only?.type === 'text') block['content'] = only.text;
  else if (part.content.length > 0) block['content'] = part.content.map((c) => (c.type === 'text' ? { type: 'text', text: c.text } : encodeImage(c)));
  if (part.isError) block['is_error'] = true;
  return block;
}

function encodePart(part: ContentPart): JsonObject | undefined {
  switch (part.type) {
    case 'text':
      // Anthropic rejects empty text blocks.
      return part.text ? { type: 'text', text: part.text } : undefined;
    case 'image':
      return encodeImage(part);
    case 'tool_call':
      return { type: 'tool_use', id: part.id, name: part.name, input: parseArguments(part.arguments, `tool call ${part.id}`) };
    case 'tool_result':
      return encodeToolResult(part);
  }
}

export function encodeMessages(messages: readonly CanonicalMessage[]): JsonValue[] {
  const out: { role: 'user' | 'assistant'; content: JsonObject[] }[] = [];
  for (const m of messages) {
    const role = m.role === 'assistant' ? 'assistant' : 'user';
    const blocks: JsonObject[] = [];
    for (const p of m.content) {
      const block = encodePart(p);
      if (block) blocks.push(block);
    }
    if (blocks.length === 0) continue;
    const last = out.at(-1);
    if (last?.role === role) last.content.push(...blocks);
    else out.push({ role, content: blocks });
  }
  for (const turn of out) {
    // tool_result blocks must open their user turn.
    if (turn.role === 'user' && turn.content.some((b, i) => b['type'] === 'tool_result' && i > 0 && turn.content[i - 1]?.['type'] !== 'tool_result')) {
      turn.content.sort((a, b) => Number(b['type'] === 'tool_result') - Number(a['type'] === 'tool_result'));
    }
  }
  return out;
}
