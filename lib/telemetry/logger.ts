/**
 * Structured JSON logs (pino). Credentials and prompt text are never logged: the
 * access log carries ids, routes, targets, outcomes and timings only, and the
 * header paths below are redacted should anything pass a request through.
 */
import { pino, type Logger } from 'pino';
import pretty from 'pino-pretty';

export type { Logger };

export interface LoggerOptions {
  /** @default 'info' */
  readonly level?: string;
  /** Where lines go; @default stdout */
  readonly destination?: NodeJS.WritableStream;
  /** Human-readable colored lines instead of JSON. @default true when stdout is a terminal */
  readonly pretty?: boolean;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: { service: 'llmux' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: ['*.authorization', '*.headers.authorization', '*.headers["x-api-key"]', '*.headers["api-key"]', '*.headers["x-goog-api-key"]', '*.api_key'],
        censor: '[redacted]',
      },
    },
    options.destination ?? ((options.pretty ?? process.stdout.isTTY) ? prettyStream() : pino.destination({ dest: 1, sync: false })),
  );
}

/** pino-pretty in this thread (no worker): a person at a terminal reads lines, not JSON. */
function prettyStream(): NodeJS.WritableStream {
  return pretty({ colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service', singleLine: true });
}
