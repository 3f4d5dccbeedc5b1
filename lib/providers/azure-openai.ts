/**
 * Azure OpenAI: the model is a *deployment* in the URL path
 * (`/openai/deployments/{deployment}/chat/completions?api-version=…`) and the key goes
 * in the `api-key` header. A target's `model` is the deployment name.
 */
import { z } from 'zod';
import { defineProviderKind } from './types.js';
import { baseUrl, commonProviderFields } from './shared-schema.js';

const schema = z.strictObject({
  kind: z.literal('azure-openai'),
  /** The resource endpoint, e.g. `https://my-resource.openai.azure.com`. */
  base_url: baseUrl,
  ...commonProviderFields,
  /** The data-plane API version every request carries. */
  api_version: z.string().min(1).default('2024-10-21'),
});

const suffix = { chat: 'chat/completions', embeddings: 'embeddings' } as const;

export const azureOpenai = defineProviderKind({
  kind: 'azure-openai',
  format: 'openai',
  description: 'Azure OpenAI: deployment in the path, api-key header, api-version query',
  schema,
  operations: ['chat', 'embeddings'],
  endpoint(config, operation, model) {
    const url = new URL(`${config.base_url}/openai/deployments/${encodeURIComponent(model)}/${suffix[operation]}`);
    url.searchParams.set('api-version', config.api_version);
    return url;
  },
  authHeaders: (config): Record<string, string> => (config.api_key ? { 'api-key': config.api_key } : {}),
});
