import { describe, expect, it } from 'vitest';
import { estimateTokens, imageTokens } from '../../../lib/routing/token-estimate.js';
import { imageSize } from '../../../lib/routing/image-size.js';
import { builtinPrice } from '../../../lib/routing/price-table.js';
import type { CanonicalRequest } from '../../../lib/formats/canonical.js';

const PNG_1x1 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
/** A 2×3 GIF's header: "GIF89a", width 2, height 3 (little-endian). */
const GIF_2x3 = Buffer.concat([Buffer.from('GIF89a'), Buffer.from([2, 0, 3, 0]), Buffer.alloc(10)]).toString('base64');

function request(overrides: Partial<CanonicalRequest>): CanonicalRequest {
  return { model: 'm', messages: [], stream: false, unmapped: [], ...overrides };
}

describe('token estimate', () => {
  it('counts text with the o200k tokenizer plus per-message framing', () => {
    const one = estimateTokens(request({ messages: [{ role: 'user', content: [{ type: 'text', text: 'Hello world' }] }] }));
    // "Hello world" is 2 tokens; 3 framing per message; 3 reply priming.
    expect(one.input).toBe(2 + 3 + 3);
    const chinese = estimateTokens(request({ messages: [{ role: 'user', content: [{ type: 'text', text: '请把这句话翻译成英文' }] }] }));
    expect(chinese.input).toBeGreaterThan(6);
  });

  it('counts tool definitions', () => {
    const withTools = estimateTokens(
      request({ messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }], tools: [{ name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } }] }),
    );
    expect(withTools.tools).toBeGreaterThan(10);
    expect(withTools.input).toBe(1 + 3 + 3 + withTools.tools);
  });

  it('prices images by OpenAI\'s tile rule, reading the size of base64 images', () => {
    expect(imageTokens({ width: 512, height: 512 })).toBe(85 + 170);
    expect(imageTokens({ width: 1024, height: 1024 })).toBe(85 + 170 * 4);
    expect(imageTokens({ width: 4096, height: 2048 })).toBe(85 + 170 * 6);
    expect(imageSize(PNG_1x1)).toEqual({ width: 1, height: 1 });
    expect(imageSize(GIF_2x3)).toEqual({ width: 2, height: 3 });
    const estimate = estimateTokens(request({ messages: [{ role: 'user', content: [{ type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: PNG_1x1 } }] }] }));
    expect(estimate.images).toBe(85 + 170);
    const url = estimateTokens(request({ messages: [{ role: 'user', content: [{ type: 'image', source: { kind: 'url', url: 'https://example.com/a.png' } }] }] }));
    expect(url.images).toBe(85 + 170 * 4);
  });
});

describe('built-in prices', () => {
  it('matches exact names and dated versions by family, longest first', () => {
    expect(builtinPrice('gpt-4o')).toMatchObject({ input: 2.5, output: 10 });
    expect(builtinPrice('gpt-4o-2024-08-06')).toMatchObject({ input: 2.5 });
    expect(builtinPrice('gpt-4o-mini-2024-07-18')).toMatchObject({ input: 0.15 });
    expect(builtinPrice('claude-sonnet-4-5-20250929')).toMatchObject({ input: 3, output: 15 });
    expect(builtinPrice('models/gemini-2.5-flash')).toMatchObject({ input: 0.3 });
    expect(builtinPrice('my-finetune')).toBeUndefined();
  });
});
