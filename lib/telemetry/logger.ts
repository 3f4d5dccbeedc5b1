/**
 * Structured JSON logs (pino). Credentials and prompt text are never logged: the
 * access log carries ids, routes, targets, outcomes and timings only, and the
 * header paths below are redacted should anything pass a request through.
 */
import { pino, type Logger } from 'pino';
import { createRequire } from 'node:module';

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

type Pretty = (options: Record<string, unknown>) => NodeJS.WritableStream;

/**
 * pino-pretty in this thread (no worker): a person at a terminal reads lines, not
 * JSON. Loaded only then, so a daemon writing JSON does not carry it.
 */
function prettyStream(): NodeJS.WritableStream {
  const pretty = createRequire(import.meta.url)('pino-pretty') as Pretty;
  return pretty({ colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service', singleLine: true });
}
