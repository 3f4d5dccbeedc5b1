/**
 * The table of one phase: each case's medians, then its ratios to the direct
 * connection and to the floor proxy measured in the same phase.
 */
import { fmt, signed, textTable } from './text-table.mjs';

/**
 * @param {import('../phase.mjs').PhaseResult} phase
 * @returns {string}
 */
export function phaseTable(phase) {
  const direct = phase.cases.find((c) => c.via === 'direct')?.median;
  const floor = phase.cases.find((c) => c.via === 'floor')?.median;
  const streams = phase.load.kind === 'streams';
  const header = [
    'case',
    'req/s',
    'p50 ms',
    'p99 ms',
    ...(streams ? ['TTFB p50', 'TTFB p99', 'ev/read'] : []),
    'CPU ms/req',
    'CPU %',
    'peak RSS MB',
    'req/s ÷direct',
    'p50 +ms',
    'p99 ÷direct',
    ...(streams ? ['TTFB +ms'] : []),
    'CPU ÷floor',
    'req/s ÷floor',
    'other %',
  ];
  const rows = phase.cases.map((c) => {
    const m = c.median;
    const isDirect = c.via === 'direct';
    return [
      c.label,
      fmt(m.rps, 0),
      fmt(m.p50),
      fmt(m.p99),
      ...(streams ? [fmt(m.ttfbP50), fmt(m.ttfbP99), fmt(m.eventsPerRead, 2)] : []),
      fmt(m.proxyCpuMsPerReq, 3),
      fmt(m.proxyCpuShare * 100, 0),
      fmt(c.memoryMb?.hwm, 1),
      direct && !isDirect ? fmt(m.rps / direct.rps) : '',
      direct && !isDirect ? signed(m.p50 - direct.p50) : '',
      direct && !isDirect ? fmt(m.p99 / direct.p99) : '',
      ...(streams ? [direct && !isDirect ? signed(m.ttfbP50 - direct.ttfbP50) : ''] : []),
      floor && !isDirect && c.via !== 'floor' ? fmt(m.proxyCpuMsPerReq / floor.proxyCpuMsPerReq) : '',
      floor && !isDirect && c.via !== 'floor' ? fmt(m.rps / floor.rps) : '',
      fmt(m.otherCpuShare * 100, 0),
    ];
  });
  const errors = phase.cases.filter((c) => c.runs.some((r) => Number(r.errors) > 0));
  const lines = [phase.title, textTable(header, rows)];
  for (const c of errors) {
    const failed = c.runs.find((r) => Number(r.errors) > 0);
    lines.push(`! ${c.label}: errors in some runs (${failed?.errors}: ${failed?.firstError ?? ''})`);
  }
  const busy = phase.cases.filter((c) => c.median.otherCpuShare > 0.05).map((c) => c.label);
  if (busy.length) lines.push(`! other processes used over 5% of the machine while measuring ${busy.join(', ')}: those figures are not reliable`);
  for (const note of phase.notes) lines.push(`note: ${note}`);
  return lines.join('\n');
}
