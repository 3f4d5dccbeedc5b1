/**
 * Starts llmux in process on a generated config, in front of mock providers on
 * port 0, for integration tests; `close()` stops everything it started.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { Llmux } from '../../lib/server/llmux.js';
import { startMockProvider, type MockProvider, type MockProviderOptions } from '../../lib/simulator/index.js';
import { configDir, type ConfigDir } from './config-dir.js';

export interface HarnessOptions {
  /** Mock providers by provider name. */
  readonly mocks?: Readonly<Record<string, MockProviderOptions>>;
  /** Providers that are not mocks (e.g. a dead port), as YAML lines under `providers:`. */
  readonly extraProviders?: string;
  /** The `routes:` policy file body. */
  readonly policy: string;
  /** Extra top-level YAML for proxy.yaml (limits, log …). */
  readonly proxyYaml?: string;
  /** Provider kind used for the mocks. @default 'openai-compatible' */
  readonly kind?: (name: string, mock: MockProvider) => string;
  readonly random?: () => number;
  /** The `admin:` block of proxy.yaml. @default 'admin:\n  port: 0' */
  readonly adminYaml?: string;
  /** Keep llmux's log lines (JSON) for the test to read through `logs()`. @default false */
  readonly captureLogs?: boolean;
}

export interface Harness {
  readonly llmux: Llmux;
  readonly url: string;
  readonly mocks: Readonly<Record<string, MockProvider>>;
  readonly config: ConfigDir;
  /** Log lines written so far, parsed (only with `captureLogs`). */
  logs(): Record<string, unknown>[];
  /** The raw log text written so far (only with `captureLogs`). */
  logText(): string;
  close(): Promise<void>;
}

export const PROVIDER_KEY = 'sk-provider-secret';

function defaultProviderYaml(name: string, mock: MockProvider): string {
  const base = mock.format === 'openai' ? `${mock.url}/v1` : mock.format === 'gemini' ? `${mock.url}/v1beta` : mock.url;
  const kind = mock.format === 'openai' ? 'openai-compatible' : mock.format;
  return `  ${name}:\n    kind: ${kind}\n    base_url: ${base}\n    api_key: ${PROVIDER_KEY}`;
}

export async function startHarness(options: HarnessOptions): Promise<Harness> {
  const mocks: Record<string, MockProvider> = {};
  for (const [name, mock] of Object.entries(options.mocks ?? {})) mocks[name] = await startMockProvider({ name, ...mock });
  const providers = Object.entries(mocks).map(([name, mock]) => (options.kind ?? defaultProviderYaml)(name, mock));
  if (options.extraProviders) providers.push(options.extraProviders);
  const config = configDir({
    'proxy.yaml': `listen:\n  port: 0\n${options.adminYaml ?? 'admin:\n  port: 0'}\nproviders:\n${providers.join('\n')}\n${options.proxyYaml ?? ''}\n`,
    'policies/routes.yaml': options.policy,
  });
  let logged = '';
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logged += chunk.toString();
      done();
    },
  });
  const logger = options.captureLogs ? pino({ level: 'info' }, sink) : pino({ level: 'silent' });
  const llmux = await Llmux.start({ configFile: config.proxyFile, logger, random: options.random });
  return {
    llmux,
    url: llmux.url,
    mocks,
    config,
    logText: () => logged,
    logs: () =>
      logged
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    async close() {
      await llmux.close();
      await Promise.all(Object.values(mocks).map((m) => m.close()));
      config.remove();
    },
  };
}

/** Posts a raw body (string, sent byte for byte) and returns status, headers and text. */
export async function post(url: string, body: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; text: string; json: unknown }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}
