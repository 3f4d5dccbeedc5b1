import { describe, expect, it } from 'vitest';
import { X509Certificate } from 'node:crypto';
import { createCaCertificate, createLeafCertificate, generateKeys, importSigner } from '../../../lib/tls/x509.js';
import { LeafCertificates } from '../../../lib/tls/leaf-certificates.js';

describe('certificates', () => {
  it('issues leaves for DNS names and IP addresses that chain to the CA', async () => {
    const ca = await createCaCertificate('unit test');
    const caCert = new X509Certificate(ca.cert);
    expect(caCert.ca).toBe(true);
    expect(caCert.checkIssued(caCert)).toBe(true);
    const signer = await importSigner(ca);
    const keys = await generateKeys();
    const leaf = new X509Certificate(await createLeafCertificate('api.openai.com', signer, keys));
    expect(leaf.ca).toBe(false);
    expect(leaf.checkIssued(caCert)).toBe(true);
    expect(leaf.verify(caCert.publicKey)).toBe(true);
    expect(leaf.checkHost('api.openai.com')).toBe('api.openai.com');
    expect(leaf.checkHost('api.anthropic.com')).toBeUndefined();
    expect(leaf.keyUsage).toContain('1.3.6.1.5.5.7.3.1');
    const days = (Date.parse(leaf.validTo) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(390);
    expect(days).toBeLessThanOrEqual(398);
    const ip = new X509Certificate(await createLeafCertificate('10.1.2.3', signer, keys));
    expect(ip.checkIP('10.1.2.3')).toBe('10.1.2.3');
    // Another CA's leaf does not chain to this one.
    const other = new X509Certificate((await createCaCertificate('other')).cert);
    expect(leaf.verify(other.publicKey)).toBe(false);
  });

  it('caches one TLS context per host and issues each host once', async () => {
    const leaves = new LeafCertificates(await createCaCertificate('cache test'));
    const [a, b] = await Promise.all([leaves.contextFor('api.openai.com'), leaves.contextFor('api.openai.com')]);
    expect(a).toBe(b);
    expect(await leaves.contextFor('api.anthropic.com')).not.toBe(a);
  });
});
