/**
 * One translated stream: upstream SSE bytes → upstream decoder → canonical events →
 * client encoder → client SSE text, chunk by chunk. It never throws on upstream input:
 * garbage becomes a terminal error event in the client's format. It also remembers
 * the usage and finish reason it saw, for the access log and token accounting.
 */
import { type FinishReason, type StreamEvent, type Usage } from './canonical.js';
import { type EncodeResponseOptions, type FormatCodec } from './codec.js';
import { malformedEvent } from './shared/errors.js';
import { createSseReader } from './sse.js';

export interface StreamTranslator {
  /** Translates one chunk of upstream bytes; returns the client text it completes (maybe ''). */
  push(chunk: Uint8Array): string;
  /** The upstream closed: returns the client text still owed (the end, or an error). */
  end(): string;
  /** True once a terminal event (end or error) has been written; later input is ignored. */
  readonly done: boolean;
  readonly usage: Usage | undefined;
  readonly finishReason: FinishReason | undefined;
  /** True when the stream ended in an error event rather than its normal end. */
  readonly failed: boolean;
}

export function createStreamTranslator(
  upstream: FormatCodec,
  client: FormatCodec,
  options: EncodeResponseOptions & { readonly includeUsage: boolean },
): StreamTranslator {
  const reader = createSseReader();
  const decoder = upstream.createStreamDecoder();
  const encoder = client.createStreamEncoder(options);
  let done = false;
  let failed = false;
  let usage: Usage | undefined;
  let finishReason: FinishReason | undefined;

  const emit = (events: readonly StreamEvent[]): string => {
    let out = '';
    for (const event of events) {
      if (done) break;
      if (event.type === 'usage') usage = event.usage;
      else if (event.type === 'start' && event.usage) usage = event.usage;
      else if (event.type === 'finish') finishReason = event.reason;
      else if (event.type === 'end') done = true;
      else if (event.type === 'error') {
        done = true;
        failed = true;
      }
      out += encoder.encode(event);
    }
    return out;
  };

  const readerFailure = (): string =>
    reader.error === undefined ? '' : emit([{ type: 'error', error: malformedEvent(`${upstream.name} upstream`, reader.error) }]);

  return {
    push(chunk) {
      if (done) return '';
      let out = '';
      for (const event of reader.push(chunk)) {
        out += emit(decoder.decode(event));
        if (done) return out;
      }
      return out + readerFailure();
    },
    end() {
      if (done) return '';
      let out = '';
      for (const event of reader.end()) {
        out += emit(decoder.decode(event));
        if (done) return out;
      }
      out += readerFailure();
      return done ? out : out + emit(decoder.end());
    },
    get done() {
      return done;
    },
    get usage() {
      return usage;
    },
    get finishReason() {
      return finishReason;
    },
    get failed() {
      return failed;
    },
  };
}
