/**
 * Reads only `listen` and `forward_proxy` from proxy.yaml, for `llmux ca`: the CA's
 * location must be printable on a machine where the providers' keys are not in the
 * environment, so the rest of the file is neither interpolated nor validated.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { z } from 'zod';
import { ConfigError, type ConfigProblem } from './config-error.js';
import { forwardProxySchema, type ForwardProxyConfig } from './forward-proxy-schema.js';
import { interpolate, type InterpolationIssue } from './interpolate.js';
import { listenSchema } from './schema.js';
import { SourceFile } from './source.js';
import { checkSchema } from './validate-schema.js';

const settingsSchema = z.object({
  listen: listenSchema.prefault({}),
  forward_proxy: forwardProxySchema.prefault({}),
});

const KEYS = new Set<PropertyKey>(['listen', 'forward_proxy']);

export interface ForwardProxySettings {
  /** Absolute path of proxy.yaml. */
  readonly file: string;
  readonly listen: { readonly host: string; readonly port: number };
  readonly forwardProxy: ForwardProxyConfig;
}

/** Throws a `ConfigError` (positioned problems) when the file or these two blocks are not valid. */
export async function loadForwardProxySettings(file: string, env: NodeJS.ProcessEnv = process.env): Promise<ForwardProxySettings> {
  const absolute = resolve(file);
  let text: string;
  try {
    text = await readFile(absolute, 'utf8');
  } catch (error) {
    throw new ConfigError([{ file, line: 1, col: 1, key: '', message: `cannot read the file (${(error as NodeJS.ErrnoException).code ?? String(error)})` }]);
  }
  const source = new SourceFile(file, text);
  const problems: ConfigProblem[] = source.syntaxProblems();
  if (problems.length > 0) throw new ConfigError(problems);
  const raw = source.value();
  const picked = raw && typeof raw === 'object' && !Array.isArray(raw) ? Object.fromEntries(Object.entries(raw).filter(([key]) => KEYS.has(key))) : {};
  const issues: InterpolationIssue[] = [];
  const value = interpolate(picked, env, issues);
  for (const issue of issues) problems.push(source.problem(issue.path, issue.message));
  const settings = problems.length === 0 ? checkSchema(source, settingsSchema, value, problems) : undefined;
  if (!settings) throw new ConfigError(problems);
  return { file: absolute, listen: settings.listen, forwardProxy: settings.forward_proxy };
}
