/**
 * The forward proxy's CA: created once on first start (key mode 0600), reused by
 * every later start, never logged, and printed with trust instructions by `llmux ca`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { X509Certificate } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { Llmux } from '../../lib/server/llmux.js';
import { loadOrCreateCa } from '../../lib/tls/ca-store.js';
import { runCli } from '../helpers/cli.js';
import { configDir, type ConfigDir } from '../helpers/config-dir.js';
import { tlsThrough } from '../helpers/forward-proxy.js';

const PROXY_YAML = [
  'listen: { port: 0 }',
  'admin: { enabled: false }',
  'providers:',
  '  openai: { kind: openai, base_url: "http://127.0.0.1:9/v1", api_key: sk-test }',
  'forward_proxy:',
  '  enabled: true',
  '  ca_dir: state/ca',
  '',
].join('\n');

let dir: ConfigDir | undefined;
afterEach(() => {
  dir?.remove();
  dir = undefined;
});

/** Starts llmux with a logger whose lines the test can read. */
async function start(proxyFile: string): Promise<{ llmux: Llmux; log: () => string }> {
  let text = '';
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  const llmux = await Llmux.start({ configFile: proxyFile, logger: pino({ level: 'debug' }, sink) });
  return { llmux, log: () => text };
}

describe('the forward proxy CA', () => {
  it('is created on first start with a 0600 key, reused after a restart, and never logged', async () => {
    dir = configDir({ 'proxy.yaml': PROXY_YAML, 'policies/routes.yaml': 'routes:\n  r:\n    targets: [{ provider: openai, model: m }]\n' });
    const caDir = join(dir.dir, 'state', 'ca');
    const certPath = join(caDir, 'ca.crt');
    const keyPath = join(caDir, 'ca.key');

    const first = await start(dir.proxyFile);
    const cert = readFileSync(certPath, 'utf8');
    const key = readFileSync(keyPath, 'utf8');
    expect(statSync(keyPath).mode & 0o777).toBe(0o600);
    expect(statSync(caDir).mode & 0o777).toBe(0o700);
    const x509 = new X509Certificate(cert);
    expect(x509.ca).toBe(true);
    expect(x509.subject).toContain('llmux local CA');
    // A leaf issued now chains to it: a client trusting exactly this CA completes the handshake.
    const tls = await tlsThrough(first.llmux.url, 'api.openai.com:443', 'api.openai.com', cert);
    expect(tls.getPeerCertificate().subjectaltname).toBe('DNS:api.openai.com');
    tls.destroy();
    await first.llmux.close();
    expect(first.log()).toContain('created a new CA');
    expect(first.log()).toContain(certPath);

    const second = await start(dir.proxyFile);
    expect(readFileSync(certPath, 'utf8')).toBe(cert);
    expect(readFileSync(keyPath, 'utf8')).toBe(key);
    expect(second.log()).toContain('using CA');
    expect(second.log()).not.toContain('created a new CA');
    await second.llmux.close();

    for (const log of [first.log(), second.log()]) {
      expect(log).not.toContain('PRIVATE KEY');
      expect(log).not.toContain(key.split('\n')[1]);
    }

    const printed = await runCli(['ca', '-c', dir.proxyFile]);
    expect(printed.stderr).toBe('');
    expect(printed.code).toBe(0);
    expect(printed.stdout).toContain(`CA certificate: ${certPath}\n`);
    expect(printed.stdout).toContain(`export NODE_EXTRA_CA_CERTS=${certPath}`);
    expect(printed.stdout).toContain(`export REQUESTS_CA_BUNDLE=${certPath}`);
    expect(printed.stdout).toContain(`export SSL_CERT_FILE=${certPath}`);
    expect(printed.stdout).toContain(`--cacert ${certPath}`);
    expect(printed.stdout).toContain('update-ca-certificates');
    expect(printed.stdout).toContain('security add-trusted-cert');
    expect(printed.stdout).not.toContain('PRIVATE KEY');
    expect(readFileSync(certPath, 'utf8')).toBe(cert);
  });

  it('`llmux ca` creates the CA before the first start, without the providers\' keys in the environment', async () => {
    dir = configDir({
      'proxy.yaml': PROXY_YAML.replace('api_key: sk-test', 'api_key: "${LLMUX_TEST_UNSET_KEY}"'),
      'policies/routes.yaml': 'routes:\n  r:\n    targets: [{ provider: openai, model: m }]\n',
    });
    const certPath = join(dir.dir, 'state', 'ca', 'ca.crt');
    const printed = await runCli(['ca', '-c', dir.proxyFile]);
    expect(printed.code).toBe(0);
    expect(printed.stdout).toContain(`CA certificate: ${certPath}   (created now)`);
    expect(statSync(join(dir.dir, 'state', 'ca', 'ca.key')).mode & 0o777).toBe(0o600);
  });

  it('two processes creating it at once end up with one CA', async () => {
    dir = configDir({});
    const caDir = join(dir.dir, 'ca');
    const [a, b] = await Promise.all([loadOrCreateCa(caDir), loadOrCreateCa(caDir)]);
    expect(a.pem.cert).toBe(b.pem.cert);
    expect([a.created, b.created].sort()).toEqual([false, true]);
    expect((await loadOrCreateCa(caDir)).pem.cert).toBe(a.pem.cert);
  });

  it('refuses a CA directory whose key does not belong to the certificate', async () => {
    dir = configDir({});
    const [one, two] = [join(dir.dir, 'one'), join(dir.dir, 'two')];
    await Promise.all([loadOrCreateCa(one), loadOrCreateCa(two)]);
    dir.write('one/ca.key', readFileSync(join(two, 'ca.key'), 'utf8'));
    await expect(loadOrCreateCa(one)).rejects.toThrow(/is not the key of the CA certificate/);
  });
});
