/** The table of scenario (f): memory with 1,000 open streams, and the soak. */
import { fmt, signed, textTable } from './text-table.mjs';

/**
 * @param {import('../../scenarios/f-many-streams.mjs').StreamsResult} result
 * @returns {string}
 */
export function streamsTable(result) {
  const header = ['case', 'idle RSS MB', `RSS ${result.streams} open MB`, 'KB/stream', 'peak RSS MB', 'TTFB p50', 'TTFB p99', 'streams', 'errors', 'other %'];
  const rows = result.cases.map((c) => [
    c.label,
    fmt(c.idleRssMb, 1),
    fmt(c.openRssMb, 1),
    fmt(c.perStreamKb, 1),
    fmt(c.hwmMb, 1),
    fmt(c.streams.ttfbP50),
    fmt(c.streams.ttfbP99),
    String(c.streams.requests),
    String(c.streams.errors),
    fmt(c.otherCpuShare * 100, 0),
  ]);
  const lines = [result.title, textTable(header, rows)];
  for (const c of result.cases) {
    if (!c.soak) continue;
    const s = c.soak;
    lines.push(
      `soak ${c.label}: ${s.seconds} s with ${result.streams} cycling streams + wrk -c20 (${s.http.requests} non-streamed requests, ${s.http.errors} errors): ` +
        `RSS ${fmt(s.startMb, 1)} MB (first third) → ${fmt(s.endMb, 1)} MB (last third), ${signed(s.growthMb, 1)} MB, slope ${signed(s.slopeMbPerMin, 2)} MB/min`,
    );
  }
  for (const note of result.notes) lines.push(`note: ${note}`);
  return lines.join('\n');
}
