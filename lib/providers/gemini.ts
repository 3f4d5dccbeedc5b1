/**
 * Google's Gemini API (generativelanguage.googleapis.com): the model is in the
 * path (`/models/{model}:generateContent`, `:streamGenerateContent?alt=sse`) and
 * the key goes in `x-goog-api-key` (never in the URL, where logs would keep it).
 */
import { z } from 'zod';
import { defineProviderKind } from './types.js';
import { baseUrl, commonProviderFields } from './shared-schema.js';

const schema = z.strictObject({
  kind: z.literal('gemini'),
  base_url: baseUrl.default('https://generativelanguage.googleapis.com/v1beta'),
  ...commonProviderFields,
});

export const gemini = defineProviderKind({
  kind: 'gemini',
  format: 'gemini',
  description: 'Google Gemini API: x-goog-api-key, /models/{model}:generateContent and :streamGenerateContent?alt=sse',
  schema,
  operations: ['chat'],
  endpoint(config, _operation, model, stream) {
    const name = model.startsWith('models/') ? model.slice(7) : model;
    const method = stream ? 'streamGenerateContent?alt=sse' : 'generateContent';
    return new URL(`${config.base_url}/models/${encodeURIComponent(name)}:${method}`);
  },
  authHeaders: (config): Record<string, string> => (config.api_key ? { 'x-goog-api-key': config.api_key } : {}),
});
