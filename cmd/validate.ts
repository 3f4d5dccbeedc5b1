/** `llmux validate`: the same validator the daemon uses, as a pre-deploy check. */
import { loadConfig } from '../lib/config/load.js';
import { ConfigError, formatProblem } from '../lib/config/config-error.js';

export async function validateCommand(flags: { readonly config: string }): Promise<number> {
  try {
    const loaded = await loadConfig(flags.config);
    const providers = Object.keys(loaded.proxy.providers).length;
    console.log(
      `${flags.config}: valid (${providers} provider${providers === 1 ? '' : 's'}, ${loaded.routes.length} route${loaded.routes.length === 1 ? '' : 's'} from ${loaded.files.length - 1} policy file${loaded.files.length === 2 ? '' : 's'})`,
    );
    return 0;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    for (const problem of error.problems) console.error(formatProblem(problem));
    console.error(`${error.problems.length} problem${error.problems.length === 1 ? '' : 's'} found.`);
    return 1;
  }
}
