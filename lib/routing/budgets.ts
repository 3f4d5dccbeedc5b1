/**
 * Spending caps per route (and, with client keys, per key): spend is summed per
 * UTC day or hour in the StateStore (shared by replicas), checked before routing
 * and added after each answer. An exhausted route either steps aside for its
 * fallbacks (its cheaper tier) or refuses with 429 until the window ends.
 */
import { llmuxError } from '../errors.js';
import type { StateStore } from '../state/store.js';
import type { Route } from './target.js';

export type BudgetPeriod = 'day' | 'hour';

const PERIOD_MS: Readonly<Record<BudgetPeriod, number>> = { day: 86_400_000, hour: 3_600_000 };

export interface BudgetWindow {
  readonly start: number;
  readonly ms: number;
}

/** The UTC calendar window `now` falls in. */
export function budgetWindow(period: BudgetPeriod, now: number): BudgetWindow {
  const ms = PERIOD_MS[period];
  return { start: Math.floor(now / ms) * ms, ms };
}

/** A spending cap: `usd` per UTC `period`. */
export interface Budget {
  readonly usd: number;
  readonly period: BudgetPeriod;
}

/** How a budget has been overspent, for messages and `Retry-After`. */
export interface Overspend {
  /** `spent $x of $y this day (resets …)`. */
  readonly reason: string;
  /** Seconds until the window resets. */
  readonly retryAfter: string;
}

/** `undefined` while `key` is under its budget in the current window. */
export async function overspend(key: string, budget: Budget, state: StateStore, now: number): Promise<Overspend | undefined> {
  const window = budgetWindow(budget.period, now);
  const [spent = 0] = await state.spent([key], window.start);
  if (spent < budget.usd) return undefined;
  const resets = window.start + window.ms;
  return {
    reason: `spent $${spent.toFixed(4)} of $${budget.usd} this ${budget.period} (resets ${new Date(resets).toISOString()})`,
    retryAfter: String(Math.ceil((resets - now) / 1000)),
  };
}

/** Adds a served request's cost to `key`'s current window. */
export async function addToBudget(key: string, budget: Budget | undefined, usd: number, state: StateStore, now: number): Promise<void> {
  if (!budget || usd <= 0) return;
  const window = budgetWindow(budget.period, now);
  await state.addSpend(key, window.start, window.ms, usd);
}

export const routeBudgetKey = (route: string): string => `route:${route}`;

/** Drops over-budget routes from the chain; throws 429 when the first route refuses outright, or none is left. */
export async function applyBudgets(chain: readonly Route[], state: StateStore, now: number): Promise<readonly Route[]> {
  if (!chain.some((route) => route.budget)) return chain;
  const skipped: string[] = [];
  const over = new Set<string>();
  for (const route of chain) {
    const budget = route.budget;
    if (!budget) continue;
    const spent = await overspend(routeBudgetKey(route.name), budget, state, now);
    if (!spent) continue;
    if (budget.on_exceed === 'reject' && route === chain[0]) {
      throw llmuxError('LLMUX_ERR_BUDGET_EXCEEDED', [route.name, spent.reason], { headers: { 'retry-after': spent.retryAfter } });
    }
    over.add(route.name);
    skipped.push(`${route.name}: ${spent.reason}`);
  }
  const remaining = chain.filter((route) => !over.has(route.name));
  if (remaining.length === 0) throw llmuxError('LLMUX_ERR_BUDGET_EXCEEDED', [chain[0]?.name ?? '?', skipped.join('; ')]);
  return remaining;
}

/** Adds a served request's cost to its route's budget window. */
export function recordSpend(route: Route, usd: number, state: StateStore, now: number): Promise<void> {
  return addToBudget(routeBudgetKey(route.name), route.budget, usd, state, now);
}
