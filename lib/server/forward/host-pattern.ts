/** Host names and the patterns that select them (`api.openai.com`, `*.openai.azure.com`). */

/** Lower case, without a trailing dot or IPv6 brackets: the form every comparison uses. */
export function normalizeHost(host: string): string {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  return bare.toLowerCase().replace(/\.$/, '');
}

/** `*.example.com` matches any subdomain (`a.example.com`, `a.b.example.com`), not `example.com` itself. */
export function hostMatches(pattern: string, host: string): boolean {
  if (pattern.startsWith('*.')) return host.endsWith(pattern.slice(1)) && host.length > pattern.length - 1;
  return pattern === host;
}

/** `host:port` of a CONNECT request (`[::1]:443` for IPv6); `undefined` when malformed. */
export function parseAuthority(authority: string): { host: string; port: number } | undefined {
  const match = /^(\[[0-9a-fA-F:.]+\]|[^\s:/@[\]]+):(\d{1,5})$/.exec(authority);
  if (!match?.[1] || !match[2]) return undefined;
  const port = Number(match[2]);
  if (port < 1 || port > 65535) return undefined;
  return { host: normalizeHost(match[1]), port };
}
