/** The demo's closing table: how traffic spread over the targets, and how it went. */
import type { RequestResult } from './traffic.js';

export interface TargetRow {
  readonly target: string;
  readonly weight: number;
  readonly note: string;
}

export interface TargetSummary {
  readonly target: string;
  readonly weight: number;
  readonly note: string;
  /** Requests this target answered. */
  readonly served: number;
  readonly share: number;
  /** Attempts on this target that failed (whether or not another target then answered). */
  readonly errors: number;
  readonly p50Ms: number | undefined;
}

function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

export function summarize(results: readonly RequestResult[], rows: readonly TargetRow[]): TargetSummary[] {
  return rows.map((row) => {
    const served = results.filter((r) => r.ok && r.target === row.target);
    const errors = results.reduce((n, r) => n + r.attempts.filter((a) => a.target === row.target && a.outcome !== 'ok').length, 0);
    return {
      ...row,
      served: served.length,
      share: results.length ? served.length / results.length : 0,
      errors,
      p50Ms: median(served.map((r) => r.ms)),
    };
  });
}

export function renderTable(summaries: readonly TargetSummary[]): string {
  const header = ['target', 'weight', 'served', 'share', 'errors', 'p50 ms', 'simulated as'];
  const lines = summaries.map((s) => [
    s.target,
    String(s.weight),
    String(s.served),
    `${(s.share * 100).toFixed(1)}%`,
    String(s.errors),
    s.p50Ms === undefined ? '-' : s.p50Ms.toFixed(0),
    s.note,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  const format = (cells: readonly string[]): string =>
    cells.map((c, i) => (i === 0 || i === cells.length - 1 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ').trimEnd();
  return [format(header), ...lines.map(format)].join('\n');
}
