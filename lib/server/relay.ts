/**
 * Moving an upstream body to the client. The response is held back until the
 * upstream's first chunk arrives, so a failure before it can still fail over
 * invisibly; after that, chunks are written as they come (no buffering, with
 * back-pressure), and a break mid-body ends the client's response cleanly.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AttemptTimeout } from '../resilience/failure.js';
import { timerMs } from '../resilience/timer-ms.js';

/** Hears how reading an upstream body went; exactly one of its methods but `chunkArrived` is called, once. */
export interface BodyListener {
  /**
   * A whole body's chunk arrived (the attempt stops its first-byte timer at the first,
   * re-arms its idle timer at the others); `all` when the body's declared length is
   * now complete, so nothing more can stall.
   */
  chunkArrived(all: boolean): void;
  /** The whole body (`readWholeBody`), or the first chunk (`readFirstChunk`: `null` for an empty body). */
  bodyRead(body: Buffer | null): void;
  /** The body broke off, or grew past the limit, before it was read. */
  bodyBroken(error: Error): void;
}

/** Reads the first body chunk (or the end of an empty body) and leaves the stream paused. */
export function readFirstChunk(response: IncomingMessage, listener: BodyListener): void {
  function cleanup(): void {
    response.off('data', onData);
    response.off('end', onEnd);
    response.off('error', onError);
    response.off('close', onClose);
  }
  function onData(chunk: Buffer): void {
    cleanup();
    response.pause();
    listener.bodyRead(chunk);
  }
  function onEnd(): void {
    cleanup();
    listener.bodyRead(null);
  }
  function onError(error: Error): void {
    cleanup();
    listener.bodyBroken(error);
  }
  function onClose(): void {
    cleanup();
    listener.bodyBroken(new Error('the upstream closed the connection before the first byte'));
  }
  response.on('data', onData);
  response.on('end', onEnd);
  response.on('error', onError);
  response.on('close', onClose);
}

export type RelayEnd =
  | { readonly kind: 'complete' }
  | { readonly kind: 'client_abort' }
  | { readonly kind: 'upstream_broken'; readonly error: Error };

export interface RelayOptions {
  /** Transforms each upstream chunk before it is written (translation); identity when absent. */
  readonly transform?: (chunk: Buffer) => string | Buffer;
  /** Sees each upstream chunk as it passes (usage accounting), without changing it. */
  readonly tap?: (chunk: Buffer) => void;
  /** Text owed to the client when the upstream body ends (a translated stream's last events). */
  readonly flush?: () => string;
  /** Text to write when the upstream breaks mid-body (a terminal stream error event); when absent the socket is cut. */
  readonly onBroken?: (error: Error) => string | undefined;
  /** Longest silence between two upstream chunks before the upstream is cut (ms). */
  readonly idleMs?: number;
  /** Time left for the whole request (ms); the upstream is cut when it runs out. */
  readonly remainingMs?: number;
}

/**
 * Writes `first` and then the rest of `response` to `res`. Resolves once, when the
 * body is complete, the client left, or the upstream broke off.
 */
export function relayBody(response: IncomingMessage, res: ServerResponse, first: Buffer | null, options: RelayOptions = {}): Promise<RelayEnd> {
  const transform = options.transform;
  return new Promise((resolve) => {
    let done = false;
    const idle = options.idleMs === undefined ? undefined : setTimeout(() => response.destroy(new AttemptTimeout('idle', options.idleMs ?? 0)), options.idleMs);
    const remainingMs = options.remainingMs === undefined ? undefined : timerMs(options.remainingMs);
    const total = remainingMs === undefined ? undefined : setTimeout(() => response.destroy(new AttemptTimeout('total', remainingMs)), remainingMs);
    function finish(end: RelayEnd): void {
      if (done) return;
      done = true;
      clearTimeout(idle);
      clearTimeout(total);
      response.off('data', onData);
      response.off('end', onEnd);
      response.off('error', onBroken);
      response.off('close', onClose);
      res.off('drain', onDrain);
      res.off('close', onClientClose);
      resolve(end);
    }
    const tap = options.tap;
    function write(chunk: Buffer): void {
      tap?.(chunk);
      const out = transform ? transform(chunk) : chunk;
      if (out.length > 0 && !res.write(out)) response.pause();
    }
    function onData(chunk: Buffer): void {
      idle?.refresh();
      write(chunk);
    }
    function onDrain(): void {
      response.resume();
    }
    function onEnd(): void {
      const tail = options.flush?.();
      if (tail) res.end(tail);
      else res.end();
      finish({ kind: 'complete' });
    }
    function onBroken(error: Error): void {
      if (done) return;
      const tail = options.onBroken?.(error);
      if (tail !== undefined && !res.destroyed) res.end(tail);
      else res.destroy();
      finish({ kind: 'upstream_broken', error });
    }
    function onClose(): void {
      if (!response.complete) onBroken(new Error('the upstream closed the connection mid-body'));
    }
    function onClientClose(): void {
      if (res.writableFinished) return;
      response.destroy();
      finish({ kind: 'client_abort' });
    }

    res.on('close', onClientClose);
    res.on('drain', onDrain);
    response.on('error', onBroken);
    response.on('close', onClose);
    if (first) write(first);
    if (response.readableEnded) {
      onEnd();
      return;
    }
    response.on('end', onEnd);
    response.on('data', onData);
    response.resume();
  });
}

/** Reads an upstream body whole, up to `limit` bytes, with one set of listeners. */
export function readWholeBody(response: IncomingMessage, limit: number, listener: BodyListener): void {
  if (response.readableEnded) {
    listener.bodyRead(Buffer.alloc(0));
    return;
  }
  const chunks: Buffer[] = [];
  const declared = Number(response.headers['content-length']);
  let size = 0;
  let done = false;
  // The error listener stays: a response destroyed with an error later (a shutdown
  // cutting answers short) must not find none and crash the process.
  function finish(): void {
    done = true;
    response.off('data', onData);
    response.off('end', onEnd);
    response.off('close', onClose);
  }
  function onData(chunk: Buffer): void {
    size += chunk.length;
    listener.chunkArrived(size >= declared);
    if (size <= limit) chunks.push(chunk);
    else {
      finish();
      response.destroy();
      listener.bodyBroken(new Error(`upstream body larger than ${limit} bytes`));
    }
  }
  function onEnd(): void {
    finish();
    listener.bodyRead(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
  }
  function onError(error: Error): void {
    if (done) return;
    finish();
    listener.bodyBroken(error);
  }
  function onClose(): void {
    if (done || response.complete) return;
    finish();
    listener.bodyBroken(new Error('the upstream closed the connection mid-body'));
  }
  response.on('data', onData);
  response.on('end', onEnd);
  response.on('error', onError);
  response.on('close', onClose);
  response.resume();
}
