import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, formatProblem } from '../../../lib/config/config-error.js';
import { loadConfig } from '../../../lib/config/load.js';
import { buildSnapshot } from '../../../lib/config/snapshot.js';
import { providerForHost } from '../../../lib/server/forward/implicit-route.js';
import { configDir, type ConfigDir } from '../../helpers/config-dir.js';

const PROVIDERS = `providers:
  openai: { kind: openai, api_key: k }
  claude: { kind: anthropic, api_key: k }
  azure-a: { kind: azure-openai, base_url: "https://a.openai.azure.com", api_key: k }
  azure-b: { kind: azure-openai, base_url: "https://b.openai.azure.com", api_key: k, passthrough_auth: true }
`;
const ROUTES = 'routes:\n  r:\n    targets: [{ provider: openai, model: gpt-4o }]\n';

let dir: ConfigDir | undefined;
afterEach(() => dir?.remove());

async function load(forward: string): Promise<Awaited<ReturnType<typeof loadConfig>> | string[]> {
  dir = configDir({ 'proxy.yaml': `${PROVIDERS}${forward}`, 'policies/routes.yaml': ROUTES });
  try {
    return await loadConfig(dir.proxyFile);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((p) => formatProblem(p).replace(`${dir!.dir}/`, ''));
    throw error;
  }
}

describe('forward_proxy config', () => {
  it('defaults: off, the four AI hosts, deny, no private addresses, ~/.llmux/ca, no auth', async () => {
    const loaded = await load('');
    if (Array.isArray(loaded)) throw new Error(loaded.join('\n'));
    expect(loaded.proxy.forward_proxy).toEqual({
      enabled: false,
      intercept: [{ host: 'api.openai.com' }, { host: 'api.anthropic.com' }, { host: 'generativelanguage.googleapis.com' }, { host: '*.openai.azure.com' }],
      tunnel: 'deny',
      allow_private: false,
      ca_dir: '~/.llmux/ca',
      connect_timeout_ms: 10_000,
      auth: [],
    });
    expect(loaded.proxy.providers['azure-b']!.passthrough_auth).toBe(true);
    expect(loaded.proxy.providers.openai!.passthrough_auth).toBe(false);
  });

  it('reports bad keys, hosts and provider names with their positions', async () => {
    const problems = await load('forward_proxy:\n  enabled: true\n  intercept:\n    - host: "api.openai.com:443"\n    - { host: api.anthropic.com, provider: nope }\n  tunnel: maybe\n  auth: { username: u }\n  colour: blue\n');
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/proxy\.yaml:9:13: forward_proxy\.intercept\[0\]\.host: must be a host name/),
        'proxy.yaml:11:11: forward_proxy.tunnel: must be deny, allow, or a list of host patterns',
        'proxy.yaml:12:9: forward_proxy.auth: must be { username, password } or a list of them',
        expect.stringMatching(/proxy\.yaml:13:3: forward_proxy\.colour: unknown key/),
      ]),
    );
    const references = await load('forward_proxy:\n  intercept:\n    - { host: api.anthropic.com, provider: nope }\n');
    expect(references).toEqual([expect.stringMatching(/proxy\.yaml:8:\d+: forward_proxy\.intercept\[0\]\.provider: unknown provider "nope"; defined providers: openai, claude, azure-a, azure-b/)]);
  });

  it('finds the provider a host belongs to: the named one, or the one whose base_url is on that host', async () => {
    const loaded = await load('forward_proxy:\n  intercept: [api.openai.com, api.anthropic.com, { host: generativelanguage.googleapis.com, provider: openai }, "*.openai.azure.com"]\n');
    if (Array.isArray(loaded)) throw new Error(loaded.join('\n'));
    const snapshot = buildSnapshot(loaded);
    expect(providerForHost(snapshot, 'api.openai.com')?.name).toBe('openai');
    expect(providerForHost(snapshot, 'api.anthropic.com')?.name).toBe('claude');
    expect(providerForHost(snapshot, 'generativelanguage.googleapis.com')?.name).toBe('openai');
    expect(providerForHost(snapshot, 'b.openai.azure.com')?.name).toBe('azure-b');
    expect(providerForHost(snapshot, 'c.openai.azure.com')).toBeUndefined();
    expect(providerForHost(snapshot, 'example.com')).toBeUndefined();
    for (const provider of snapshot.providers.values()) provider.agent.destroy();
  });
});
