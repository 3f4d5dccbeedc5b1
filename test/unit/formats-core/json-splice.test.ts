import { describe, expect, it } from 'vitest';
import { findTopLevelValue, findTopLevelValueFromEnd, spliceJson } from '../../../lib/formats/json-splice.js';

function rewrite(text: string, model: string): string {
  const raw = Buffer.from(text, 'utf8');
  const span = findTopLevelValue(raw, 'model');
  if (!span) throw new Error('model not found');
  return spliceJson(raw, span, model).toString('utf8');
}

describe('findTopLevelValue / spliceJson', () => {
  it('hands back the same buffer when the value already is the target model, and splices non-ASCII names byte-exactly', () => {
    const raw = Buffer.from('{"model":"gpt-4o","messages":[]}', 'utf8');
    const span = findTopLevelValue(raw, 'model')!;
    expect(spliceJson(raw, span, 'gpt-4o')).toBe(raw);
    const renamed = spliceJson(raw, span, 'modèle-\u00e9"x');
    expect(JSON.parse(renamed.toString('utf8'))).toEqual({ model: 'modèle-\u00e9"x', messages: [] });
    // A value of the same length but different bytes is still replaced.
    expect(spliceJson(raw, span, 'gpt-4x').toString('utf8')).toBe('{"model":"gpt-4x","messages":[]}');
  });

  it('replaces only the model value and keeps every other byte', () => {
    const text = '{ "messages" : [{"role":"user","content":"say \\"model\\": no"}],\n  "model":"route-a" ,"stream":true}';
    expect(rewrite(text, 'gpt-4o')).toBe(text.replace('"route-a"', '"gpt-4o"'));
  });

  it('ignores a nested "model" key and finds the top-level one after it', () => {
    const text = '{"metadata":{"model":"inner"},"tools":[{"model":"x"}],"model":"outer"}';
    expect(rewrite(text, 'm')).toBe('{"metadata":{"model":"inner"},"tools":[{"model":"x"}],"model":"m"}');
  });

  it('handles escaped quotes and backslashes inside strings', () => {
    const text = '{"a":"\\\\","b":"\\\\\\"model\\":1","model":"r"}';
    expect(JSON.parse(rewrite(text, 'z'))).toEqual({ a: '\\', b: '\\"model":1', model: 'z' });
  });

  it('replaces a fallback list with one model name', () => {
    expect(rewrite('{"model":["a","b"],"n":1}', 'target')).toBe('{"model":"target","n":1}');
  });

  it('keeps multi-byte text intact around the splice', () => {
    const text = '{"messages":[{"content":"翻译 this 🚀"}],"model":"route"}';
    const out = rewrite(text, 'deepseek-chat');
    expect(JSON.parse(out)).toEqual({ messages: [{ content: '翻译 this 🚀' }], model: 'deepseek-chat' });
  });

  it('uses the last of duplicate keys, as JSON.parse does', () => {
    expect(rewrite('{"model":"a","model":"b"}', 'c')).toBe('{"model":"a","model":"c"}');
    expect(rewrite('{"model":"a","tools":[{"model":"x"}],"n":{"model":1},"model":"b"}', 'c')).toBe('{"model":"a","tools":[{"model":"x"}],"n":{"model":1},"model":"c"}');
  });

  it('keeps the first top-level key when the name only occurs again nested', () => {
    expect(rewrite('{"model":"a","tools":[{"model":"x"}]}', 'c')).toBe('{"model":"c","tools":[{"model":"x"}]}');
    expect(rewrite('{"model":"a","messages":[{"content":"a \\"model\\" of it"}]}', 'c')).toBe('{"model":"c","messages":[{"content":"a \\"model\\" of it"}]}');
  });

  it('returns undefined when there is no top-level key', () => {
    expect(findTopLevelValue(Buffer.from('{"x":{"model":"a"}}'), 'model')).toBeUndefined();
    expect(findTopLevelValue(Buffer.from('[1,2]'), 'model')).toBeUndefined();
  });

  it('finds number, literal and object values', () => {
    const raw = Buffer.from('{"model" : 12 , "o":{"a":[1,{"b":"}"}]},"t":true}');
    const span = findTopLevelValue(raw, 'o')!;
    expect(raw.subarray(span.start, span.end).toString()).toBe('{"a":[1,{"b":"}"}]}');
    const num = findTopLevelValue(raw, 'model')!;
    expect(raw.subarray(num.start, num.end).toString()).toBe('12');
  });
});

describe('findTopLevelValueFromEnd', () => {
  const usageOf = (text: string): string | undefined => {
    const raw = Buffer.from(text, 'utf8');
    const span = findTopLevelValueFromEnd(raw, 'usage');
    return span && raw.subarray(span.start, span.end).toString('utf8');
  };

  it('reads a trailing usage object, also with members after it', () => {
    expect(usageOf('{"id":"x","choices":[{"message":{"content":"hi"}}],"usage":{"total_tokens":3}}')).toBe('{"total_tokens":3}');
    expect(usageOf('{"usage": {"a":1} , "system_fingerprint":"fp", "n":[1,2,{"k":"}"}] }\n')).toBe('{"a":1}');
  });

  it('does not take a nested or quoted "usage" for the top-level one', () => {
    expect(usageOf('{"choices":[{"usage":{"wrong":1}}],"id":"x"}')).toBeUndefined();
    expect(usageOf('{"usage":{"right":1},"choices":[{"usage":{"wrong":1}}]}')).toBe('{"right":1}');
    expect(usageOf('{"usage":{"right":1},"text":"say \\"usage\\": {}"}')).toBe('{"right":1}');
    expect(usageOf('{"role":"usage","usage":2}')).toBe('2');
    expect(usageOf('{"role":"usage"}')).toBeUndefined();
    expect(usageOf('{"content":"no such key"}')).toBeUndefined();
  });

  it('agrees with the forward scan on every member of generated bodies', () => {
    const values = ['1', '"usage"', '{"usage":{"n":1}}', '[{"usage":2},"\\""]', '"a \\"usage\\": 3"', 'null', '{"x":"}"}'];
    let seed = 11;
    const pick = <T>(items: readonly T[]): T => items[(seed = (seed * 48271) % 2147483647) % items.length] as T;
    for (let n = 0; n < 500; n++) {
      const members = Array.from({ length: 1 + (n % 5) }, () => `${pick(['"usage"', '"id"', '"choices"'])}:${pick(values)}`);
      const raw = Buffer.from(`{${members.join(',')}}`, 'utf8');
      expect(findTopLevelValueFromEnd(raw, 'usage'), raw.toString()).toEqual(findTopLevelValue(raw, 'usage'));
    }
  });
});
