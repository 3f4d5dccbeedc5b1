/**
 * The API key a client sent, whichever header its SDK uses. Read before the
 * headers are sanitized, so a provider with `passthrough_auth: true` can send the
 * client's own key upstream; everywhere else it is dropped, as before.
 */
import type { IncomingMessage } from 'node:http';

const first = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value[0] : value)?.trim() || undefined;

/**
 * OpenAI and Azure (`Authorization: Bearer`, `api-key`), Anthropic (`x-api-key`, or
 * Bearer), Gemini (`x-goog-api-key`, or `?key=`). `undefined` when there is none.
 */
export function readClientCredential(req: IncomingMessage): string | undefined {
  const { headers } = req;
  const authorization = first(headers.authorization);
  const bearer = authorization && /^bearer\s+(.+)$/i.exec(authorization)?.[1]?.trim();
  return bearer || first(headers['x-api-key']) || first(headers['api-key']) || first(headers['x-goog-api-key']) || queryKey(req.url);
}

function queryKey(url: string | undefined): string | undefined {
  const q = url?.indexOf('?') ?? -1;
  if (!url || q === -1) return undefined;
  return new URLSearchParams(url.slice(q + 1)).get('key')?.trim() || undefined;
}
