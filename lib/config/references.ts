/** Checks that span files: providers named by targets, fallback routes, strategy needs. */
import { getStrategy } from '../routing/registry.js';
import type { ConfigProblem } from './config-error.js';
import type { LoadedRoute, LoadedVirtualModel } from './load.js';
import { builtinPrice } from '../routing/price-table.js';
import { exposureProblem } from './exposure.js';
import type { SourceFile } from './source.js';
import type { ProxyConfig } from './schema.js';

export function checkReferences(
  proxy: ProxyConfig,
  routes: readonly LoadedRoute[],
  virtualModels: readonly LoadedVirtualModel[],
  problems: ConfigProblem[],
  proxySource?: SourceFile,
): void {
  const providers = Object.keys(proxy.providers);
  const routeNames = new Set(routes.map((r) => r.name));
  for (const { name, config, source } of routes) {
    const base = ['routes', name];
    const ids = new Set<string>();
    config.targets.forEach((target, i) => {
      if (!proxy.providers[target.provider]) {
        problems.push(
          source.problem([...base, 'targets', i, 'provider'], `unknown provider "${target.provider}"; defined providers: ${providers.join(', ')}`),
        );
      }
      const id = target.id ?? `${target.provider}/${target.model}`;
      if (ids.has(id)) problems.push(source.problem([...base, 'targets', i], `duplicate target ${id}; give one of them a distinct \`id\``));
      ids.add(id);
    });
    config.fallbacks.forEach((fallback, i) => {
      if (fallback === name) problems.push(source.problem([...base, 'fallbacks', i], 'a route cannot fall back to itself'));
      else if (!routeNames.has(fallback)) {
        problems.push(source.problem([...base, 'fallbacks', i], `unknown route "${fallback}"; defined routes: ${[...routeNames].join(', ')}`));
      }
    });
    // A built-in list price counts as a price, so the cost strategy can rank such targets.
    const priced = { targets: config.targets.map((t) => ({ ...t, price: t.price ?? builtinPrice(t.model) })) };
    for (const problem of getStrategy(config.strategy.type).validate(priced)) {
      problems.push(source.problem([...base, ...problem.path], problem.message));
    }
  }
  for (const { name, config, source } of virtualModels) {
    const check = (path: readonly (string | number)[], route: string): void => {
      if (!routeNames.has(route)) problems.push(source.problem(path, `unknown route "${route}"; defined routes: ${[...routeNames].join(', ')}`));
    };
    config.match.forEach((rule, i) => check(['rules', name, 'match', i, 'route'], rule.route));
    check(['rules', name, 'default'], config.default);
  }
  if (proxySource) checkAuth(proxy, new Set([...routeNames, ...virtualModels.map((v) => v.name)]), problems, proxySource);
}

function checkAuth(proxy: ProxyConfig, names: ReadonlySet<string>, problems: ConfigProblem[], source: SourceFile): void {
  const exposure = exposureProblem(proxy);
  if (exposure) problems.push(source.problem(['listen', 'host'], exposure));
  if (proxy.auth === undefined || proxy.auth === 'none') return;
  const seenNames = new Set<string>();
  const seenKeys = new Set<string>();
  proxy.auth.keys.forEach((key, i) => {
    if (seenNames.has(key.name)) problems.push(source.problem(['auth', 'keys', i, 'name'], `another key is already named "${key.name}"`));
    if (seenKeys.has(key.key)) problems.push(source.problem(['auth', 'keys', i, 'key'], 'the same key is listed twice'));
    seenNames.add(key.name);
    seenKeys.add(key.key);
    key.routes?.forEach((route, r) => {
      if (!names.has(route)) problems.push(source.problem(['auth', 'keys', i, 'routes', r], `unknown route "${route}"; defined routes: ${[...names].join(', ')}`));
    });
  });
}
