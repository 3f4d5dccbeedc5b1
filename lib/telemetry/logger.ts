/**
 * Structured JSON logs (pino). Credentials and prompt text are never logged: the
 * access log carries ids, routes, targets, outcomes and timings only, and the
 * header paths below are redacted should anything pass a request through.
 */
import { pino, type Logger } from 'pino';

export type { Logger };

export interface LoggerOptions {
  /** @default 'info' */
  readonly level?: string;
  /** Where lines go; @default stdout */
  readonly destination?: NodeJS.WritableStream;
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
    options.destination ?? pino.destination({ dest: 1, sync: false }),
  );
}
