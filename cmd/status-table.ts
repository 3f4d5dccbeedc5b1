/**
 * What `llmux status` prints: the `/admin/state` JSON as a few summary lines and
 * one table row per route target, the terminal twin of the `/admin` page.
 *
 * The JSON comes from another process (maybe another llmux version), so it is
 * checked against a loose schema first: only the fields drawn here are required,
 * anything else may come and go, and a wrong URL gives a clear error instead of a
 * table of `undefined`.
 */
import { z } from 'zod';

const iso = z.string().nullable().optional();

const targetSchema = z.looseObject({
  id: z.string(),
  provider: z.string().optional(),
  model: z.string().optional(),
  weight: z.number().optional(),
  max_connections: z.number().nullable().optional(),
  in_flight: z.number().default(0),
  latency_ewma_ms: z.number().nullable().optional(),
  breaker: z.looseObject({ phase: z.string(), until: iso }).default({ phase: 'closed' }),
  cooldown_until: iso,
  healthy: z.boolean().default(true),
  served: z.number().default(0),
  failed: z.number().default(0),
  share: z.number().default(0),
  recent_errors: z.array(z.looseObject({ kind: z.string(), at: z.string().optional() })).default([]),
});

const reloadSchema = z.looseObject({
  ok: z.boolean(),
  trigger: z.string().optional(),
  at: z.string().optional(),
  error: z.string().nullable().optional(),
  problems: z.array(z.string()).nullable().optional(),
  restartRequired: z.array(z.string()).nullable().optional(),
});

export const adminStateViewSchema = z.looseObject({
  version: z.number(),
  loaded_at: z.string().optional(),
  config_file: z.string().optional(),
  last_reload: reloadSchema.nullable().optional(),
  reloads: z.looseObject({ ok: z.number(), failed: z.number() }).optional(),
  state_backend: z.looseObject({ backend: z.string(), healthy: z.boolean().optional(), detail: z.string().optional() }).optional(),
  traffic_window_s: z.number().optional(),
  routes: z.array(z.looseObject({ name: z.string(), strategy: z.string().optional(), targets: z.array(targetSchema) })),
});

export type AdminStateView = z.output<typeof adminStateViewSchema>;
type TargetView = z.output<typeof targetSchema>;

type Tone = 'ok' | 'bad' | 'warn' | 'cool' | 'dim';

interface Cell {
  readonly text: string;
  readonly tone?: Tone | undefined;
}

const ANSI: Record<Tone, string> = { ok: '\x1b[32m', bad: '\x1b[31m', warn: '\x1b[33m', cool: '\x1b[36m', dim: '\x1b[2m' };
const paint = (text: string, tone: Tone | undefined, color: boolean): string => (color && tone ? `${ANSI[tone]}${text}\x1b[0m` : text);

