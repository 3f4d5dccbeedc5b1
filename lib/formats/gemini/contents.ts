/**
 * Gemini `contents` ⇄ canonical conversation.
 *
 * Gemini roles are `user` and `model`; function results travel as `functionResponse`
 * parts of a user turn. Calls may lack ids (the optional `id` is newer), so a call
 * without one gets a stable id from its name and position in the conversation, and a
 * response without one answers the oldest unanswered call of the same name — the order
 * Gemini itself pairs them in. Encoding leaves ids out (they came from another provider;
 * Gemini pairs by name and order) and puts the documented dummy thought signature on
 * each turn's first call, which Gemini 3 models require on replayed calls they did not
 * sign themselves (https://ai.google.dev/gemini-api/docs/thought-signatures).
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
import { llmuxError } from '../../errors.js';
import { type FieldNotes } from '../shared/field-notes.js';
import { syntheticCallId } from '../shared/ids.js';
import { imageTypeFromUrl } from '../shared/images.js';
import { asObject, isObject, isSet, parseArguments, parseObject } from '../shared/json.js';
import { field } from './fields.js';

export const DUMMY_THOUGHT_SIGNATURE = 'skip_thought_signature_validator';

interface PendingCall {
  readonly id: string;
  readonly name: string;
  answered: boolean;
}

function str(obj: JsonObject, camel: string, path: string): string {
  const v = field(obj, camel);
  if (typeof v !== 'string') throw llmuxError('LLMUX_ERR_INVALID_REQUEST', [`\`${path}\` must be a string.`]);
  return v;
}

function decodeMedia(part: JsonObject, notes: FieldNotes): ImagePart | undefined {
  const inline = field(part, 'inlineData');
  if (isObject(inline)) {
    const mediaType = str(inline, 'mimeType', 'inlineData.mimeType');
    if (mediaType.startsWith('image/')) return { type: 'image', source: { kind: 'base64', mediaType, data: str(inline, 'data', 'inlineData.data') } };
    notes.unsupported(`contents.parts.inlineData (${mediaType})`);
    return undefined;
  }
  const file = asObject(field(part, 'fileData'), 'contents.parts.fileData');
  const url = str(file, 'fileUri', 'fileData.fileUri');
  const mediaType = field(file, 'mimeType');
  const isImage = typeof mediaType === 'string' ? mediaType.startsWith('image/') : imageTypeFromUrl(url) !== undefined;
  if (isImage) return { type: 'image', source: { kind: 'url', url } };
  notes.unsupported(`contents.parts.fileData (${typeof mediaType === 'string' ? mediaType : url})`);
  return undefined;
}

/** A function response as text: the conventional `output` / `error` member, else the whole object. */
function responseText(response: JsonValue | undefined): { text: string; isError: boolean } {
  if (!isObject(response)) return { text: response === undefined ? '' : JSON.stringify(response), isError: false };
  const keys = Object.keys(response);
  const only = keys.length === 1 ? keys[0] : undefined;
  if (only === 'output' || only === 'error') {
    const v = response[only];
    return { text: typeof v === 'string' ? v : JSON.stringify(v), isError: only === 'error' };
  }
  return { text: JSON.stringify(response), isError: false };
}

