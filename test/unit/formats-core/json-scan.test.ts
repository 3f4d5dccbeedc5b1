import { describe, expect, it } from 'vitest';
import { JsonSyntaxError, scanJson } from '../../../lib/formats/json-scan.js';
import { seededRandom } from '../../helpers/seeded-random.js';

const KEYS = ['model', 'stream', 'max_tokens', 'metadata'];

/** What JSON.parse makes of the same bytes: the members asked for, `undefined` for a non-object, or the error. */
function byJsonParse(bytes: Buffer): unknown {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch {
    return 'invalid';
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  return KEYS.map((key) => (Object.hasOwn(value as object, key) ? (value as Record<string, unknown>)[key] : undefined));
}

/** The same, from the scanner: each span's bytes parsed. */
function byScanner(bytes: Buffer): unknown {
  let spans: ReturnType<typeof scanJson>;
  try {
    spans = scanJson(bytes, KEYS);
  } catch (error) {
    if (!(error instanceof JsonSyntaxError)) throw error;
    return 'invalid';
  }
  return spans?.map((span) => (span ? JSON.parse(bytes.subarray(span.start, span.end).toString('utf8')) : undefined));
}

const agree = (text: string | Buffer): void => {
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  expect(byScanner(bytes), bytes.toString('utf8')).toEqual(byJsonParse(bytes));
};

describe('scanJson', () => {
  it('finds the top-level members asked for, the last of duplicates, never a nested one', () => {
    const text = '{ "metadata" : {"model":"inner"}, "model":"a", "messages":[{"model":"x"}], "model" : ["b","c"] ,"stream":true }';
    const spans = scanJson(Buffer.from(text), KEYS)!;
    expect(spans.map((s) => (s ? text.slice(s.start, s.end) : undefined))).toEqual(['["b","c"]', 'true', undefined, '{"model":"inner"}']);
    // A key written with escapes names the same member, as JSON.parse reads it.
    agree('{"mod\\u0065l":"escaped","stream":false}');
  });

  it('accepts and refuses exactly what JSON.parse does, on the edge cases of RFC 8259', () => {
    const cases = [
      '{}', '[]', '""', '0', '-0', '1.5e+10', '-1E-2', 'true', 'null', ' {"a" : [ 1 , 2 ] } ',
      '{"s":"\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\uD83D\\uDE80"}', '{"lone":"\\ud800"}', '{"del":"\u007f","é":"翻译 🚀"}',
      '', ' ', '{', '}', '{"a"}', '{"a":}', '{"a":1,}', '[1,]', '[,1]', '{,}', '{"a":1 "b":2}', '{"a" 1}', '{a:1}',
      "{'a':1}", '01', '1.', '.5', '-', '+1', '1e', '1e+', '0x1', 'NaN', 'Infinity', 'tru', 'nul', 'True', 'undefined',
      '{"a":"\\x41"}', '{"a":"\\u12"}', '{"a":"\\u12g4"}', '{"a":"unterminated', '{"a":"tab\there"}', '{"a":"nl\nhere"}', '{"a":"unit\u001fseparator"}', '{"a":"space\u0020ok"}',
      '{"a":1}x', '{"a":1}{}', '\ufeff{}', '{"a":[[[[[]]]]]}', '[[[[[', ']]]', '{"a":{"b":{"c":[1,{"d":null}]}}}',
      '\t\n\r {"a":1}\r\n', '{"a":1}\u00a0', '{"a"\u00a0:1}',
    ];
    for (const text of cases) agree(text);
    // Invalid UTF-8 inside a string decodes to U+FFFD for JSON.parse: still a valid document.
    agree(Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xc3, 0x22, 0x7d]));
    agree(Buffer.from([0x7b, 0xff, 0x7d]));
  });

  it('says where the document breaks', () => {
    expect(() => scanJson(Buffer.from(''), KEYS)).toThrow('the body is empty');
    expect(() => scanJson(Buffer.from('{"model":'), KEYS)).toThrow('the body ends too early (9 bytes)');
    expect(() => scanJson(Buffer.from('{"model":x}'), KEYS)).toThrow('syntax error at byte 9 of 11');
  });

  it('agrees with JSON.parse on thousands of random documents and their mutations', () => {
    const random = seededRandom(20261207);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
    const words = ['model', 'stream', 'max_tokens', 'metadata', 'messages', 'a', 'é', '"q"', 'back\\slash', 'tab\t', '🚀'];
    const value = (depth: number): unknown => {
      const kind = depth > 3 ? Math.floor(random() * 4) : Math.floor(random() * 6);
      if (kind === 0) return pick(words);
      if (kind === 1) return pick([0, -1, 1.5, 1e21, -2.5e-7, 42]);
      if (kind === 2) return pick([true, false, null]);
      if (kind === 3) return pick(['', 'x', 'a "quoted" word']);
      if (kind === 4) return Array.from({ length: Math.floor(random() * 4) }, () => value(depth + 1));
      return Object.fromEntries(Array.from({ length: Math.floor(random() * 5) }, () => [pick(words), value(depth + 1)]));
    };
    const alphabet = ['{', '}', '[', ']', ',', ':', '"', '\\', ' ', '\n', '0', '1', '-', '.', 'e', 't', 'n', 'u', 'x', '\u0001', '\u001f', 'é'];
    let invalid = 0;
    for (let round = 0; round < 3000; round++) {
      const text = JSON.stringify(value(0), null, round % 3 === 0 ? 1 : undefined);
      agree(text);
      const chars = [...text];
      const at = Math.floor(random() * (chars.length + 1));
      const action = Math.floor(random() * 3);
      if (action === 0) chars.splice(at, 1);
      else if (action === 1) chars.splice(at, 0, pick(alphabet));
      else chars.splice(at, 1, pick(alphabet));
      const mutated = chars.join('');
      if (byJsonParse(Buffer.from(mutated)) === 'invalid') invalid++;
      agree(mutated);
    }
    // The mutations do reach invalid documents, or the comparison would prove little.
    expect(invalid).toBeGreaterThan(1000);
  });
});
