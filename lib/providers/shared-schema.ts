/** Schema pieces every provider kind's config shares. */
import { z } from 'zod';

/** An absolute http(s) URL; a trailing slash is removed so paths join predictably. */
export const baseUrl = z
  .url({ protocol: /^https?$/, error: 'must be an absolute http:// or https:// URL' })
  .transform((url) => url.replace(/\/+$/, ''));

export const commonProviderFields = {
  /** Key sent upstream. */
  api_key: z.string().min(1, 'must not be empty').optional(),
  /** Extra headers for every upstream request. */
  headers: z.record(z.string(), z.string()).default({}),
};
