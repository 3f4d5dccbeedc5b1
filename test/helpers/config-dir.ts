/** Writes a throwaway config directory (proxy.yaml + policies/) for a test. */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export interface ConfigDir {
  readonly dir: string;
  readonly proxyFile: string;
  write(relativePath: string, text: string): string;
  remove(): void;
}

export function configDir(files: Record<string, string>): ConfigDir {
  const dir = mkdtempSync(join(tmpdir(), 'llmux-test-'));
  const write = (relativePath: string, text: string): string => {
    const file = join(dir, relativePath);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
    return file;
  };
  for (const [path, text] of Object.entries(files)) write(path, text);
  return { dir, proxyFile: join(dir, 'proxy.yaml'), write, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
