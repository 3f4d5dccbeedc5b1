/** `llmux explain`: print what llmux would do with a request, without sending it. */
import { readFileSync } from 'node:fs';
import { loadConfig } from '../lib/config/load.js';
import { buildSnapshot } from '../lib/config/snapshot.js';
import { ConfigError, formatProblem } from '../lib/config/config-error.js';
import { isLlmuxError } from '../lib/errors.js';
import { explain, readExplainInput } from '../lib/routing/explain.js';

export async function explainCommand(requestFile: string, flags: { readonly config: string }): Promise<number> {
  try {
    const snapshot = buildSnapshot(await loadConfig(flags.config));
    const lines = await explain(snapshot, readExplainInput(readFileSync(requestFile, 'utf8')));
    for (const line of lines) console.log(line);
    for (const provider of snapshot.providers.values()) provider.agent.destroy();
    return 0;
  } catch (error) {
    if (error instanceof ConfigError) for (const problem of error.problems) console.error(formatProblem(problem));
    else console.error(`llmux explain: ${isLlmuxError(error) || error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}
