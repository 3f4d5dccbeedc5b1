/**
 * Built-in list prices (US dollars per million tokens) of common models, so the
 * `cost` strategy and cost accounting work without a `price:` on every target.
 * Prices change: these are the providers' published list prices as last reviewed
 * (see PRICES_REVIEWED); a target's own `price` always wins. Dated model names
 * (`gpt-4o-2024-08-06`, `claude-sonnet-4-5-20250929`) match their family by prefix.
 */
import type { Price } from './target.js';

export const PRICES_REVIEWED = '2025-10';

const table: Readonly<Record<string, Price>> = {
  // OpenAI
  'gpt-5': { input: 1.25, output: 10, cachedInput: 0.125 },
  'gpt-5-mini': { input: 0.25, output: 2, cachedInput: 0.025 },
  'gpt-5-nano': { input: 0.05, output: 0.4, cachedInput: 0.005 },
  'gpt-4.1': { input: 2, output: 8, cachedInput: 0.5 },
  'gpt-4.1-mini': { input: 0.4, output: 1.6, cachedInput: 0.1 },
  'gpt-4.1-nano': { input: 0.1, output: 0.4, cachedInput: 0.025 },
  'gpt-4o': { input: 2.5, output: 10, cachedInput: 1.25 },
  'gpt-4o-mini': { input: 0.15, output: 0.6, cachedInput: 0.075 },
  o3: { input: 2, output: 8, cachedInput: 0.5 },
  'o4-mini': { input: 1.1, output: 4.4, cachedInput: 0.275 },
  'text-embedding-3-small': { input: 0.02, output: 0 },
  'text-embedding-3-large': { input: 0.13, output: 0 },
  // Anthropic
  'claude-opus-4': { input: 15, output: 75, cachedInput: 1.5 },
  'claude-sonnet-4': { input: 3, output: 15, cachedInput: 0.3 },
  'claude-haiku-4-5': { input: 1, output: 5, cachedInput: 0.1 },
  'claude-3-5-haiku': { input: 0.8, output: 4, cachedInput: 0.08 },
  // Google
  'gemini-2.5-pro': { input: 1.25, output: 10, cachedInput: 0.31 },
  'gemini-2.5-flash': { input: 0.3, output: 2.5, cachedInput: 0.075 },
  'gemini-2.5-flash-lite': { input: 0.1, output: 0.4, cachedInput: 0.025 },
  'gemini-2.0-flash': { input: 0.1, output: 0.4, cachedInput: 0.025 },
  // DeepSeek
  'deepseek-chat': { input: 0.28, output: 0.42, cachedInput: 0.028 },
  'deepseek-reasoner': { input: 0.28, output: 0.42, cachedInput: 0.028 },
};

const byLength = Object.keys(table).sort((a, b) => b.length - a.length);

/** The built-in price of `model` (exact name, else the longest family prefix), if known. */
export function builtinPrice(model: string): Price | undefined {
  const name = model.toLowerCase().replace(/^models\//, '');
  const exact = table[name];
  if (exact) return exact;
  const family = byLength.find((key) => name.startsWith(`${key}-`) || name.startsWith(`${key}@`));
  return family ? table[family] : undefined;
}
