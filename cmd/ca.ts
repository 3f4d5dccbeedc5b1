/**
 * `llmux ca`: where the forward proxy's CA certificate is, and the exact lines that
 * make clients trust it. Creates the CA when there is none yet, so trust can be set
 * up before llmux first starts.
 */
import { X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import { ConfigError, formatProblem } from '../lib/config/config-error.js';
import { loadForwardProxySettings } from '../lib/config/forward-proxy-settings.js';
import { loadOrCreateCa, resolveCaDir } from '../lib/tls/ca-store.js';

export interface CaFlags {
  readonly config: string;
  /** A CA directory to use instead of the config's `forward_proxy.ca_dir`. */
  readonly dir?: string;
}

export async function caCommand(flags: CaFlags): Promise<number> {
  let dir: string;
  let proxyUrl = 'http://127.0.0.1:4100';
  let enabled: boolean | undefined;
  if (flags.dir) {
    dir = resolveCaDir(flags.dir, join(process.cwd(), 'proxy.yaml'));
  } else {
    try {
      const settings = await loadForwardProxySettings(flags.config);
      dir = resolveCaDir(settings.forwardProxy.ca_dir, settings.file);
      const { host, port } = settings.listen;
      proxyUrl = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
      enabled = settings.forwardProxy.enabled;
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      for (const problem of error.problems) console.error(formatProblem(problem));
      console.error('llmux ca: fix the problems above, or name the CA directory with --dir.');
      return 1;
    }
  }
  const ca = await loadOrCreateCa(dir);
  const cert = new X509Certificate(ca.pem.cert);
  const path = ca.certPath;
  const lines = [
    `CA certificate: ${path}${ca.created ? '   (created now)' : ''}`,
    `  subject     ${cert.subject.replace(/\n/g, ', ')}`,
    `  valid until ${new Date(cert.validTo).toISOString().slice(0, 10)}`,
    `  SHA-256     ${cert.fingerprint256}`,
    `Its private key ${ca.keyPath} (mode 0600) never leaves this machine; anyone holding it can impersonate any site to clients that trust this CA.`,
    ...ca.warnings.map((warning) => `warning: ${warning}`),
    ...(enabled === false ? ['note: forward_proxy.enabled is false in this config; set it to true to serve HTTPS_PROXY clients.'] : []),
    '',
    'Trust it (pick what your clients use):',
    `  Node.js                export NODE_EXTRA_CA_CERTS=${path}`,
    `  curl                   curl --cacert ${path} …   or   export CURL_CA_BUNDLE=${path}`,
    `  Python requests        export REQUESTS_CA_BUNDLE=${path}`,
    `  OpenSSL-based clients  export SSL_CERT_FILE=${path}          (Python ssl/httpx, Ruby, PHP …)`,
    `  Debian/Ubuntu store    sudo cp ${path} /usr/local/share/ca-certificates/llmux-ca.crt && sudo update-ca-certificates`,
    `  macOS keychain         sudo security add-trusted-cert -d -r trustRoot -k /Library/Keychains/System.keychain ${path}`,
    'CURL_CA_BUNDLE, REQUESTS_CA_BUNDLE and SSL_CERT_FILE replace the default bundle: for tunnelled public hosts',
    `to keep working, point them at a bundle with both, e.g. cat /etc/ssl/certs/ca-certificates.crt ${path} > llmux-bundle.pem`,
    '',
    'Then send the app through llmux:',
    `  export HTTPS_PROXY=${proxyUrl} HTTP_PROXY=${proxyUrl}`,
    '  (Node 20 fetch, the openai and anthropic SDKs: also setGlobalDispatcher(new EnvHttpProxyAgent()) from undici; see the README)',
  ];
  console.log(lines.join('\n'));
  return 0;
}
