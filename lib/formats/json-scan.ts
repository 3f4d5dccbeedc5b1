/**
 * A strict JSON checker that reads a client body as bytes and notes where the values
 * of a few top-level members lie, without building the document. The router needs
 * only a handful of top-level fields (the model, stream mode, the token cap), and a
 * same-format request passes through as the client's own bytes: parsing the whole
 * body into objects only to read three fields was most of the JSON cost per request
 * (and its prompt text copied into a string). The body must still be valid JSON, so
 * every byte is checked as `JSON.parse` would check it (RFC 8259): the same documents
 * pass and fail, which the tests check against `JSON.parse` itself.
 */
import type { ValueSpan } from './json-splice.js';

import { BACKSLASH, CLOSE_BRACE, CLOSE_BRACKET, COLON, COMMA, OPEN_BRACE, OPEN_BRACKET, QUOTE, skipSpace } from './json-bytes.js';

const SLASH = 0x2f;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;

/** Where a body stops being JSON: a byte offset, or the end of the input. */
export class JsonSyntaxError extends Error {
  constructor(
    /** Offset of the offending byte; `length` when the input ended too early. */
    readonly offset: number,
    readonly length: number,
  ) {
    super(length === 0 ? 'the body is empty' : offset >= length ? `the body ends too early (${length} bytes)` : `syntax error at byte ${offset} of ${length}`);
    this.name = 'JsonSyntaxError';
  }
}

/** The spans found by `scanJson`: one per key asked for, `undefined` when the object lacks it. */
export type MemberSpans = (ValueSpan | undefined)[];

const isDigit = (c: number): boolean => c >= ZERO && c <= NINE;
const isHex = (c: number): boolean => isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);

/**
 * Checks that `bytes` hold exactly one JSON value. When it is an object, returns the
 * value spans of its top-level members named in `keys` (the last of duplicates, as
 * `JSON.parse` keeps); `undefined` when the document is valid JSON but not an object.
 * Throws a `JsonSyntaxError` when it is not valid JSON.
 */
export function scanJson(bytes: Uint8Array, keys: readonly string[]): MemberSpans | undefined {
  return new Scanner(bytes, keys).run();
}

/** One pass over a document; iterative (a stack of open containers), so depth costs no call stack. */
class Scanner {
  readonly #bytes: Uint8Array;
  readonly #keys: readonly string[];
  readonly #spans: MemberSpans;
  /** Open containers, innermost last: true for an object, false for an array. */
  readonly #open: boolean[] = [];
  /** Index in `keys` of the top-level member whose value is being read, or -1. */
  #member = -1;
  #valueStart = 0;

  constructor(bytes: Uint8Array, keys: readonly string[]) {
    this.#bytes = bytes;
    this.#keys = keys;
    this.#spans = new Array<ValueSpan | undefined>(keys.length).fill(undefined);
  }

  run(): MemberSpans | undefined {
    const bytes = this.#bytes;
    const n = bytes.length;
    const open = this.#open;
    let i = skipSpace(bytes, 0);
    const topIsObject = bytes[i] === OPEN_BRACE;
    for (;;) {
      // A value starts at i.
      if (i >= n) throw new JsonSyntaxError(n, n);
      const c = bytes[i] as number;
      if (c === OPEN_BRACE || c === OPEN_BRACKET) {
        const object = c === OPEN_BRACE;
        open.push(object);
        i = skipSpace(bytes, i + 1);
        if (bytes[i] !== (object ? CLOSE_BRACE : CLOSE_BRACKET)) {
          if (object) i = this.#memberKey(i);
          continue;
        }
        open.pop();
        i++;
      } else if (c === QUOTE) i = stringEnd(bytes, i);
      else if (c === MINUS || isDigit(c)) i = numberEnd(bytes, i);
      else if (c === 0x74) i = literalEnd(bytes, i, 'true');
      else if (c === 0x66) i = literalEnd(bytes, i, 'false');
      else if (c === 0x6e) i = literalEnd(bytes, i, 'null');
      else throw new JsonSyntaxError(i, n);

      // A value ended at i: close containers, or go on to the next element or member.
      for (;;) {
        if (this.#member !== -1 && open.length === 1) {
          this.#spans[this.#member] = { start: this.#valueStart, end: i };
          this.#member = -1;
        }
        i = skipSpace(bytes, i);
        if (open.length === 0) {
          if (i < n) throw new JsonSyntaxError(i, n);
          return topIsObject ? this.#spans : undefined;
        }
        const object = open[open.length - 1] as boolean;
        const next = bytes[i];
        if (next === COMMA) {
          i = skipSpace(bytes, i + 1);
          if (object) i = this.#memberKey(i);
          break;
        }
        if (next !== (object ? CLOSE_BRACE : CLOSE_BRACKET)) throw new JsonSyntaxError(i, n);
        open.pop();
        i++;
      }
    }
  }

