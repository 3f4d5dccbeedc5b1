/** Which headers cross llmux in each direction. */
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';

/**
 * Client request headers that never go upstream: the client's own credentials
 * (replaced by the provider's), hop-by-hop headers, llmux's own control headers,
 * and headers llmux recomputes per attempt.
 */
const DROP_UPSTREAM = new Set([
  'host',
  'authorization',
  'x-api-key',
  'api-key',
  'x-goog-api-key',
  'proxy-authorization',
  'cookie',
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'expect',
  'content-length',
  'accept-encoding',
  'forwarded',
  'anthropic-version',
  'openai-organization',
  'openai-project',
]);

/**
 * The request headers that may be forwarded, as a new object (replacing the
 * request's own: deleting keys in place would turn it into a slow dictionary-mode
 * object that http-proxy-3 then copies on every attempt).
 */
export function forwardableHeaders(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const kept: IncomingHttpHeaders = {};
  for (const name in headers) {
    if (DROP_UPSTREAM.has(name) || name.startsWith('x-llmux-') || name.startsWith('x-forwarded-')) continue;
    kept[name] = headers[name];
  }
  return kept;
}

const DROP_DOWNSTREAM = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'set-cookie',
  'alt-svc',
]);

/** Upstream response headers worth passing to the client; `keepLength` when the body passes unchanged. */
export function responseHeaders(upstream: IncomingHttpHeaders, keepLength: boolean): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const name in upstream) {
    const value = upstream[name];
    if (value === undefined || DROP_DOWNSTREAM.has(name)) continue;
    if (!keepLength && (name === 'content-length' || name === 'content-encoding')) continue;
    out[name] = value;
  }
  return out;
}
