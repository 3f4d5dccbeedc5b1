/** Runs a zod schema over a source file's value and turns its issues into positioned problems. */
import type { z } from 'zod';
import type { ConfigProblem } from './config-error.js';
import type { SourceFile } from './source.js';

export function checkSchema<S extends z.ZodType>(
  source: SourceFile,
  schema: S,
  value: unknown,
  problems: ConfigProblem[],
): z.output<S> | undefined {
  const result = schema.safeParse(value, { reportInput: true });
  if (result.success) return result.data;
  for (const issue of result.error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) problems.push(source.problem(issue.path, 'unknown key; check its spelling and the reference in proxy.example.yaml', key));
    } else {
      problems.push(source.problem(issue.path, describe(issue)));
    }
  }
  return undefined;
}

function describe(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type') {
    if (issue.input === undefined) return `is required (expected ${issue.expected})`;
    if (issue.expected === 'int') return `must be a whole number, got ${JSON.stringify(issue.input)}`;
    return `expected ${issue.expected}, got ${JSON.stringify(issue.input)}`;
  }
  return issue.message;
}
