/**
 * Writes a prepared answer to the socket with the pacing a behaviour or fault asks
 * for: a delay before the headers, a delay between events, and an optional cut after
 * N pieces where the answer stalls forever or the connection is dropped. Everything a
 * mock sends goes through here, so timers are always cleared when the client leaves.
 */
import { type ServerResponse } from 'node:http';

/** A complete answer, prepared before the first byte is sent. */
export interface Reply {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** Body pieces; for a stream, one piece per event. */
  readonly pieces: readonly (string | Buffer)[];
  /** The pieces are stream events (paced by `chunkDelayMs`), not one document. */
  readonly streaming: boolean;
}

/** When and how much of a reply is sent. */
export interface Pacing {
  /** Delay before the status line and headers. */
  readonly firstByteDelayMs: number;
  /** Delay before each piece after the first (only when there are several). */
  readonly chunkDelayMs: number;
  /** Send this many pieces, then send nothing more and keep the socket open. */
  readonly stallAfter?: number;
  /** Send this many pieces, then close the connection without finishing the body. */
  readonly dropAfter?: number;
}

/** Sends `reply` on `res` according to `pacing`. Returns at once; the writing runs on timers. */
export function deliver(res: ServerResponse, reply: Reply, pacing: Pacing): void {
  let timer: NodeJS.Timeout | undefined;
  // A client that leaves mid-answer must not leave timers (or writes) behind.
  res.once('close', () => clearTimeout(timer));
  res.on('error', () => undefined);
  const after = (ms: number, fn: () => void): void => {
    if (ms > 0) timer = setTimeout(fn, ms);
    else fn();
  };

  after(pacing.firstByteDelayMs, () => {
    if (res.destroyed) return;
    // A cut beyond the last piece still withholds the end of the body, so the answer never completes.
    const requested = pacing.stallAfter ?? pacing.dropAfter;
    const cut = requested === undefined ? undefined : Math.min(requested, reply.pieces.length);
    const paced = pacing.chunkDelayMs > 0 && reply.pieces.length > 1;
    if (cut === undefined && !paced) {
      // The common case: one write, so a mock under benchmark load costs little CPU.
      const body = joinPieces(reply.pieces);
      const headers = reply.streaming ? reply.headers : { ...reply.headers, 'content-length': String(body.length) };
      res.writeHead(reply.status, headers);
      res.end(body);
      return;
    }
    res.writeHead(reply.status, reply.headers);
    res.flushHeaders();
    let index = 0;
    const step = (): void => {
      if (res.destroyed) return;
      if (index === cut) {
        if (pacing.dropAfter !== undefined) dropWhenFlushed(res);
        return;
      }
      if (index >= reply.pieces.length) {
        res.end();
        return;
      }
      const piece = reply.pieces[index]!;
      index += 1;
      res.write(piece);
      after(index === cut ? 0 : pacing.chunkDelayMs, step);
    };
    step();
  });
}

/** Resets the connection (TCP RST) before any answer. */
export function resetConnection(res: ServerResponse): void {
  const socket = res.socket;
  if (!socket || socket.destroyed) return;
  socket.resetAndDestroy();
}

/**
 * Closes the connection once everything written has been flushed, so the client reads
 * every piece sent and then sees the body end early (an incomplete chunked body).
 */
function dropWhenFlushed(res: ServerResponse): void {
  const socket = res.socket;
  if (!socket || socket.destroyed) return;
  socket.end(() => socket.destroy());
}

function joinPieces(pieces: readonly (string | Buffer)[]): Buffer {
  if (pieces.every((p) => typeof p === 'string')) return Buffer.from(pieces.join(''));
  return Buffer.concat(pieces.map((p) => (typeof p === 'string' ? Buffer.from(p) : p)));
}
