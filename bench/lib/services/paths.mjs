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
export const simulatorMain = `${repoRoot}dist/lib/simulator/main.js`;

/** The bench runs the built daemon; a missing dist/ is the one setup mistake worth a clear message. */
export function assertBuilt() {
  if (!existsSync(llmuxCli) || !existsSync(simulatorMain)) {
    throw new Error(`dist/ is missing (${llmuxCli}); run \`npm run build\` (npm install does it too)`);
  }
}
