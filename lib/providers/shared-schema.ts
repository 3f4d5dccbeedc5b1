/** Schema pieces every provider kind's config shares. */
import { z } from 'zod';
import { healthCheckSchema } from '../config/resilience-schema.js';

/** An absolute http(s) URL; a trailing slash is removed so paths join predictably. */
export const baseUrl = z
  .url({ protocol: /^https?$/, error: 'must be an absolute http:// or https:// URL' })
  .transform((url) => url.replace(/\/+$/, ''));

export const commonProviderFields = {
  /** Key sent upstream. */
  api_key: z.string().min(1, 'must not be empty').optional(),
  /** Extra headers for every upstream request. */
  headers: z.record(z.string(), z.string()).default({}),
  /** Opt-in active health probe (a cheap GET, never a paid call). */
  health_check: healthCheckSchema.optional(),
  /**
   * Send the client's own key upstream (in this provider's auth header) instead of
   * `api_key`, which is then used only when the client sent none. @default false
   */
  passthrough_auth: z.boolean().default(false),
};
