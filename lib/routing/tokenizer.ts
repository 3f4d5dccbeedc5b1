/**
 * The BPE tokenizer, loaded on first use: its rank table costs about 65 MB and a
 * quarter of a second, which a deployment that never estimates tokens (no rules,
 * no cost strategy, no tpm quotas, no context windows, usage reported upstream)
 * should not pay.
 */
import { createRequire } from 'node:module';

type Count = (text: string) => number;

const load = createRequire(import.meta.url);
let count: Count | undefined;

/** Tokens of `text` in o200k_base (the GPT-4o family's encoding). */
export function countTokens(text: string): number {
  count ??= (load('gpt-tokenizer/encoding/o200k_base') as { countTokens: Count }).countTokens;
  return count(text);
}
