/**
 * One translated stream: upstream SSE bytes → upstream decoder → canonical events →
 * client encoder → client SSE text, chunk by chunk. It never throws on upstream input:
 * garbage becomes a terminal error event in the client's format. It also remembers
 * the usage and finish reason it saw, for the access log and token accounting.
 */
import { type FinishReason, type StreamEvent, type Usage } from './canonical.js';
import { type EncodeResponseOptions, type FormatCodec, type StreamDecoder, type StreamEncoder } from './codec.js';
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
  return new Translator(upstream, upstream.createStreamDecoder(), client.createStreamEncoder(options));
}

/** A class rather than an object literal with getters over closed-over state (see the SSE reader for why). */
class Translator implements StreamTranslator {
  readonly #reader = createSseReader();
  #done = false;
  #failed = false;
  #usage: Usage | undefined;
  #finishReason: FinishReason | undefined;

  constructor(
    private readonly upstream: FormatCodec,
    private readonly decoder: StreamDecoder,
    private readonly encoder: StreamEncoder,
  ) {}

  get done(): boolean {
    return this.#done;
  }

  get usage(): Usage | undefined {
    return this.#usage;
  }

  get finishReason(): FinishReason | undefined {
    return this.#finishReason;
  }

  get failed(): boolean {
    return this.#failed;
  }

  push(chunk: Uint8Array): string {
    if (this.#done) return '';
    let out = '';
    for (const event of this.#reader.push(chunk)) {
      out += this.#emit(this.decoder.decode(event));
      if (this.#done) return out;
    }
    return out + this.#readerFailure();
  }

  end(): string {
    if (this.#done) return '';
    let out = '';
    for (const event of this.#reader.end()) {
      out += this.#emit(this.decoder.decode(event));
      if (this.#done) return out;
    }
    out += this.#readerFailure();
    return this.#done ? out : out + this.#emit(this.decoder.end());
  }

  #emit(events: readonly StreamEvent[]): string {
    let out = '';
    for (const event of events) {
      if (this.#done) break;
      if (event.type === 'usage') this.#usage = event.usage;
      else if (event.type === 'start' && event.usage) this.#usage = event.usage;
      else if (event.type === 'finish') this.#finishReason = event.reason;
      else if (event.type === 'end') this.#done = true;
      else if (event.type === 'error') {
        this.#done = true;
        this.#failed = true;
      }
      out += this.encoder.encode(event);
    }
    return out;
  }

  #readerFailure(): string {
    const error = this.#reader.error;
    return error === undefined ? '' : this.#emit([{ type: 'error', error: malformedEvent(`${this.upstream.name} upstream`, error) }]);
  }
}
