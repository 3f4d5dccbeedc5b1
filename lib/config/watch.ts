/**
 * Watches the directories that hold proxy.yaml and the policy files, not the files
 * themselves: editors and `kubectl cp` replace a file by renaming a new one over
 * it, and a Kubernetes ConfigMap volume swaps its `..data` symlink to a new
 * folder. A file watch would lose track after either; a directory watch sees
 * both, and sees policy files being added or removed. Bursts of events (an editor
 * writes, renames and chmods) are debounced into one reload.
 */
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import picomatch from 'picomatch';

export interface ConfigWatcherOptions {
  /** Absolute path of proxy.yaml. */
  readonly configFile: string;
  /** The policy globs as configured (relative to proxy.yaml's directory). */
  readonly policyGlobs: readonly string[];
  /** Quiet time after the last event before `onChange` runs (ms). @default 100 */
  readonly debounceMs?: number;
  readonly onChange: (paths: readonly string[]) => void;
  /** Files the current config was read from; a change to one of them always counts. */
  readonly files?: readonly string[];
  /** A directory could not be watched (it may not exist yet). */
  readonly onError?: (directory: string, error: Error) => void;
}

/** The part of a glob before its first wildcard, as a directory. */
export function globBase(glob: string): string {
  const parts = glob.split('/');
  const fixed: string[] = [];
  for (const part of parts) {
    if (/[*?[\]{}()!]/.test(part)) break;
    fixed.push(part);
  }
  // A glob without wildcards names a file: watch its directory.
  return fixed.length === parts.length ? dirname(glob) : fixed.join('/') || '.';
}

/**
 * Whether a changed path can affect the config: proxy.yaml, a file the config was
 * read from, a path a policy glob matches, or a Kubernetes ConfigMap's `..data`
 * machinery (its files are symlinks whose targets change under `..` names).
 */
function relevance(root: string, options: ConfigWatcherOptions): (path: string) => boolean {
  const files = new Set([options.configFile, ...(options.files ?? [])]);
  const globs = options.policyGlobs.map((glob) => picomatch(isAbsolute(glob) ? glob : join(root, glob), { dot: true }));
  return (path) => files.has(path) || basename(path).startsWith('..') || globs.some((matches) => matches(path));
}

export class ConfigWatcher {
  readonly #watchers: FSWatcher[] = [];
  readonly #options: ConfigWatcherOptions;
  readonly #relevant: (path: string) => boolean;
  #timer: NodeJS.Timeout | undefined;
  #pending = new Set<string>();

  constructor(options: ConfigWatcherOptions) {
    this.#options = options;
    const root = dirname(options.configFile);
    this.#relevant = relevance(root, options);
    const directories = new Map<string, boolean>([[root, false]]);
    for (const glob of options.policyGlobs) {
      const base = globBase(glob);
      const dir = isAbsolute(base) ? base : resolve(root, base);
      directories.set(dir, (directories.get(dir) ?? false) || glob.includes('**'));
    }
    for (const [directory, recursive] of directories) this.#watch(directory, recursive);
  }

  #watch(directory: string, recursive: boolean): void {
    try {
      const watcher = watch(directory, { persistent: false, recursive }, (_event, name) => {
        const path = name ? join(directory, name.toString()) : directory;
        // A log file or an editor's swap file next to proxy.yaml must not trigger reloads.
        if (name && !this.#relevant(path)) return;
        this.#pending.add(path);
        this.#schedule();
      });
      watcher.on('error', (error) => this.#options.onError?.(directory, error));
      this.#watchers.push(watcher);
    } catch (error) {
      this.#options.onError?.(directory, error as Error);
    }
  }

  #schedule(): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      const paths = [...this.#pending];
      this.#pending = new Set();
      this.#options.onChange(paths);
    }, this.#options.debounceMs ?? 100);
  }

  close(): void {
    clearTimeout(this.#timer);
    for (const watcher of this.#watchers) watcher.close();
    this.#watchers.length = 0;
  }
}
