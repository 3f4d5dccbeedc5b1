/** Where things are, relative to the repository, so the bench runs from any cwd. */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const benchDir = fileURLToPath(new URL('../../', import.meta.url));
let llmuxCli = `${repoRoot}dist/cmd/llmux.js`;

/** The llmux CLI the bench starts: this checkout's build, or another one (--llmux-cli) to compare builds. */
export function llmuxCliPath() {
  return llmuxCli;
}

/** @param {string} file */
export function useLlmuxCli(file) {
  llmuxCli = file;
}
let llmuxNodeArgs = /** @type {string[]} */ ([]);

/** @param {string} flags space-separated, as typed on the command line */
const splitFlags = (flags) => flags.split(/\s+/).filter(Boolean);

/** Extra flags for the node running llmux (--llmux-node-args), e.g. V8 heap settings to try. */
export function llmuxNodeFlags() {
  return llmuxNodeArgs;
}

/** @param {string} flags space-separated */
export function useLlmuxNodeFlags(flags) {
  llmuxNodeArgs = splitFlags(flags);
}

/**
 * A second llmux to measure beside the first in the same rounds (--compare-cli,
 * --compare-node-args): a build or a flag's effect is far smaller than the
 * difference between two runs of the bench on a shared VM, not between two cases
 * of one run.
 * `cli` undefined: the bench's own build.
 * @type {{ cli: string | undefined, nodeArgs: string[] } | undefined}
 */
let comparison;

export function comparisonLlmux() {
  return comparison;
}

/** @param {{ cli?: string, nodeArgs?: string }} options */
export function compareWith(options) {
  comparison = { cli: options.cli, nodeArgs: splitFlags(options.nodeArgs ?? '') };
}

export const simulatorMain = `${repoRoot}dist/lib/simulator/main.js`;

/** The bench runs the built daemon; a missing dist/ is the one setup mistake worth a clear message. */
export function assertBuilt() {
  if (!existsSync(llmuxCli) || !existsSync(simulatorMain)) {
    throw new Error(`dist/ is missing (${llmuxCli}); run \`npm run build\` (npm install does it too)`);
  }
}
