/** OpenAI's own API: Bearer auth, `/chat/completions` and `/embeddings` under the base URL. */
import { z } from 'zod';
import { defineProviderKind } from './types.js';
import { baseUrl, commonProviderFields } from './shared-schema.js';

const schema = z.strictObject({
  kind: z.literal('openai'),
  base_url: baseUrl.default('https://api.openai.com/v1'),
  ...commonProviderFields,
  /** Sent as `OpenAI-Organization` when set. */
  organization: z.string().optional(),
  /** Sent as `OpenAI-Project` when set. */
  project: z.string().optional(),
});

const paths = { chat: '/chat/completions', embeddings: '/embeddings' } as const;

export const openai = defineProviderKind({
  kind: 'openai',
  format: 'openai',
  description: 'OpenAI (api.openai.com): Bearer key, /v1/chat/completions and /v1/embeddings',
  schema,
  operations: ['chat', 'embeddings'],
  endpoint: (config, operation) => new URL(config.base_url + paths[operation]),
  authHeaders(config) {
    const headers: Record<string, string> = {};
    if (config.api_key) headers.authorization = `Bearer ${config.api_key}`;
    if (config.organization) headers['openai-organization'] = config.organization;
    if (config.project) headers['openai-project'] = config.project;
    return headers;
  },
});
