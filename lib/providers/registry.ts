/**
 * The closed registry of provider kinds. Adding a kind means adding a file and a
 * line here; an unknown `kind` in proxy.yaml fails `llmux validate`.
 */
import { z } from 'zod';
import type { ProviderKind } from './types.js';
import { openai } from './openai.js';
import { openaiCompatible } from './openai-compatible.js';
import { azureOpenai } from './azure-openai.js';
import { anthropic } from './anthropic.js';
import { gemini } from './gemini.js';

const kinds = [openai, openaiCompatible, azureOpenai, anthropic, gemini] as const;

export const providerKindNames: readonly string[] = kinds.map((k) => k.kind);

const byName: ReadonlyMap<string, ProviderKind> = new Map(kinds.map((k) => [k.kind, k]));

/** The schema of one `providers.<name>` entry: a union discriminated by `kind`. */
export const providerSchema = z.discriminatedUnion(
  'kind',
  [openai.schema, openaiCompatible.schema, azureOpenai.schema, anthropic.schema, gemini.schema],
  {
    error: (issue) =>
      issue.code === 'invalid_union' ? `unknown provider kind; use one of: ${providerKindNames.join(', ')}` : undefined,
  },
);

export type ProviderConfig = z.output<typeof providerSchema>;

export function getProviderKind(name: string): ProviderKind {
  const kind = byName.get(name);
  // Unreachable after validation; kept so a programming error names the kind.
  if (!kind) throw new Error(`unknown provider kind ${name}`);
  return kind;
}
