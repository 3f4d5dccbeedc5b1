/**
 * Optional proxy authentication (`forward_proxy.auth`): `Proxy-Authorization: Basic`
 * with one of the configured username/password pairs, on CONNECT and on plain-HTTP
 * proxy requests. Compared in constant time; the header is never logged.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

export interface ProxyCredential {
  readonly username: string;
  readonly password: string;
}

/** The challenge sent with every 407. */
export const PROXY_AUTHENTICATE = 'Basic realm="llmux", charset="UTF-8"';

const digest = (text: string): Buffer => createHash('sha256').update(text).digest();

/** True when no credentials are configured, or the header carries one of them. */
export function proxyAuthorized(credentials: readonly ProxyCredential[], header: string | string[] | undefined): boolean {
  if (credentials.length === 0) return true;
  const value = Array.isArray(header) ? header[0] : header;
  const match = /^basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(value ?? '');
  if (!match?.[1]) return false;
  const given = digest(Buffer.from(match[1], 'base64').toString('utf8'));
  // Every credential is compared, so the time taken does not tell which one came close.
  let ok = false;
  for (const { username, password } of credentials) ok = timingSafeEqual(given, digest(`${username}:${password}`)) || ok;
  return ok;
}