function span(ms: number): string {
  const s = Math.round(Math.abs(ms) / 1000);
  if (s < 90) return `${s} s`;
  if (s < 90 * 60) return `${Math.round(s / 60)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}

function relative(at: string | null | undefined, now: number): string {
  const t = Date.parse(at ?? '');
  if (!Number.isFinite(t)) return '';
  return t >= now ? `in ${span(t - now)}` : `${span(now - t)} ago`;
}

const future = (at: string | null | undefined, now: number): boolean => Date.parse(at ?? '') > now;

/** The most severe condition first, as the status page shows it. */
function stateCell(t: TargetView, now: number): Cell {
  if (t.breaker.phase === 'open') return { text: t.breaker.until ? `open, probe ${relative(t.breaker.until, now)}` : 'open', tone: 'bad' };
  if (t.breaker.phase === 'half_open') return { text: 'half-open', tone: 'warn' };
  if (!t.healthy) return { text: 'unhealthy (health check)', tone: 'bad' };
  if (future(t.cooldown_until, now)) return { text: `cooldown, ends ${relative(t.cooldown_until, now)}`, tone: 'cool' };
  return { text: 'closed', tone: 'ok' };
}

function errorsCell(t: TargetView): Cell {
  if (t.recent_errors.length === 0) return { text: '-', tone: 'dim' };
  const counts = new Map<string, number>();
  for (const e of t.recent_errors) counts.set(e.kind, (counts.get(e.kind) ?? 0) + 1);
  return { text: [...counts].map(([kind, n]) => (n > 1 ? `${kind} x${n}` : kind)).join(', '), tone: 'bad' };
}

function targetRow(route: string, t: TargetView, now: number): Cell[] {
  const latency = t.latency_ewma_ms == null ? '-' : t.latency_ewma_ms < 1000 ? `${Math.round(t.latency_ewma_ms)} ms` : `${(t.latency_ewma_ms / 1000).toFixed(2)} s`;
  return [
    { text: route },
    { text: t.id },
    stateCell(t, now),
    { text: `${(t.share * 100).toFixed(1)}%` },
    { text: `${t.served}/${t.failed}`, tone: t.failed > 0 ? 'warn' : undefined },
    { text: t.max_connections == null ? String(t.in_flight) : `${t.in_flight}/${t.max_connections}` },
    { text: latency, tone: t.latency_ewma_ms == null ? 'dim' : undefined },
    errorsCell(t),
  ];
}

const HEADER = ['ROUTE', 'TARGET', 'STATE', 'SHARE', 'SERVED/FAILED', 'IN-FLIGHT', 'LATENCY', 'RECENT ERRORS'];
/** Columns whose numbers read best right-aligned. */
const RIGHT = new Set([3, 4, 5, 6]);

function table(rows: readonly Cell[][], color: boolean): string[] {
  const all: Cell[][] = [HEADER.map((text) => ({ text, tone: 'dim' as const })), ...rows];
  const widths = HEADER.map((_, c) => Math.max(...all.map((row) => row[c]?.text.length ?? 0)));
  return all.map((row) =>
    row
      .map((cell, c) => {
        const last = c === row.length - 1;
        const width = widths[c] ?? 0;
        const padded = RIGHT.has(c) ? cell.text.padStart(width) : last ? cell.text : cell.text.padEnd(width);
        return paint(padded, cell.tone, color);
      })
      .join('  ')
      .trimEnd(),
  );
}

export interface RenderOptions {
  /** Where the state came from, for the first line. */
  readonly url: string;
  /** ANSI colours (a TTY without NO_COLOR). */
  readonly color: boolean;
  readonly now?: number;
}

export function renderStatus(state: AdminStateView, options: RenderOptions): string {
  const now = options.now ?? Date.now();
  const { color } = options;
  const lines: string[] = [];
  lines.push(`llmux at ${options.url}: config v${state.version}${state.loaded_at ? ` (loaded ${relative(state.loaded_at, now)})` : ''}${state.config_file ? ` from ${state.config_file}` : ''}`);

  const reload = state.last_reload;
  const counts = state.reloads ? `; reloads: ${state.reloads.ok} ok, ${state.reloads.failed} failed` : '';
  if (!reload) lines.push(`last reload: none${counts}`);
  else {
    const when = [reload.trigger, relative(reload.at, now)].filter(Boolean).join(', ');
    const verdict = reload.ok ? paint('ok', 'ok', color) : paint('FAILED', 'bad', color);
    lines.push(`last reload: ${verdict}${when ? ` (${when})` : ''}${reload.ok ? '' : `: ${reload.error ?? 'unknown error'}; the running config stays`}${counts}`);
    for (const problem of reload.ok ? [] : (reload.problems ?? []).slice(1)) lines.push(`  ${problem}`);
    if (reload.restartRequired?.length) lines.push(paint(`restart needed for: ${reload.restartRequired.join(', ')}`, 'warn', color));
  }

  const backend = state.state_backend;
  if (backend) {
    const healthy = backend.healthy !== false;
    const verdict = healthy ? paint('connected', 'ok', color) : paint('DEGRADED (serving on local state)', 'bad', color);
    lines.push(`state backend: ${backend.backend}, ${verdict}${backend.detail ? ` (${backend.detail})` : ''}`);
  }

  lines.push('');
  const rows = state.routes.flatMap((route) => route.targets.map((t) => targetRow(route.name, t, now)));
  if (rows.length === 0) lines.push('no routes configured');
  else lines.push(...table(rows, color));
  if (state.traffic_window_s) lines.push('', paint(`share and served/failed count the last ${span(state.traffic_window_s * 1000)}`, 'dim', color));
  return `${lines.join('\n')}\n`;
}
