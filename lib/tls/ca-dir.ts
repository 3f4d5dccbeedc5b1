/** Where the CA lives, without loading the certificate code (which is only needed once the CA is used). */
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';

/** `~/x` is under the home directory; a relative path is relative to proxy.yaml's directory. */
export function resolveCaDir(caDir: string, configFile: string): string {
  if (caDir === '~' || caDir.startsWith('~/')) return join(homedir(), caDir.slice(1));
  return isAbsolute(caDir) ? caDir : resolve(dirname(configFile), caDir);
}
