/**
 * Server-sent-event framing. Each provider frames its stream a little differently:
 * OpenAI sends bare `data:` lines ending in `data: [DONE]`, Anthropic names every event
 * (`event: message_start`), and Gemini ends each event with CRLF pairs. Clients and
 * proxies must accept all three, so the mocks reproduce each exactly.
 */

/** Headers of an SSE answer. */
export const SSE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
};

/** Headers of a JSON answer. */
export const JSON_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'application/json',
};

/** A `data:`-only event (OpenAI style). */
export function dataEvent(data: string): string {
  return `data: ${data}\n\n`;
}

/** A `data:`-only event terminated by CRLF pairs, as Gemini's `alt=sse` stream is. */
export function crlfDataEvent(data: string): string {
  return `data: ${data}\r\n\r\n`;
}

/** A named event (Anthropic style). */
export function namedEvent(event: string, data: string): string {
  return `event: ${event}\ndata: ${data}\n\n`;
}

/**
 * Cuts `text` into at most `count` pieces of near-equal length, never inside a
 * surrogate pair, so every piece is valid UTF-16 and encodes to valid UTF-8.
 */
export function splitText(text: string, count: number): string[] {
  const points = Array.from(text);
  const n = Math.max(1, Math.min(count, points.length));
  if (points.length === 0) return [''];
  const pieces: string[] = [];
  for (let i = 0; i < n; i++) {
    const start = Math.floor((i * points.length) / n);
    const end = Math.floor(((i + 1) * points.length) / n);
    pieces.push(points.slice(start, end).join(''));
  }
  return pieces;
}

/** Cuts a body into `count` byte ranges, for faults that stall or break a plain JSON answer part-way. */
export function splitBytes(body: string | Buffer, count: number): Buffer[] {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  const n = Math.max(1, Math.min(count, bytes.length));
  const pieces: Buffer[] = [];
  for (let i = 0; i < n; i++) {
    pieces.push(bytes.subarray(Math.floor((i * bytes.length) / n), Math.floor(((i + 1) * bytes.length) / n)));
  }
  return pieces;
}
