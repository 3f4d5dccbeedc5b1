/**
 * Prints the top functions of a CPU profile by self time, with file:line.
 *
 *   node bench/profile-summary.mjs bench/results/profiles/<run>/llmux-prof.cpuprofile [--top 25]
 */
import { parseArgs } from 'node:util';
import { formatProfile, summariseProfile } from './lib/profile/summarise.mjs';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '25' } } });
if (positionals.length === 0) {
  console.error('usage: node bench/profile-summary.mjs <file.cpuprofile> [--top N]');
  process.exit(2);
}
for (const file of positionals) console.log(formatProfile(summariseProfile(file, Number(values.top))));
