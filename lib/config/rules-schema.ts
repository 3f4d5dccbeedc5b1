/**
 * Smart rules: a virtual model (e.g. `auto`) whose requests are sent to a route
 * chosen from the request itself. Rules are tried in order; the first whose every
 * condition holds picks the route; `default` takes the rest.
 */
import { z } from 'zod';

/** Inclusive bounds; either may be left out. */
const range = z
  .strictObject({
    /** At least this. */
    min: z.number().min(0).optional(),
    /** At most this. */
    max: z.number().min(0).optional(),
  })
  .refine((r) => r.min !== undefined || r.max !== undefined, 'give min, max or both')
  .refine((r) => r.min === undefined || r.max === undefined || r.min <= r.max, 'min must not exceed max');

/** `/pattern/flags`, or a bare pattern (matched case-insensitively). */
export function compileRegex(source: string): RegExp {
  const literal = /^\/(.*)\/([a-z]*)$/s.exec(source);
  return literal ? new RegExp(literal[1] ?? '', literal[2]) : new RegExp(source, 'iu');
}

const regex = z.string().superRefine((value, ctx) => {
  try {
    compileRegex(value);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: `not a valid regular expression: ${error instanceof Error ? error.message : String(error)}` });
  }
});

export const conditionSchema = z.strictObject({
  /** Estimated prompt tokens (text, images, tools). */
  input_tokens: range.optional(),
  /** The output cap the client asked for; a request without one does not match. */
  max_tokens: range.optional(),
  /** Number of messages in the conversation. */
  messages: range.optional(),
  /** Any of these words or phrases in the last user message (case-insensitive, any language). */
  keywords: z.array(z.string().min(1)).min(1).optional(),
  /** A regular expression over the last user message: `/…/flags`, or a bare pattern (case-insensitive). */
  regex: regex.optional(),
  /** Whether the request declares tools. */
  tools: z.boolean().optional(),
  /** Whether the request contains images. */
  images: z.boolean().optional(),
  /** Whether the client asked for a stream. */
  stream: z.boolean().optional(),
  /** Request headers that must have one of the given values (names are case-insensitive). */
  headers: z.record(z.string().min(1), z.union([z.string(), z.array(z.string()).min(1)])).optional(),
  /** Names of client keys (auth.keys[].name) the rule applies to. */
  client_key: z.array(z.string().min(1)).min(1).optional(),
});

export const ruleSchema = z.strictObject({
  /** Shown by `llmux explain` and in the access log. */
  name: z.string().min(1).optional(),
  /** Every condition listed must hold; an empty `when` always holds. */
  when: conditionSchema.default({}),
  /** The route this rule sends the request to. */
  route: z.string().min(1),
});

export const virtualModelSchema = z.strictObject({
  description: z.string().optional(),
  /** Tried in order; the first that matches wins. */
  match: z.array(ruleSchema).default([]),
  /** The route for requests no rule matched. */
  default: z.string().min(1),
});

export type Condition = z.output<typeof conditionSchema>;
export type RuleConfig = z.output<typeof ruleSchema>;
export type VirtualModelConfig = z.output<typeof virtualModelSchema>;
