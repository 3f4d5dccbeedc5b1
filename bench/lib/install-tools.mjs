/**
 * wrk and nginx are system packages, not npm ones. On a fresh Debian/Ubuntu box where
 * the bench runs as root, it installs them with apt-get (unless --no-install), so the
 * comparison has its second reference and its faster load generator; elsewhere it
 * carries on without them (autocannon from devDependencies; nginx rows skipped).
 */
import { spawnSync } from 'node:child_process';
import { findNginx } from './services/nginx.mjs';
import { wrkVersion } from './load/wrk.mjs';

/**
 * @param {(line: string) => void} log
 */
export function installMissingTools(log) {
  const missing = [];
  if (!wrkVersion()) missing.push('wrk');
  if (!findNginx()) missing.push('nginx');
  if (missing.length === 0) return;
  const aptGet = spawnSync('apt-get', ['--version'], { stdio: 'ignore' });
  if (process.getuid?.() !== 0 || aptGet.error) {
    log(`not installed: ${missing.join(', ')} (not root or no apt-get; carrying on without)`);
    return;
  }
  log(`installing ${missing.join(', ')} with apt-get (--no-install to skip) …`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  spawnSync('apt-get', ['update', '-qq'], { stdio: 'ignore', env });
  const install = spawnSync('apt-get', ['install', '-y', '-qq', ...missing], { stdio: 'ignore', env });
  if (install.status !== 0) log(`apt-get install ${missing.join(' ')} failed; carrying on without`);
}
