/**
 * The forward proxy's certificate authority on disk: `ca.crt` (what clients trust)
 * and `ca.key` (mode 0600, in a 0700 directory) under `forward_proxy.ca_dir`. Created
 * on first use and reused afterwards, so a trust set up once keeps working across
 * restarts. Two processes creating it at the same moment agree on one CA: the key
 * is claimed with an atomic hard link, and the loser reads the winner's files.
 */
import { X509Certificate, createPrivateKey, randomBytes } from 'node:crypto';
import { chmod, link, mkdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { createCaCertificate, type PemPair } from './x509.js';

export const CA_CERT_FILE = 'ca.crt';
export const CA_KEY_FILE = 'ca.key';

export interface StoredCa {
  readonly certPath: string;
  readonly keyPath: string;
  readonly pem: PemPair;
  /** True when this call created the CA. */
  readonly created: boolean;
  /** Problems worth a warning (a key file others can read). */
  readonly warnings: readonly string[];
}

export { resolveCaDir } from './ca-dir.js';

const exists = (path: string): Promise<boolean> => stat(path).then(
  () => true,
  () => false,
);

/** Loads the CA in `dir`, creating it (and the directory) when there is none. */
export async function loadOrCreateCa(dir: string): Promise<StoredCa> {
  const certPath = join(dir, CA_CERT_FILE);
  const keyPath = join(dir, CA_KEY_FILE);
  if (!(await exists(keyPath))) {
    if (await exists(certPath)) {
      throw new Error(`${certPath} exists but its key ${keyPath} does not; delete ${certPath} (and remove it from the trust stores) to create a new CA`);
    }
    if (await create(dir, certPath, keyPath)) return { ...(await load(certPath, keyPath)), created: true };
  }
  return { ...(await load(certPath, keyPath, true)), created: false };
}

/** Writes a new CA; false when another process claimed the key first. */
async function create(dir: string, certPath: string, keyPath: string): Promise<boolean> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const pem = await createCaCertificate(hostname());
  const suffix = `.${randomBytes(6).toString('hex')}.tmp`;
  const keyTemp = keyPath + suffix;
  const certTemp = certPath + suffix;
  // `wx` + mode: the key is never on disk with wider permissions, not even for a moment.
  await writeFile(keyTemp, pem.key, { mode: 0o600, flag: 'wx' });
  await chmod(keyTemp, 0o600);
  await writeFile(certTemp, pem.cert, { mode: 0o644, flag: 'wx' });
  try {
    await link(keyTemp, keyPath);
  } catch (error) {
    await Promise.all([unlink(keyTemp), unlink(certTemp)]);
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  await rename(certTemp, certPath);
  await unlink(keyTemp);
  return true;
}

async function load(certPath: string, keyPath: string, waitForCert = false): Promise<Omit<StoredCa, 'created'>> {
  // The process that claimed the key writes the certificate right after it.
  for (let i = 0; waitForCert && i < 50 && !(await exists(certPath)); i++) await delay(100);
  const [cert, key, keyStat] = await Promise.all([readFile(certPath, 'utf8'), readFile(keyPath, 'utf8'), stat(keyPath)]);
  let matches: boolean;
  try {
    const x509 = new X509Certificate(cert);
    matches = x509.ca && x509.checkPrivateKey(createPrivateKey(key));
  } catch (error) {
    throw new Error(`${certPath} or ${keyPath} is not a readable PEM certificate and key (${(error as Error).message})`, { cause: error });
  }
  if (!matches) throw new Error(`${keyPath} is not the key of the CA certificate ${certPath}; delete both to create a new CA`);
  const warnings = (keyStat.mode & 0o077) !== 0 ? [`${keyPath} can be read by other users (mode ${(keyStat.mode & 0o777).toString(8)}); run chmod 600 on it`] : [];
  return { certPath, keyPath, pem: { cert, key }, warnings };
}
