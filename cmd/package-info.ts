/** Reads llmux's own package.json, from source (cmd/) or from the build (dist/cmd/). */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface PackageInfo {
  readonly version: string;
  readonly description: string;
  /** Directory holding package.json, proxy.example.yaml and policies/. */
  readonly root: string;
}

export function packageInfo(): PackageInfo {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) return { version: '0.0.0', description: 'llmux', root: dir };
    dir = parent;
  }
  const json = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version?: string; description?: string };
  return { version: json.version ?? '0.0.0', description: json.description ?? 'llmux', root: dir };
}
