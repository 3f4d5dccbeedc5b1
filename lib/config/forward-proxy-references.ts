/** Checks of `forward_proxy:` that need the rest of proxy.yaml: the providers it names. */
import type { ConfigProblem } from './config-error.js';
import type { ProxyConfig } from './schema.js';
import type { SourceFile } from './source.js';

export function checkForwardProxyReferences(source: SourceFile, proxy: ProxyConfig, problems: ConfigProblem[]): void {
  const providers = Object.keys(proxy.providers);
  proxy.forward_proxy.intercept.forEach((entry, i) => {
    if (entry.provider !== undefined && !proxy.providers[entry.provider]) {
      problems.push(source.problem(['forward_proxy', 'intercept', i, 'provider'], `unknown provider "${entry.provider}"; defined providers: ${providers.join(', ')}`));
    }
  });
}
