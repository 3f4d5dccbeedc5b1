/** `llmux start`: run the daemon until SIGTERM or SIGINT. */
import { Llmux } from '../lib/server/llmux.js';
import { ConfigError, formatProblem } from '../lib/config/config-error.js';

export interface StartFlags {
  readonly config: string;
  readonly host?: string;
  readonly port?: number;
  readonly logLevel?: string;
}

export async function startCommand(flags: StartFlags): Promise<void> {
  let llmux: Llmux;
  try {
    llmux = await Llmux.start({ configFile: flags.config, host: flags.host, port: flags.port, logLevel: flags.logLevel });
  } catch (error) {
    if (error instanceof ConfigError) {
      for (const problem of error.problems) console.error(formatProblem(problem));
      console.error(`llmux: ${error.problems.length} problem(s) in the configuration; nothing started.`);
      process.exit(1);
    }
    throw error;
  }
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    llmux.logger.info({ signal }, 'shutting down');
    llmux.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on('SIGHUP', () => void llmux.reload('signal'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}
