/**
 * Certificate generation for the forward proxy's own CA and its per-host leaf
 * certificates, with @peculiar/x509 on Node's WebCrypto: pure TypeScript, no
 * native build, and the keys (ECDSA P-256) are made and used by Node's own crypto.
 */
// @peculiar/x509 resolves its ASN.1 parsers through tsyringe, which needs the Reflect
// metadata polyfill loaded first.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { createPrivateKey, randomBytes, webcrypto } from 'node:crypto';
import { isIP } from 'node:net';

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

// The library's types name the DOM's Crypto; Node's WebCrypto is that same API.
x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY_MS = 86_400_000;

/** PEM text of a certificate and of its private key (PKCS#8). */
export interface PemPair {
  readonly cert: string;
  readonly key: string;
}

/** A CA ready to sign: its certificate and its private key, imported once. */
export interface Signer {
  readonly cert: x509.X509Certificate;
  readonly key: CryptoKey;
}

export function generateKeys(): Promise<CryptoKeyPair> {
  return webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
}

export async function exportKeyPem(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }).export({ format: 'pem', type: 'pkcs8' }).toString();
}

export async function importSigner(pair: PemPair): Promise<Signer> {
  const der = createPrivateKey(pair.key).export({ format: 'der', type: 'pkcs8' });
  const key = await webcrypto.subtle.importKey('pkcs8', der, ALGORITHM, false, ['sign']);
  return { cert: new x509.X509Certificate(pair.cert), key };
}

/** A positive 128-bit serial number: random, so two llmux CAs never issue the same one. */
function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return bytes.toString('hex');
}

/** Keeps a name usable inside a distinguished name (no commas, plus signs or quotes). */
const dnSafe = (text: string): string => text.replace(/[^\w .@-]/g, '').slice(0, 48) || 'localhost';

/** A self-signed CA that may sign only end-entity certificates (path length 0), valid for `years`. */
export async function createCaCertificate(label: string, years = 10): Promise<PemPair> {
  const keys = await generateKeys();
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: `CN=llmux local CA (${dnSafe(label)}), O=llmux`,
    notBefore: new Date(now - DAY_MS),
    notAfter: new Date(now + years * 365 * DAY_MS),
    signingAlgorithm: ALGORITHM,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { cert: cert.toString('pem'), key: await exportKeyPem(keys.privateKey) };
}

/**
 * A server certificate for `host` (a DNS name or an IP address) signed by `ca`.
 * 397 days at most, which macOS and browsers accept for any issuer.
 */
export async function createLeafCertificate(host: string, ca: Signer, keys: CryptoKeyPair, days = 397): Promise<string> {
  const now = Date.now();
  const altName = isIP(host) ? { type: 'ip' as const, value: host } : { type: 'dns' as const, value: host };
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: `CN=${dnSafe(host)}`,
    issuer: ca.cert.subject,
    notBefore: new Date(now - DAY_MS),
    notAfter: new Date(Math.min(now + days * DAY_MS, ca.cert.notAfter.getTime())),
    signingAlgorithm: ALGORITHM,
    publicKey: keys.publicKey,
    signingKey: ca.key,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([altName]),
      await x509.AuthorityKeyIdentifierExtension.create(ca.cert),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return cert.toString('pem');
}
