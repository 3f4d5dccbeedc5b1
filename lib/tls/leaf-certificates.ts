/**
 * Leaf certificates for intercepted hosts, issued by the forward proxy's CA on the
 * first CONNECT to each host and kept in memory as ready TLS contexts. All leaves
 * share one key pair (made once per CA): issuing is then a single signature.
 */
import type { webcrypto } from 'node:crypto';
import { createSecureContext, type SecureContext } from 'node:tls';
import { createLeafCertificate, exportKeyPem, generateKeys, importSigner, type PemPair, type Signer } from './x509.js';

/** Hosts are few (the AI APIs), but a pattern like `*.openai.azure.com` could name many. */
const MAX_HOSTS = 512;
/** Leaves are valid for 397 days; reissuing well before keeps a long-running process safe. */
const REISSUE_AFTER_MS = 30 * 86_400_000;

interface Entry {
  readonly context: Promise<SecureContext>;
  readonly issuedAt: number;
}

export class LeafCertificates {
  readonly #entries = new Map<string, Entry>();
  readonly #signer: Promise<{ signer: Signer; keys: webcrypto.CryptoKeyPair; keyPem: string }>;

  constructor(ca: PemPair) {
    this.#signer = (async () => {
      const keys = await generateKeys();
      return { signer: await importSigner(ca), keys, keyPem: await exportKeyPem(keys.privateKey) };
    })();
    // A bad CA surfaces on the first use; this only keeps the rejection from going unhandled.
    this.#signer.catch(() => {});
  }

  /** The TLS context presenting a certificate for `host`, issued on first use. */
  contextFor(host: string): Promise<SecureContext> {
    const entry = this.#entries.get(host);
    if (entry && Date.now() - entry.issuedAt < REISSUE_AFTER_MS) return entry.context;
    if (this.#entries.size >= MAX_HOSTS) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
    const context = this.#issue(host);
    const created: Entry = { context, issuedAt: Date.now() };
    this.#entries.set(host, created);
    // A failed issue is not cached: the next CONNECT tries again.
    context.catch(() => {
      if (this.#entries.get(host) === created) this.#entries.delete(host);
    });
    return context;
  }

  async #issue(host: string): Promise<SecureContext> {
    const { signer, keys, keyPem } = await this.#signer;
    const cert = await createLeafCertificate(host, signer, keys);
    return createSecureContext({ key: keyPem, cert, minVersion: 'TLSv1.2' });
  }
}
