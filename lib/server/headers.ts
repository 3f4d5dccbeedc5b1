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
 * One upstream request's headers, as a new object: the client's that may be forwarded,
 * then the call's own (the provider's auth, content type), the body's length and the
 * upstream's host. Built key by key into a fresh object rather than by deleting keys
 * (a slow dictionary-mode object) or spreading (V8, Node 20, copies into a non-empty
 * object on a slow runtime path). `host` is the upstream's: http-proxy-3 sends these
 * headers as they are (it copies them with a spread, and a key added to a spread copy
 * would cost a new hidden class per request).
 */
export function upstreamHeaders(client: IncomingHttpHeaders, own: Readonly<Record<string, string>>, length: number, host: string): IncomingHttpHeaders {
  const out: IncomingHttpHeaders = {};
  for (const name in client) {
    if (DROP_UPSTREAM.has(name) || name.startsWith('x-llmux-') || name.startsWith('x-forwarded-')) continue;
    out[name] = client[name];
  }
  for (const name in own) out[name] = own[name];
  out['content-length'] = String(length);
  out.host = host;
  return out;
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
