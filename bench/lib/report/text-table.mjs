/** Plain-text tables for the terminal (and for pasting into Markdown as a code block). */

/**
 * @param {readonly string[]} header
 * @param {readonly (readonly string[])[]} rows
 * @returns {string}
 */
export function textTable(header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (/** @type {readonly string[]} */ cells) =>
    cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/**
 * A number for a table cell: `–` when missing.
 * @param {number | undefined} value
 * @param {number} [digits]
 */
export function fmt(value, digits = 2) {
  if (value === undefined || !Number.isFinite(value)) return '–';
  return value.toFixed(digits);
}

/**
 * A signed difference, e.g. "+0.41".
 * @param {number | undefined} value
 * @param {number} [digits]
 */
export function signed(value, digits = 2) {
  if (value === undefined || !Number.isFinite(value)) return '–';
  return `${value >= 0 ? '+' : ''}${value.toFixed(digits)}`;
}
