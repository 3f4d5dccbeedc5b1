/**
 * Reads a request body into one Buffer, refusing bodies over the size limit (413)
 * and bodies that take too long to arrive (408), so a slow or oversized client
 * cannot hold memory or a socket indefinitely.
 */
import type { IncomingMessage } from 'node:http';
import { llmuxError } from '../errors.js';

export interface BodyLimits {
  readonly maxBytes: number;
  readonly timeoutMs: number;
}

const EMPTY = Buffer.alloc(0);

/**
 * The body, at once when all of it is already buffered (see `takeBuffered`), else
 * once it has arrived.
 */
export function readBody(req: IncomingMessage, limits: BodyLimits): Buffer | Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (declared > limits.maxBytes) return Promise.reject(llmuxError('LLMUX_ERR_BODY_TOO_LARGE', [limits.maxBytes]));
  return takeBuffered(req, declared) ?? readStream(req, limits);
}

/**
 * A body sent along with its headers (a small request usually arrives in one read)
 * is pushed into the request by the HTTP parser right after the request handler
 * returns, so one microtask later all of its declared length is buffered: it is taken
 * then, without the listeners, timer and promise of reading a stream.
 */
function takeBuffered(req: IncomingMessage, declared: number): Buffer | undefined {
  if (!(declared >= 0) || req.readableFlowing || req.readableLength < declared) return undefined;
  if (declared === 0) return EMPTY;
  return (req.read() as Buffer | null) ?? undefined;
}

function readStream(req: IncomingMessage, limits: BodyLimits): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const timer = setTimeout(() => fail(llmuxError('LLMUX_ERR_CLIENT_TIMEOUT', [limits.timeoutMs])), limits.timeoutMs);

    function cleanup(): void {
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    }
    function fail(error: Error): void {
      cleanup();
      // Stop reading; the caller answers and closes the connection.
      req.pause();
      reject(error);
    }
    function onData(chunk: Buffer): void {
      size += chunk.length;
      if (size > limits.maxBytes) fail(llmuxError('LLMUX_ERR_BODY_TOO_LARGE', [limits.maxBytes]));
      else chunks.push(chunk);
    }
    function onEnd(): void {
      // Removed now rather than with the request: they would otherwise live (and be
      // copied by every young-generation GC) for as long as the upstream takes.
      cleanup();
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
    }
    function onError(error: Error): void {
      fail(error);
    }
    function onClose(): void {
      if (!req.complete) fail(new Error('client closed the connection before sending the whole body'));
    }

    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}