export function decodeContents(raw: JsonValue[], notes: FieldNotes): CanonicalMessage[] {
  const messages: CanonicalMessage[] = [];
  const pending: PendingCall[] = [];
  let position = 0;
  for (const item of raw) {
    const content = asObject(item, 'contents[]');
    const role = content['role'] === 'model' ? 'assistant' : 'user';
    const parts = field(content, 'parts');
    if (!Array.isArray(parts)) throw llmuxError('LLMUX_ERR_INVALID_REQUEST', ['`contents[].parts` must be an array.']);
    const out: ContentPart[] = [];
    const results: ToolResultPart[] = [];
    for (const rawPart of parts) {
      const part = asObject(rawPart, 'contents[].parts[]');
      if (isSet(field(part, 'thoughtSignature'))) notes.drop('contents.parts.thoughtSignature');
      for (const extra of ['videoMetadata', 'mediaResolution', 'partMetadata']) if (isSet(field(part, extra))) notes.drop(`contents.parts.${extra}`);
      const text = field(part, 'text');
      const call = field(part, 'functionCall');
      const response = field(part, 'functionResponse');
      if (typeof text === 'string') {
        // Thought summaries are the model's private reasoning, not part of the answer.
        if (field(part, 'thought') === true) notes.drop('contents.parts.thought');
        else if (text) out.push({ type: 'text', text });
      } else if (isObject(call)) {
        const name = str(call, 'name', 'functionCall.name');
        const given = field(call, 'id');
        const id = typeof given === 'string' && given ? given : syntheticCallId(name, position);
        position++;
        pending.push({ id, name, answered: false });
        out.push({ type: 'tool_call', id, name, arguments: JSON.stringify(field(call, 'args') ?? {}) });
      } else if (isObject(response)) {
        const name = str(response, 'name', 'functionResponse.name');
        const given = field(response, 'id');
        const match = typeof given === 'string' && given ? pending.find((p) => p.id === given) : pending.find((p) => !p.answered && p.name === name);
        if (!match) throw llmuxError('LLMUX_ERR_INVALID_REQUEST', [`The functionResponse for \`${name}\` answers no earlier functionCall.`]);
        match.answered = true;
        const { text: resultText, isError } = responseText(field(response, 'response'));
        const resultContent: (TextPart | ImagePart)[] = resultText ? [{ type: 'text', text: resultText }] : [];
        const extra = field(response, 'parts');
        if (Array.isArray(extra)) {
          for (const p of extra) {
            const media = isObject(p) ? decodeMedia(p, notes) : undefined;
            if (media) resultContent.push(media);
          }
        }
        results.push({ type: 'tool_result', toolCallId: match.id, name, content: resultContent, ...(isError ? { isError } : {}) });
      } else if (isObject(field(part, 'inlineData')) || isObject(field(part, 'fileData'))) {
        const media = decodeMedia(part, notes);
        if (media) out.push(media);
      } else {
        const kind = Object.keys(part).find((k) => k !== 'thoughtSignature' && k !== 'thought_signature') ?? 'empty';
        notes.unsupported(`contents.parts.${kind}`);
      }
    }
    if (results.length > 0) messages.push({ role: 'tool', content: results });
    if (out.length > 0 || results.length === 0) messages.push({ role, content: out });
  }
  return messages;
}

function encodeMedia(part: ImagePart): JsonObject {
  const { source } = part;
  if (source.kind === 'base64') return { inlineData: { mimeType: source.mediaType, data: source.data } };
  // Gemini fetches public and signed https URLs itself (https://ai.google.dev/gemini-api/docs/file-input-methods);
  // without an extension to go by, its own sniffing is better than a guessed type.
  const mimeType = imageTypeFromUrl(source.url);
  return { fileData: mimeType ? { mimeType, fileUri: source.url } : { fileUri: source.url } };
}

function encodeToolResult(part: ToolResultPart, names: ReadonlyMap<string, string>): JsonObject {
  const name = part.name ?? names.get(part.toolCallId);
  if (name === undefined) throw llmuxError('LLMUX_ERR_INVALID_REQUEST', [`The tool result for \`${part.toolCallId}\` answers no earlier tool call.`]);
  let text = '';
  const media: JsonObject[] = [];
  for (const c of part.content) {
    if (c.type === 'text') text += c.text;
    else media.push(encodeMedia(c));
  }
  const parsed = text.trim().startsWith('{') ? parseObject(text) : undefined;
  const value: JsonValue = parsed ?? text;
  const fr: JsonObject = { name, response: part.isError ? { error: value } : { output: value } };
  if (media.length > 0) fr['parts'] = media;
  return { functionResponse: fr };
}

export function encodeContents(messages: readonly CanonicalMessage[]): JsonValue[] {
  const out: { role: string; parts: JsonObject[] }[] = [];
  const names = new Map<string, string>();
  for (const m of messages) {
    const role = m.role === 'assistant' ? 'model' : 'user';
    const parts: JsonObject[] = [];
    let signed = false;
    for (const p of m.content) {
      if (p.type === 'text') {
        if (p.text) parts.push({ text: p.text });
      } else if (p.type === 'image') {
        parts.push(encodeMedia(p));
      } else if (p.type === 'tool_call') {
        names.set(p.id, p.name);
        parts.push(encodeCall(p, !signed));
        signed = true;
      } else {
        parts.push(encodeToolResult(p, names));
      }
    }
    if (parts.length === 0) continue;
    const last = out.at(-1);
    if (last?.role === role) last.parts.push(...parts);
    else out.push({ role, parts });
  }
  return out;
}

function encodeCall(call: ToolCallPart, first: boolean): JsonObject {
  const part: JsonObject = { functionCall: { name: call.name, args: parseArguments(call.arguments, `tool call ${call.id}`) } };
  if (first) part['thoughtSignature'] = DUMMY_THOUGHT_SIGNATURE;
  return part;
}
