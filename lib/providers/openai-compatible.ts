/**
 * Any server that speaks OpenAI's Chat Completions API under its own base URL:
 * DeepSeek, Qwen (DashScope compatible mode), Moonshot, Zhipu, Groq, Mistral,
 * vLLM, Ollama, LM Studio … A base URL and (usually) a Bearer key is all they need.
 */
import { z } from 'zod';
import { defineProviderKind } from './types.js';
import { baseUrl, commonProviderFields } from './shared-schema.js';

const schema = z.strictObject({
  kind: z.literal('openai-compatible'),
  /** Required: there is no sensible default for "some compatible server". */
  base_url: baseUrl,
  ...commonProviderFields,
  /**
   * Header that carries the key. Most servers take `authorization` (sent as `Bearer <key>`);
   * a few gateways want a bare key in another header.
   */
  auth_header: z.string().toLowerCase().default('authorization'),
});

const paths = { chat: '/chat/completions', embeddings: '/embeddings' } as const;

export const openaiCompatible = defineProviderKind({
  kind: 'openai-compatible',
  format: 'openai',
  description: 'an OpenAI-compatible server (DeepSeek, Qwen, Moonshot, Zhipu, Groq, Mistral, vLLM, Ollama …): base_url + key',
  schema,
  operations: ['chat', 'embeddings'],
  endpoint: (config, operation) => new URL(config.base_url + paths[operation]),
  authHeaders(config) {
    if (!config.api_key) return {};
    const value = config.auth_header === 'authorization' ? `Bearer ${config.api_key}` : config.api_key;
    return { [config.auth_header]: value };
  },
});
