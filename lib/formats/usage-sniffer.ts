/**
 * Reads the token usage out of a same-format stream that llmux passes through
 * untouched. Only events that carry usage are decoded (a cheap substring test
 * first). When the stream will report none (an OpenAI client that did not ask for
 * `include_usage`), the answer's length is measured instead, by scanning for the
 * JSON string values of its text fields without parsing the events; the output
 * estimate is that length in characters over four. Never throws.
 */
import type { Usage } from './canonical.js';
import type { FormatCodec, StreamDecoder } from './codec.js';
import { createSseReader } from './sse.js';

export interface UsageSniffer {
  push(chunk: Uint8Array): void;
  /** The usage the stream reported, if it did. */
  readonly usage: Usage | undefined;
  /** Estimated output tokens from the streamed text's length (only when measuring). */
  readonly countedOutputTokens: number | undefined;
}

/** Keys of the text-bearing string values in the three formats' stream events, by length. */
const TEXT_KEYS: Readonly<Record<number, string>> = { 4: 'text', 7: 'content', 9: 'arguments', 12: 'partial_json' };
/** An unfinished event past this is not SSE (or not an event worth reading usage from). */
const MAX_PENDING = 1024 * 1024;

/**
 * UTF-16 code units (as `String#length` counts them) in the JSON string values of text
 * fields, escapes counted as one. `bytes` is UTF-8 read as Latin-1, a character per
 * byte. One search for `":"` (where a string value follows its key) and a look back at
 * each key: one pass over the event instead of one per key.
 */
function textLength(bytes: string): number {
  let total = 0;
  let from = 0;
  for (let colon = bytes.indexOf('":"', from); colon !== -1; colon = bytes.indexOf('":"', from)) {
    from = colon + 3;
    const keyStart = bytes.lastIndexOf('"', colon - 1) + 1;
    const key = TEXT_KEYS[colon - keyStart];
    if (key === undefined || !bytes.startsWith(key, keyStart)) continue;
    // Count the value, and search on after it.
    while (from < bytes.length) {
      const byte = bytes.charCodeAt(from);
      if (byte === 0x22) break;
      if (byte === 0x5c) {
        from += 2;
        total++;
        continue;
      }
      // A UTF-8 lead byte starts a character; four-byte ones are two UTF-16 units.
      if ((byte & 0xc0) !== 0x80) total += byte >= 0xf0 ? 2 : 1;
      from++;
    }
  }
  return total;
}

/**
 * Where the last complete event ends (0: none has): after a blank line, which follows
 * a line ended by LF or CRLF. Upstreams write whole events, so the end is nearly
 * always the last bytes, and is checked first.
 */
function eventsEnd(bytes: string): number {
  const n = bytes.length;
  if (n >= 2 && bytes.charCodeAt(n - 1) === 0x0a && (bytes.charCodeAt(n - 2) === 0x0a || (bytes.charCodeAt(n - 2) === 0x0d && bytes.charCodeAt(n - 3) === 0x0a))) return n;
  const lf = bytes.lastIndexOf('\n\n');
  const crlf = bytes.lastIndexOf('\n\r\n');
  return Math.max(lf === -1 ? 0 : lf + 2, crlf === -1 ? 0 : crlf + 3);
}

export function createUsageSniffer(codec: FormatCodec, options: { readonly decodeAll: boolean }): UsageSniffer {
  return new Sniffer(codec.createStreamDecoder(), options.decodeAll);
}

/**
 * Looks at whole events only, as bytes, and decodes only the events that mention
 * `usage`: a stream is relayed chunk by chunk, and decoding every chunk as UTF-8 and
 * parsing it as SSE cost ~2 µs a chunk, most of what llmux added to a pass-through
 * stream. The bytes are read as Latin-1 (one native call, a character per byte), so
 * the searches are the engine's string searches rather than calls into Buffer's
 * (each of those costs more than the search). The SSE reader still does the decoding,
 * fed whole events only, so its state is always between events. A class rather than
 * an object literal with getters over closed-over state (see the SSE reader for why).
 */
class Sniffer implements UsageSniffer {
  readonly #reader = createSseReader();
  /** The start of an event whose end has not arrived yet (Latin-1, as the chunks are read). */
  #pending = '';
  #usage: Usage | undefined;
  #characters = 0;
  #broken = false;

  constructor(
    private readonly decoder: StreamDecoder,
    private readonly decodeAll: boolean,
  ) {}

  get usage(): Usage | undefined {
    return this.#usage;
  }

  get countedOutputTokens(): number | undefined {
    return this.decodeAll && !this.#broken ? Math.ceil(this.#characters / 4) : undefined;
  }

  push(chunk: Uint8Array): void {
    if (this.#broken) return;
    try {
      const read = (Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)).toString('latin1');
      const bytes = this.#pending + read;
      const end = eventsEnd(bytes);
      this.#pending = end === bytes.length ? '' : bytes.slice(end);
      if (this.#pending.length > MAX_PENDING) throw new Error('an event longer than the limit');
      if (end === 0) return;
      const events = end === bytes.length ? bytes : bytes.slice(0, end);
      if (this.decodeAll) this.#characters += textLength(events);
      if (!events.includes('usage')) return;
      for (const event of this.#reader.push(Buffer.from(events, 'latin1'))) {
        if (!event.data.includes('usage')) continue;
        for (const decoded of this.decoder.decode(event)) {
          if (decoded.type === 'usage') this.#usage = mergeUsage(this.#usage, decoded.usage);
          else if (decoded.type === 'start' && decoded.usage) this.#usage = mergeUsage(this.#usage, decoded.usage);
        }
      }
    } catch {
      this.#broken = true;
      this.#pending = '';
    }
  }
}

/** Anthropic reports input tokens at the start and output tokens at the end: keep the larger of each. */
function mergeUsage(previous: Usage | undefined, next: Usage): Usage {
  if (!previous) return next;
  return {
    inputTokens: Math.max(previous.inputTokens, next.inputTokens),
    outputTokens: Math.max(previous.outputTokens, next.outputTokens),
    cachedInputTokens: Math.max(previous.cachedInputTokens ?? 0, next.cachedInputTokens ?? 0) || undefined,
  };
}
