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

export const routeBudgetKey = (route: string): string => `route:${route}`;

export interface BudgetOutcome {
  /** The chain without the routes that are over budget and step aside. */
  readonly chain: readonly Route[];
  /** Routes skipped for their budget, with the reason (for the access log and 503 messages). */
  readonly skipped: readonly { readonly route: string; readonly reason: string }[];
}

/** Drops over-budget routes from the chain; throws 429 when the first route refuses outright. */
export async function applyBudgets(chain: readonly Route[], state: StateStore, now: number): Promise<BudgetOutcome> {
  const budgeted = chain.filter((route) => route.budget);
  if (budgeted.length === 0) return { chain, skipped: [] };
  const skipped: { route: string; reason: string }[] = [];
  const over = new Set<string>();
  for (const route of budgeted) {
    const budget = route.budget;
    if (!budget) continue;
    const window = budgetWindow(budget.period, now);
    const [spent = 0] = await state.spent([routeBudgetKey(route.name)], window.start);
    if (spent < budget.usd) continue;
    const until = new Date(window.start + window.ms);
    const reason = `spent $${spent.toFixed(4)} of its $${budget.usd} budget this ${budget.period} (resets ${until.toISOString()})`;
    if (budget.on_exceed === 'reject' && route === chain[0]) {
      throw llmuxError('LLMUX_ERR_BUDGET_EXCEEDED', [route.name, reason], { headers: { 'retry-after': String(Math.ceil((until.getTime() - now) / 1000)) } });
    }
    over.add(route.name);
    skipped.push({ route: route.name, reason });
  }
  const remaining = chain.filter((route) => !over.has(route.name));
  if (remaining.length === 0) {
    throw llmuxError('LLMUX_ERR_BUDGET_EXCEEDED', [chain[0]?.name ?? '?', skipped.map((s) => `${s.route}: ${s.reason}`).join('; ')]);
  }
  return { chain: remaining, skipped };
}

/** Adds a served request's cost to its route's budget window. */
export async function recordSpend(route: Route, usd: number, state: StateStore, now: number): Promise<void> {
  if (!route.budget || usd <= 0) return;
  const window = budgetWindow(route.budget.period, now);
  await state.addSpend(routeBudgetKey(route.name), window.start, window.ms, usd);
}
