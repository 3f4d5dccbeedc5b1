/**
 * Same-format pass-through rewrites only the top-level `"model"` value and leaves
 * every other byte of the client's body as it was: `spliceJson` replaces the value
 * at a span of the raw UTF-8 bytes (a request's model span comes from json-scan.ts).
 * The scanners here find where a top-level key's value lies in a document already
 * known to be valid JSON (an upstream answer's usage, at its end).
 */
import { BACKSLASH, CLOSE_BRACE, CLOSE_BRACKET, COLON, COMMA, isSpace, OPEN_BRACE, OPEN_BRACKET, QUOTE, skipSpace } from './json-bytes.js';

export interface ValueSpan {
  readonly start: number;
  readonly end: number;
}

/**
 * Index just past the string that starts at `i` (which holds a quote). Prompts make
 * up most of a body, so the closing quote is found with the native `indexOf`
 * rather than byte by byte; a quote preceded by an odd run of backslashes is escaped.
 */
function skipString(bytes: Uint8Array, i: number): number {
  let j = i + 1;
  for (;;) {
    const quote = bytes.indexOf(QUOTE, j);
    if (quote === -1) return bytes.length;
    let slashes = 0;
    while (bytes[quote - 1 - slashes] === BACKSLASH) slashes++;
    if (slashes % 2 === 0) return quote + 1;
    j = quote + 1;
  }
}

/** Index just past the value that starts at `i` (no leading whitespace). */
function skipValue(bytes: Uint8Array, i: number): number {
  const first = bytes[i];
  if (first === QUOTE) return skipString(bytes, i);
  if (first !== OPEN_BRACE && first !== OPEN_BRACKET) {
    let j = i;
    while (j < bytes.length && bytes[j] !== COMMA && bytes[j] !== CLOSE_BRACE && bytes[j] !== CLOSE_BRACKET) j++;
    while (j > i && isSpace(bytes[j - 1])) j--;
    return j;
  }
  let depth = 0;
  for (let j = i; j < bytes.length; j++) {
    const c = bytes[j];
    if (c === QUOTE) j = skipString(bytes, j) - 1;
    else if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
    else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
      if (depth === 0) return j + 1;
    }
  }
  return bytes.length;
}

/** The byte span of the value of top-level `key`, or `undefined` when absent. Keys must be plain ASCII without escapes. */
export function findTopLevelValue(bytes: Buffer, key: string): ValueSpan | undefined {
  const needle = `"${key}"`;
  let i = skipSpace(bytes, 0);
  if (bytes[i] !== OPEN_BRACE) return undefined;
  i++;
  let found: ValueSpan | undefined;
  while (i < bytes.length) {
    i = skipSpace(bytes, i);
    if (bytes[i] !== QUOTE) return found;
    const keyEnd = skipString(bytes, i);
    const matches = keyEnd - i - 2 === key.length && keyMatches(bytes, i + 1, key);
    i = skipSpace(bytes, keyEnd);
    if (bytes[i] !== COLON) return found;
    const start = skipSpace(bytes, i + 1);
    const end = skipValue(bytes, start);
    // JSON.parse keeps the last of duplicate keys, so the scanner does too; when the key's
    // name does not occur again at all, there is no later duplicate to look for.
    if (matches) {
      found = { start, end };
      if (bytes.indexOf(needle, end) === -1) return found;
    }
    i = skipSpace(bytes, end);
    if (bytes[i] !== COMMA) return found;
    i++;
  }
  return found;
}

/**
 * `findTopLevelValue`, searched from the end: answers put `usage` last, so only the
 * tail of a long answer is read. The last unescaped `"key"` followed by a colon is a
 * key at some depth; it is the top-level one when what follows its value is only
 * further top-level members and the closing brace. Anything else falls back to the
 * forward scan.
 */
export function findTopLevelValueFromEnd(bytes: Buffer, key: string): ValueSpan | undefined {
  const needle = quotedKey(key);
  let at = bytes.lastIndexOf(needle);
  while (at > 0 && isEscaped(bytes, at)) at = bytes.lastIndexOf(needle, at - 1);
  // Keys are plain ASCII without escapes: a key that is not in the bytes is not in the object.
  if (at < 0) return undefined;
  const colon = skipSpace(bytes, at + needle.length);
  if (bytes[colon] !== COLON) return findTopLevelValue(bytes, key);
  const start = skipSpace(bytes, colon + 1);
  const end = skipValue(bytes, start);
  return closesTopLevel(bytes, end) ? { start, end } : findTopLevelValue(bytes, key);
}

/** `"key"` as bytes, made once per key (a string needle is encoded again on every search). */
const quotedKeys = new Map<string, Buffer>();
function quotedKey(key: string): Buffer {
  let needle = quotedKeys.get(key);
  if (!needle) {
    needle = Buffer.from(`"${key}"`, 'latin1');
    quotedKeys.set(key, needle);
  }
  return needle;
}

/** Whether the quote at `at` is escaped (preceded by an odd run of backslashes). */
function isEscaped(bytes: Uint8Array, at: number): boolean {
  let slashes = 0;
  while (bytes[at - 1 - slashes] === BACKSLASH) slashes++;
  return slashes % 2 === 1;
}

/** Whether the bytes from `i` are `(, "key": value)* }` and then the end. */
function closesTopLevel(bytes: Uint8Array, i: number): boolean {
  for (;;) {
    i = skipSpace(bytes, i);
    if (bytes[i] === CLOSE_BRACE) return skipSpace(bytes, i + 1) === bytes.length;
    if (bytes[i] !== COMMA) return false;
    i = skipSpace(bytes, i + 1);
    if (bytes[i] !== QUOTE) return false;
    i = skipSpace(bytes, skipString(bytes, i));
    if (bytes[i] !== COLON) return false;
    i = skipValue(bytes, skipSpace(bytes, i + 1));
  }
}

function keyMatches(bytes: Uint8Array, at: number, key: string): boolean {
  for (let k = 0; k < key.length; k++) if (bytes[at + k] !== key.charCodeAt(k)) return false;
  return true;
}

/**
 * JSON encodings of the strings spliced in: model names, which come from the config
 * (a bounded set), so each is encoded once rather than per request.
 */
const encodings = new Map<string, Buffer>();
const MAX_ENCODINGS = 4096;

function encoded(value: string): Buffer {
  let bytes = encodings.get(value);
  if (!bytes) {
    bytes = Buffer.from(JSON.stringify(value), 'utf8');
    if (encodings.size < MAX_ENCODINGS) encodings.set(value, bytes);
  }
  return bytes;
}

/**
 * Returns `body` with the value at `span` replaced by the JSON encoding of `value`;
 * `body` itself when the value there already is exactly that encoding.
 */
export function spliceJson(body: Buffer, span: ValueSpan, value: string): Buffer {
  const replacement = encoded(value);
  if (span.end - span.start === replacement.length && body.compare(replacement, 0, replacement.length, span.start, span.end) === 0) return body;
  // Written into one fresh buffer: no intermediate views to concat.
  const out = Buffer.allocUnsafe(body.length - (span.end - span.start) + replacement.length);
  body.copy(out, 0, 0, span.start);
  replacement.copy(out, span.start);
  body.copy(out, span.start + replacement.length, span.end);
  return out;
}
