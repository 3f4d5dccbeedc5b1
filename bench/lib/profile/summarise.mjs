/**
 * Reads a V8 .cpuprofile (from `node --cpu-prof`) and ranks functions by self time —
 * where the CPU actually was — and by inclusive time for llmux's own functions, with
 * dist/*.js positions mapped back to lib/*.ts through the build's source maps.
 *
 * @typedef {object} ProfileEntry
 * @property {string} name
 * @property {string} location file:line (TypeScript source when a source map knows it)
 * @property {string} area llmux | node_modules/<pkg> | node | v8
 * @property {number} ms
 * @property {number} share of the non-idle time, 0–1
 *
 * @typedef {object} ProfileSummary
 * @property {string} file
 * @property {number} totalMs sampled time, idle included
 * @property {number} busyMs
 * @property {ProfileEntry[]} self top functions by self time
 * @property {ProfileEntry[]} inclusive top llmux functions by inclusive time
 * @property {{ area: string, ms: number, share: number }[]} areas self time per area
 */
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';
import { repoRoot } from '../services/paths.mjs';

/** @type {Map<string, SourceMap | null>} */
const maps = new Map();

/** @param {string} file */
function sourceMapOf(file) {
  if (!maps.has(file)) {
    const mapFile = `${file}.map`;
    maps.set(file, existsSync(mapFile) ? new SourceMap(JSON.parse(readFileSync(mapFile, 'utf8'))) : null);
  }
  return maps.get(file) ?? null;
}

/**
 * @param {{ url: string, lineNumber: number, columnNumber: number }} frame
 * @returns {{ location: string, area: string }}
 */
function locate(frame) {
  const { url } = frame;
  if (!url) return { location: '(native)', area: 'v8' };
  if (url.startsWith('node:')) return { location: `${url}:${frame.lineNumber + 1}`, area: 'node' };
  const file = url.startsWith('file://') ? fileURLToPath(url) : url;
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file);
  if (modules) return { location: `${file.slice(file.lastIndexOf('node_modules/'))}:${frame.lineNumber + 1}`, area: `node_modules/${modules[1]}` };
  const relative = file.startsWith(repoRoot) ? file.slice(repoRoot.length) : file;
  const map = sourceMapOf(file);
  const entry = map?.findEntry(frame.lineNumber, frame.columnNumber);
  if (entry && 'originalSource' in entry && entry.originalSource) {
    const source = entry.originalSource.startsWith('file://') ? fileURLToPath(entry.originalSource) : entry.originalSource;
    const shown = source.includes('/lib/') ? source.slice(source.lastIndexOf('/lib/') + 1) : source.includes('/cmd/') ? source.slice(source.lastIndexOf('/cmd/') + 1) : source;
    return { location: `${shown}:${entry.originalLine + 1}`, area: 'llmux' };
  }
  return { location: `${relative}:${frame.lineNumber + 1}`, area: relative.startsWith('dist/') ? 'llmux' : 'other' };
}

const IDLE = new Set(['(idle)']);

/**
 * @param {string} file a .cpuprofile
 * @param {number} [top]
 * @returns {ProfileSummary}
 */
export function summariseProfile(file, top = 25) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  /** @type {Map<number, { key: string, name: string, location: string, area: string, parent: number | undefined }>} */
  const nodes = new Map();
  /** @type {Map<number, number>} */
  const parents = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
  for (const node of profile.nodes) {
    const frame = node.callFrame;
    const name = frame.functionName || (frame.url ? '(anonymous)' : '(root)');
    const { location, area } = name.startsWith('(') && !frame.url ? { location: '', area: name === '(garbage collector)' ? 'gc' : 'v8' } : locate(frame);
    nodes.set(node.id, { key: `${name} ${location}`, name, location, area, parent: parents.get(node.id) });
  }

  /** @type {Map<string, number>} */ const self = new Map();
  /** @type {Map<string, number>} */ const inclusive = new Map();
  /** @type {Map<string, number>} */ const areas = new Map();
  let totalUs = 0;
  let idleUs = 0;
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  // A gap far longer than the sampling interval is time the process was not running
  // (descheduled on a busy or shared machine, stopped by the OS): charging it to the
  // function that happened to be sampled before it would rank that function by luck.
  const sorted = [...deltas].sort((a, b) => a - b);
  const gapCap = 4 * (sorted[Math.floor(sorted.length / 2)] ?? 1000);
  for (let i = 0; i < samples.length; i += 1) {
    // A sample's time is the gap to the next one (the last gets the previous gap), capped.
    const us = Math.min(deltas[i + 1] ?? deltas[i] ?? 0, gapCap);
    const node = nodes.get(samples[i]);
    if (!node) continue;
    totalUs += us;
    if (IDLE.has(node.name)) {
      idleUs += us;
      continue;
    }
    self.set(node.key, (self.get(node.key) ?? 0) + us);
    areas.set(node.area, (areas.get(node.area) ?? 0) + us);
    /** @type {Set<string>} */
    const seen = new Set();
    for (let id = samples[i]; id !== undefined; id = nodes.get(id)?.parent) {
      const frame = nodes.get(id);
      if (!frame || frame.area !== 'llmux' || seen.has(frame.key)) continue;
      seen.add(frame.key);
      inclusive.set(frame.key, (inclusive.get(frame.key) ?? 0) + us);
    }
  }
  const busyUs = totalUs - idleUs;
  const byKey = new Map([...nodes.values()].map((n) => [n.key, n]));
  const entries = (/** @type {Map<string, number>} */ map, /** @type {number} */ n) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([key, us]) => {
        const node = byKey.get(key);
        return { name: node?.name ?? key, location: node?.location ?? '', area: node?.area ?? '', ms: us / 1000, share: busyUs ? us / busyUs : 0 };
      });
  return {
    file,
    totalMs: totalUs / 1000,
    busyMs: busyUs / 1000,
    self: entries(self, top),
    inclusive: entries(inclusive, top),
    areas: [...areas.entries()].sort((a, b) => b[1] - a[1]).map(([area, us]) => ({ area, ms: us / 1000, share: busyUs ? us / busyUs : 0 })),
  };
}

/**
 * @param {ProfileSummary} summary
 * @returns {string}
 */
export function formatProfile(summary) {
  const pct = (/** @type {number} */ share) => `${(share * 100).toFixed(1).padStart(5)}%`;
  const rows = (/** @type {ProfileEntry[]} */ list) => list.map((e, i) => `${String(i + 1).padStart(3)}. ${pct(e.share)} ${e.ms.toFixed(0).padStart(7)} ms  ${e.name}  ${e.location}`);
  return [
    `profile ${summary.file}: ${summary.busyMs.toFixed(0)} ms busy of ${summary.totalMs.toFixed(0)} ms sampled`,
    'self time by area:',
    ...summary.areas.map((a) => `     ${pct(a.share)} ${a.ms.toFixed(0).padStart(7)} ms  ${a.area}`),
    `top ${summary.self.length} functions by self time (share of busy time):`,
    ...rows(summary.self),
    `top ${summary.inclusive.length} llmux functions by inclusive time:`,
    ...rows(summary.inclusive),
  ].join('\n');
}