  /** An object member's key and colon, from the key's quote; returns where its value starts. */
  #memberKey(i: number): number {
    const bytes = this.#bytes;
    const n = bytes.length;
    if (i >= n) throw new JsonSyntaxError(n, n);
    if (bytes[i] !== QUOTE) throw new JsonSyntaxError(i, n);
    const keyEnd = stringEnd(bytes, i);
    const colon = skipSpace(bytes, keyEnd);
    if (colon >= n) throw new JsonSyntaxError(n, n);
    if (bytes[colon] !== COLON) throw new JsonSyntaxError(colon, n);
    const valueStart = skipSpace(bytes, colon + 1);
    if (this.#open.length === 1) {
      this.#member = keyIndex(bytes, i, keyEnd, this.#keys);
      this.#valueStart = valueStart;
    }
    return valueStart;
  }
}

/** Which of `keys` the key string at `from`..`to` (quotes included) names, or -1; a key written with escapes is decoded to compare. */
function keyIndex(bytes: Uint8Array, from: number, to: number, keys: readonly string[]): number {
  const length = to - from - 2;
  for (let k = from + 1; k < to - 1; k++) {
    if (bytes[k] === BACKSLASH) return keys.indexOf(JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset + from, to - from).toString('utf8')) as string);
  }
  for (let k = 0; k < keys.length; k++) {
    const key = keys[k] as string;
    if (key.length !== length) continue;
    let same = true;
    for (let j = 0; j < length && same; j++) same = bytes[from + 1 + j] === key.charCodeAt(j);
    if (same) return k;
  }
  return -1;
}

/** Index just past the string starting at `i` (its opening quote); checks escapes and control characters. */
function stringEnd(bytes: Uint8Array, i: number): number {
  const n = bytes.length;
  for (let j = i + 1; j < n; j++) {
    const c = bytes[j] as number;
    if (c === QUOTE) return j + 1;
    if (c < 0x20) throw new JsonSyntaxError(j, n);
    if (c !== BACKSLASH) continue;
    const e = bytes[++j];
    if (e === undefined) break;
    if (e === 0x75) {
      for (let h = 1; h <= 4; h++) {
        const x = bytes[j + h];
        if (x === undefined) throw new JsonSyntaxError(n, n);
        if (!isHex(x)) throw new JsonSyntaxError(j + h, n);
      }
      j += 4;
    } else if (e !== QUOTE && e !== BACKSLASH && e !== SLASH && e !== 0x62 && e !== 0x66 && e !== 0x6e && e !== 0x72 && e !== 0x74) {
      throw new JsonSyntaxError(j, n);
    }
  }
  throw new JsonSyntaxError(n, n);
}

/** Index just past the number starting at `i`: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`. */
function numberEnd(bytes: Uint8Array, i: number): number {
  if (bytes[i] === MINUS) i++;
  if (bytes[i] === ZERO) i++;
  else i = digits(bytes, i);
  if (bytes[i] === DOT) i = digits(bytes, i + 1);
  const e = bytes[i];
  if (e === 0x65 || e === 0x45) {
    i++;
    if (bytes[i] === PLUS || bytes[i] === MINUS) i++;
    i = digits(bytes, i);
  }
  return i;
}

/** Index past one or more digits from `i`. */
function digits(bytes: Uint8Array, i: number): number {
  const n = bytes.length;
  if (i >= n) throw new JsonSyntaxError(n, n);
  if (!isDigit(bytes[i] as number)) throw new JsonSyntaxError(i, n);
  while (i < n && isDigit(bytes[i] as number)) i++;
  return i;
}

function literalEnd(bytes: Uint8Array, i: number, word: string): number {
  const n = bytes.length;
  for (let k = 0; k < word.length; k++) {
    if (i + k >= n) throw new JsonSyntaxError(n, n);
    if (bytes[i + k] !== word.charCodeAt(k)) throw new JsonSyntaxError(i + k, n);
  }
  return i + word.length;
}
