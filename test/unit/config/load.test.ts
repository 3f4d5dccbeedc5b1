import { afterEach, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../../lib/config/load.js';
import { ConfigError, formatProblem } from '../../../lib/config/config-error.js';
import { buildSnapshot } from '../../../lib/config/snapshot.js';
import { configDir, type ConfigDir } from '../../helpers/config-dir.js';

const proxy = `providers:
  openai:
    kind: openai
    api_key: \${TEST_KEY}
  local:
    kind: openai-compatible
    base_url: http://127.0.0.1:11434/v1
`;

const routes = `routes:
  gpt:
    strategy: weighted
    targets:
      - provider: openai
        model: gpt-4o
        weight: 2
      - provider: local
        model: llama3
`;

let dir: ConfigDir | undefined;
afterEach(() => dir?.remove());

async function problemsOf(files: Record<string, string>, env: NodeJS.ProcessEnv = { TEST_KEY: 'sk-test' }): Promise<string[]> {
  dir = configDir(files);
  try {
    await loadConfig(dir.proxyFile, { env });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((p) => formatProblem(p).replace(`${dir!.dir}/`, ''));
    throw error;
  }
  return [];
}

describe('loadConfig', () => {
  it('loads a valid config with defaults applied and secrets interpolated', async () => {
    dir = configDir({ 'proxy.yaml': proxy, 'policies/routes.yaml': routes });
    const loaded = await loadConfig(dir.proxyFile, { env: { TEST_KEY: 'sk-test' } });
    expect(loaded.proxy.listen).toEqual({ host: '127.0.0.1', port: 4100 });
    expect(loaded.proxy.providers.openai).toMatchObject({ kind: 'openai', api_key: 'sk-test', base_url: 'https://api.openai.com/v1' });
    expect(loaded.routes.map((r) => r.name)).toEqual(['gpt']);
    const snapshot = buildSnapshot(loaded);
    const route = snapshot.routes.get('gpt')!;
    expect(route.targets.map((t) => [t.id, t.weight, t.maxConnections])).toEqual([
      ['openai/gpt-4o', 2, Infinity],
      ['local/llama3', 1, Infinity],
    ]);
    expect(route.targets[0]!.provider.bound.headers).toEqual({ authorization: 'Bearer sk-test' });
    expect(Object.isFrozen(snapshot.proxy.providers.openai)).toBe(true);
  });

  it('reads ${file:/path} secrets and trims the trailing newline', async () => {
    dir = configDir({ 'policies/routes.yaml': routes });
    const secret = dir.write('secret.txt', 'sk-from-file\n');
    writeFileSync(join(dir.dir, 'proxy.yaml'), proxy.replace('${TEST_KEY}', `\${file:${secret}}`));
    const loaded = await loadConfig(dir.proxyFile, { env: {} });
    expect(loaded.proxy.providers.openai?.api_key).toBe('sk-from-file');
  });

  it('names a missing environment variable with its position', async () => {
    expect(await problemsOf({ 'proxy.yaml': proxy, 'policies/routes.yaml': routes }, {})).toEqual([
      'proxy.yaml:4:14: providers.openai.api_key: environment variable TEST_KEY is not set (referenced as ${TEST_KEY})',
    ]);
  });

  it('reports unknown keys, unknown kinds, unknown strategies, bad numbers and bad references, each with file:line:col', async () => {
    const badProxy = `listen:
  port: 99999
providers:
  openai:
    kind: openai
    api_key: k
    bogus: 1
  other:
    kind: anthropical
    base_url: http://x
`;
    const badRoutes = `routes:
  gpt:
    strategy: fastest
    targets:
      - provider: opnai
        model: gpt-4o
        weight: -1
  two:
    targets:
      - provider: openai
        model: m
        max_connections: 1.5
    fallbacks: [nowhere]
`;
    const problems = await problemsOf({ 'proxy.yaml': badProxy, 'policies/routes.yaml': badRoutes });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^proxy\.yaml:2:9: listen\.port: .*65535/),
        'proxy.yaml:7:5: providers.openai.bogus: unknown key; check its spelling and the reference in proxy.example.yaml',
        expect.stringMatching(/^proxy\.yaml:9:11: providers\.other\.kind: unknown provider kind; use one of: openai, openai-compatible, azure-openai/),
        expect.stringMatching(/^policies\/routes\.yaml:3:15: routes\.gpt\.strategy\.type: unknown strategy; use one of: round_robin, weighted/),
        expect.stringMatching(/^policies\/routes\.yaml:7:17: routes\.gpt\.targets\[0\]\.weight: /),
        'policies/routes.yaml:12:26: routes.two.targets[0].max_connections: must be a whole number, got 1.5',
      ]),
    );
  });

  it('reports references to undefined providers and routes once the schema passes', async () => {
    const problems = await problemsOf({
      'proxy.yaml': proxy,
      'policies/routes.yaml': `routes:
  gpt:
    targets:
      - provider: opnai
        model: gpt-4o
    fallbacks: [nowhere]
`,
    });
    expect(problems).toEqual([
      'policies/routes.yaml:4:19: routes.gpt.targets[0].provider: unknown provider "opnai"; defined providers: openai, local',
      'policies/routes.yaml:6:17: routes.gpt.fallbacks[0]: unknown route "nowhere"; defined routes: gpt',
    ]);
  });

  it('reports YAML syntax errors with their position', async () => {
    const problems = await problemsOf({ 'proxy.yaml': proxy, 'policies/routes.yaml': 'routes:\n  gpt: [unclosed\n' });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^policies\/routes\.yaml:\d+:\d+: /);
  });

  it('rejects a route defined in two files, and a cost route without prices', async () => {
    const problems = await problemsOf({
      'proxy.yaml': proxy,
      'policies/a.yaml': routes,
      'policies/b.yaml': `routes:
  gpt:
    targets: [{ provider: openai, model: x }]
  cheap:
    strategy: cost
    targets: [{ provider: openai, model: x }]
`,
    });
    expect(problems).toEqual([
      expect.stringMatching(/^policies\/b\.yaml:2:3: routes\.gpt: route is already defined in .*policies\/a\.yaml$/),
      'policies/b.yaml:6:15: routes.cheap.targets[0]: the cost strategy needs a price for every target: set `price: { input, output }` (this model has no built-in list price)',
    ]);
  });

  it('complains when the policies glob matches nothing', async () => {
    expect(await problemsOf({ 'proxy.yaml': proxy })).toEqual([
      expect.stringMatching(/^proxy\.yaml:1:1: policies: matches no policy files/),
    ]);
  });

  it('never mutates the environment object it is given', async () => {
    dir = configDir({ 'proxy.yaml': proxy, 'policies/routes.yaml': routes });
    const env = Object.freeze({ TEST_KEY: 'k' });
    await expect(loadConfig(dir.proxyFile, { env })).resolves.toBeDefined();
  });
});
