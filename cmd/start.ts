/** `llmux start`: run the daemon until SIGTERM or SIGINT; SIGHUP reloads the config. */
import { Llmux } from '../lib/server/llmux.js';
import { ConfigError, formatProblem } from '../lib/config/config-error.js';
import { holdHeapGrowth } from '../lib/server/heap-growth.js';

export interface StartFlags {
  readonly config: string;
  readonly host?: string;
  readonly port?: number;
  readonly logLevel?: string;
  readonly redis?: string;
}

export async function startCommand(flags: StartFlags): Promise<void> {
  let llmux: Llmux | undefined;
  // Signals that arrive while llmux is still starting are acted on once it runs;
  // without handlers in place, a SIGHUP would kill the process.
  let pendingReload = false;
  let stopSignal: string | undefined;
  let stopping = false;

  const stop = (signal: string): void => {
    stopSignal ??= signal;
    if (!llmux || stopping) return;
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
  process.on('SIGHUP', () => {
    if (llmux) void llmux.reload('signal');
    else pendingReload = true;
  });
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));

  try {
    llmux = await Llmux.start({ configFile: flags.config, host: flags.host, port: flags.port, logLevel: flags.logLevel, redisUrl: flags.redis });
  } catch (error) {
    if (error instanceof ConfigError) {
      for (const problem of error.problems) console.error(formatProblem(problem));
      console.error(`llmux: ${error.problems.length} problem(s) in the configuration; nothing started.`);
      process.exit(1);
    }
    throw error;
  }
  // For the daemon's process only: V8's flags are the process's, not one Llmux's.
  holdHeapGrowth();
  if (stopSignal) stop(stopSignal);
  else if (pendingReload) void llmux.reload('signal');
}
