/** The rule that keeps an unauthenticated llmux off the network. */
import type { ProxyConfig } from './schema.js';

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Why this config may not start as it is, or `undefined` when it may. */
export function exposureProblem(proxy: Pick<ProxyConfig, 'listen' | 'auth'>): string | undefined {
  if (isLoopback(proxy.listen.host) || proxy.auth !== undefined) return undefined;
  return `listening on ${proxy.listen.host} (not loopback) needs client keys: configure auth.keys, or set \`auth: none\` to accept anyone who can reach the port`;
}
