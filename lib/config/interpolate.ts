/**
 * `${VAR}`, `${VAR:-default}` and `${file:/path}` in any string value, so keys come
 * from the environment or from mounted Secret files instead of the config itself.
 * `$${` is a literal `${`. A missing variable or unreadable file is a config problem.
 */
import { readFileSync } from 'node:fs';

const pattern = /\$(\$?)\{([^}]*)\}/g;

export interface InterpolationIssue {
  readonly path: readonly PropertyKey[];
  readonly message: string;
}

export function interpolate(
  value: unknown,
  env: NodeJS.ProcessEnv,
  issues: InterpolationIssue[],
  path: readonly PropertyKey[] = [],
): unknown {
  if (typeof value === 'string') return value.includes('${') ? expand(value, env, issues, path) : value;
  if (Array.isArray(value)) return value.map((item, i) => interpolate(item, env, issues, [...path, i]));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = interpolate(item, env, issues, [...path, key]);
    return out;
  }
  return value;
}

function expand(text: string, env: NodeJS.ProcessEnv, issues: InterpolationIssue[], path: readonly PropertyKey[]): string {
  return text.replace(pattern, (whole, escaped: string, expression: string) => {
    if (escaped) return whole.slice(1);
    if (expression.startsWith('file:')) return readSecretFile(expression.slice(5), issues, path);
    const [name = '', fallback] = splitDefault(expression);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      issues.push({ path, message: `\`\${${expression}}\` is not a valid reference; use \${NAME}, \${NAME:-default} or \${file:/path}` });
      return '';
    }
    const found = env[name];
    if (found !== undefined && found !== '') return found;
    if (fallback !== undefined) return fallback;
    issues.push({ path, message: `environment variable ${name} is not set (referenced as \${${name}})` });
    return '';
  });
}

function splitDefault(expression: string): [string, string?] {
  const at = expression.indexOf(':-');
  return at === -1 ? [expression] : [expression.slice(0, at), expression.slice(at + 2)];
}

function readSecretFile(file: string, issues: InterpolationIssue[], path: readonly PropertyKey[]): string {
  try {
    // Secret files written with `echo` end in a newline that is never part of the key.
    return readFileSync(file, 'utf8').replace(/\s+$/, '');
  } catch (error) {
    const reason = error instanceof Error && 'code' in error ? String(error.code) : 'unreadable';
    issues.push({ path, message: `cannot read secret file ${file} (${reason})` });
    return '';
  }
}
