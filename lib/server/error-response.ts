/**
 * Writes an llmux error to the client in the client's own error shape, with the
 * registry's status and the `x-llmux-*` headers. Raw Node errors never get here:
 * they are wrapped in the registry's `LLMUX_ERR_INTERNAL`.
 */
import { isLlmuxError, llmuxError, type LlmuxError } from '../errors.js';
import { renderError } from '../formats/render-error.js';
import type { RequestContext } from './request-context.js';

export function toLlmuxError(error: unknown, requestId: string): LlmuxError {
  return isLlmuxError(error) ? error : llmuxError('LLMUX_ERR_INTERNAL', [requestId], { cause: error });
}

export function sendError(ctx: RequestContext, error: LlmuxError): void {
  const { res } = ctx;
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const { status, body } = renderError(ctx.format, error);
  const text = JSON.stringify(body);
  // llmux's headers first, then the error's own (e.g. retry-after), then the body's.
  const headers = Object.assign(ctx.llmuxHeaders(), error.headers);
  headers['content-type'] = 'application/json';
  headers['content-length'] = Buffer.byteLength(text);
  res.writeHead(status, headers);
  res.end(text);
}
