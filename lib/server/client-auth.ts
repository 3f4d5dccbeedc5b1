/**
 * Client keys, compiled once per config snapshot. A presented key is looked up
 * by its SHA-256 digest, so the comparison never leaks how much of a key matched,
 * and the keys themselves are not kept in lookup tables.
 */
import { createHash } from 'node:crypto';
import type { AuthConfig } from '../config/auth-schema.js';
import { llmuxError } from '../errors.js';
import { addToBudget, overspend, type Budget } from '../routing/budgets.js';
import type { StateStore } from '../state/store.js';

export interface ClientKey {
  readonly name: string;
  /** Routes and virtual models this key may ask for; `undefined` means all. */
  readonly routes?: ReadonlySet<string> | undefined;
  readonly budget?: Budget | undefined;
}

const digest = (key: string): string => createHash('sha256').update(key).digest('hex');

export class ClientAuth {
  readonly #keys: ReadonlyMap<string, ClientKey> | undefined;

  constructor(auth: AuthConfig | undefined) {
    this.#keys =
      auth === undefined || auth === 'none'
        ? undefined
        : new Map(auth.keys.map((k) => [digest(k.key), { name: k.name, routes: k.routes ? new Set(k.routes) : undefined, budget: k.budget }]));
  }

  /** Whether clients must present a key. */
  get required(): boolean {
    return this.#keys !== undefined;
  }

  /** The key's entry; throws 401 when keys are required and this one is missing or unknown. */
  authenticate(credential: string | undefined): ClientKey | undefined {
    if (!this.#keys) return undefined;
    const entry = credential ? this.#keys.get(digest(credential)) : undefined;
    if (!entry) throw llmuxError('LLMUX_ERR_UNAUTHORIZED', []);
    return entry;
  }
}

/** Throws 403 when the key may not use `name`. */
export function assertRouteAllowed(key: ClientKey | undefined, name: string): void {
  if (key?.routes && !key.routes.has(name)) throw llmuxError('LLMUX_ERR_FORBIDDEN_ROUTE', [name]);
}

const keyBudgetKey = (name: string): string => `key:${name}`;

/** Throws 429 when the key has spent its budget for the current window. */
export async function assertKeyBudget(key: ClientKey | undefined, state: StateStore, now: number): Promise<void> {
  if (!key?.budget) return;
  const spent = await overspend(keyBudgetKey(key.name), key.budget, state, now);
  if (spent) throw llmuxError('LLMUX_ERR_KEY_BUDGET_EXCEEDED', [key.name, spent.reason], { headers: { 'retry-after': spent.retryAfter } });
}

export function recordKeySpend(key: ClientKey | undefined, usd: number, state: StateStore, now: number): Promise<void> {
  return key ? addToBudget(keyBudgetKey(key.name), key.budget, usd, state, now) : Promise.resolve();
}
