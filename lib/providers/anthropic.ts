/**
 * Anthropic's Messages API: `x-api-key` auth, `/v1/messages`, and the
 * `anthropic-version` header. The version sent upstream is always the configured
 * one (never the client's), and translated requests are shaped for its rules.
 */
import { z } from 'zod';
import { defineProviderKind } from './types.js';
import { baseUrl, commonProviderFields } from './shared-schema.js';

const schema = z.strictObject({
  kind: z.literal('anthropic'),
  base_url: baseUrl.default('https://api.anthropic.com'),
  ...commonProviderFields,
  /** The `anthropic-version` header sent upstream. */
  version: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date like 2023-06-01').default('2023-06-01'),
  /** `max_tokens` for a translated request whose client set none (Anthropic requires one). */
  default_max_tokens: z.number().int().positive().default(4096),
});

export const anthropic = defineProviderKind({
  kind: 'anthropic',
  format: 'anthropic',
  description: 'Anthropic (api.anthropic.com): x-api-key, anthropic-version, /v1/messages',
  schema,
  operations: ['chat'],
  endpoint: (config) => new URL(`${config.base_url}/v1/messages`),
  authHeaders(config) {
    const headers: Record<string, string> = { 'anthropic-version': config.version };
    if (config.api_key) headers['x-api-key'] = config.api_key;
    return headers;
  },
  requestDefaults: (config) => ({ apiVersion: config.version, defaultMaxTokens: config.default_max_tokens }),
});
