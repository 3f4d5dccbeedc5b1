/**
 * Reads and validates `proxy.yaml` and every policy file its glob matches. Every
 * problem in every file is collected (not just the first) and reported with its
 * `file:line:col`; nothing is returned unless all of it is valid.
 */
import { readFile } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import { glob } from 'tinyglobby';
import { ConfigError, type ConfigProblem } from './config-error.js';
import { interpolate, type InterpolationIssue } from './interpolate.js';
import { policySchema, proxySchema, type ProxyConfig, type RouteConfig } from './schema.js';
import type { VirtualModelConfig } from './rules-schema.js';
import { SourceFile } from './source.js';
import { checkSchema } from './validate-schema.js';
import { checkReferences } from './references.js';
import { checkForwardProxyReferences } from './forward-proxy-references.js';

export interface LoadedRoute {
  readonly name: string;
  readonly config: RouteConfig;
  /** The policy file that defines the route, for positioned messages later. */
  readonly source: SourceFile;
}

export interface LoadedVirtualModel {
  readonly name: string;
  readonly config: VirtualModelConfig;
  readonly source: SourceFile;
}

/** A fully validated (not yet built) configuration. */
export interface LoadedConfig {
  /** Absolute path of proxy.yaml. */
  readonly file: string;
  readonly proxy: ProxyConfig;
  readonly routes: readonly LoadedRoute[];
  readonly virtualModels: readonly LoadedVirtualModel[];
  /** Every file that was read: watch these to reload. */
  readonly files: readonly string[];
}

export interface LoadOptions {
  readonly env?: NodeJS.ProcessEnv;
}

export async function loadConfig(file: string, options: LoadOptions = {}): Promise<LoadedConfig> {
  const env = options.env ?? process.env;
  const absolute = resolve(file);
  const display = displayPath(absolute);
  const problems: ConfigProblem[] = [];

  const proxySource = await readSource(absolute, display, problems);
  const proxyValue = proxySource ? parseValue(proxySource, env, problems) : undefined;
  const proxy = proxySource && proxyValue !== undefined ? checkSchema(proxySource, proxySchema, proxyValue, problems) : undefined;

  const patterns = policyPatterns(proxy?.policies ?? (proxyValue as { policies?: unknown } | undefined)?.policies);
  const policyFiles = await glob(patterns, { cwd: dirname(absolute), absolute: true, onlyFiles: true });
  policyFiles.sort();
  if (proxySource && policyFiles.length === 0) {
    problems.push(proxySource.problem(['policies'], `matches no policy files (looked for ${patterns.join(', ')} next to ${display})`));
  }

  const routes: LoadedRoute[] = [];
  const virtualModels: LoadedVirtualModel[] = [];
  const seen = new Map<string, SourceFile>();
  for (const policyFile of policyFiles) {
    const source = await readSource(policyFile, displayPath(policyFile), problems);
    const value = source ? parseValue(source, env, problems) : undefined;
    if (!source || value === undefined) continue;
    const policy = checkSchema(source, policySchema, value, problems);
    for (const [name, config] of Object.entries(policy?.routes ?? {})) {
      const earlier = seen.get(name);
      if (earlier) {
        problems.push(source.problem(['routes'], `route is already defined in ${earlier.path}`, name));
        continue;
      }
      seen.set(name, source);
      routes.push({ name, config, source });
    }
    for (const [name, config] of Object.entries(policy?.rules ?? {})) {
      const earlier = seen.get(name);
      if (earlier) {
        problems.push(source.problem(['rules'], `the name is already used by a route or rule set in ${earlier.path}`, name));
        continue;
      }
      seen.set(name, source);
      virtualModels.push({ name, config, source });
    }
  }

  if (proxy) checkReferences(proxy, routes, virtualModels, problems, proxySource);
  if (proxy && proxySource) checkForwardProxyReferences(proxySource, proxy, problems);
  if (problems.length > 0 || !proxy) throw new ConfigError(firstPerKey(problems));
  return { file: absolute, proxy, routes, virtualModels, files: [absolute, ...policyFiles] };
}

/** One problem per key: a missing variable also fails the schema, but only the first says why. */
function firstPerKey(problems: readonly ConfigProblem[]): ConfigProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const id = `${p.file}\u0000${p.key}`;
    if (p.key && seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

async function readSource(file: string, display: string, problems: ConfigProblem[]): Promise<SourceFile | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const reason = error instanceof Error && 'code' in error ? String(error.code) : String(error);
    problems.push({ file: display, line: 1, col: 1, key: '', message: `cannot read the file (${reason})` });
    return undefined;
  }
  return new SourceFile(display, text);
}

/** Syntax check, then interpolation; `undefined` when the file cannot be used at all. */
function parseValue(source: SourceFile, env: NodeJS.ProcessEnv, problems: ConfigProblem[]): unknown {
  const syntax = source.syntaxProblems();
  if (syntax.length > 0) {
    problems.push(...syntax);
    return undefined;
  }
  const issues: InterpolationIssue[] = [];
  const value = interpolate(source.value() ?? {}, env, issues);
  for (const issue of issues) problems.push(source.problem(issue.path, issue.message));
  return value;
}

function policyPatterns(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value;
  return ['policies/*.yaml'];
}

/** Paths in messages are relative to the working directory when that is shorter. */
function displayPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel && !rel.startsWith('..') ? rel : file;
}
