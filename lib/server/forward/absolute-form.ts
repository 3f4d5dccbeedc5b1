/**
 * Plain-HTTP proxy requests (`HTTP_PROXY`): `POST http://api.openai.com/v1/chat/completions`.
 * For an intercepted host the request becomes an ordinary llmux request (path only,
 * marked with the host) and runs through the pipeline. Other hosts are refused:
 * llmux forwards plain HTTP to nobody, whatever `tunnel` says, because nothing an AI
 * client needs is served over plain HTTP.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { ForwardProxyConfig } from '../../config/forward-proxy-schema.js';
import { llmuxError, type LlmuxError } from '../../errors.js';
import { renderError } from '../../formats/render-error.js';
import { formatForPath } from '../endpoints.js';
import { fromAzurePath } from './azure-paths.js';
import { hostMatches, normalizeHost } from './host-pattern.js';
import { PROXY_AUTHENTICATE, proxyAuthorized } from './proxy-auth.js';
import { isLoopbackAddress } from './private-address.js';
import { tagRequest } from './request-tag.js';

/** True for `http://…` and `https://…` request targets (absolute-form, RFC 9112 §3.2.2). */
export function isAbsoluteForm(url: string | undefined): boolean {
  return url !== undefined && /^https?:\/\//i.test(url);
}

/** What to do with an absolute-form request; the refusal, if any, is already sent. */
export function handleAbsoluteForm(req: IncomingMessage, res: ServerResponse, handler: RequestListener, config: ForwardProxyConfig): { readonly host?: string; readonly refused?: LlmuxError } {
  let url: URL;
  try {
    url = new URL(req.url ?? '');
  } catch {
    return refuse(req, res, '/', llmuxError('LLMUX_ERR_INVALID_REQUEST', [`The request target ${JSON.stringify(req.url)} is not a valid URL.`]));
  }
  const path = url.pathname + url.search;
  const host = normalizeHost(url.hostname);
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  // An app whose HTTP_PROXY also covers llmux itself: that is an ordinary request, not a proxy request.
  if (port === req.socket.localPort && (host === 'localhost' || isLoopbackAddress(host) || host === req.socket.localAddress)) {
    req.url = path;
    handler(req, res);
    return {};
  }
  if (!config.enabled) return refuse(req, res, path, llmuxError('LLMUX_ERR_FORWARD_DISABLED', []));
  if (!proxyAuthorized(config.auth, req.headers['proxy-authorization'])) {
    return refuse(req, res, path, llmuxError('LLMUX_ERR_PROXY_AUTH_REQUIRED', [], { headers: { 'proxy-authenticate': PROXY_AUTHENTICATE } }));
  }
  if (!config.intercept.some((entry) => hostMatches(entry.host, host))) return refuse(req, res, path, llmuxError('LLMUX_ERR_FORWARD_PLAIN_HTTP', [host]));
  req.url = fromAzurePath(path);
  tagRequest(req, { host });
  handler(req, res);
  return { host };
}

/** Answers in the error shape of the client format the path implies, and closes the connection. */
function refuse(req: IncomingMessage, res: ServerResponse, path: string, error: LlmuxError): { readonly refused: LlmuxError } {
  // The registry's status, not the codec's: a 407 has no counterpart in the providers' own error types.
  const { body } = renderError(formatForPath(path.split('?')[0] ?? path), error);
  const text = JSON.stringify(body);
  // The body is not read: the connection closes after the answer rather than carry it over.
  req.resume();
  res.writeHead(error.status, { ...error.headers, 'x-llmux-error': error.code, 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), connection: 'close' });
  res.end(text);
  return { refused: error };
}
