/**
 * Client keys: who may use llmux, and which routes. Without keys, llmux only
 * listens on loopback (a sidecar's own pod or host); binding elsewhere needs keys
 * or an explicit `auth: none`.
 */
import { z } from 'zod';

const keyBudgetSchema = z.strictObject({
  /** Most US dollars this key may spend per period (all replicas together when state is shared). */
  usd: z.number().positive(),
  /** A calendar day or hour in UTC. */
  period: z.enum(['day', 'hour']).default('day'),
});

export const clientKeySchema = z.strictObject({
  /** Shown in logs and usable in rules (`when.client_key`); never the key itself. */
  name: z.string().min(1),
  /** The secret the client sends (`Authorization: Bearer`, `x-api-key` or `x-goog-api-key`, as its SDK does). */
  key: z.string().min(8, 'use a key of at least 8 characters'),
  /** Routes and virtual models this key may ask for; absent means all. */
  routes: z.array(z.string().min(1)).min(1).optional(),
  /** Opt-in spending cap; over it, requests get 429 until the window ends. */
  budget: keyBudgetSchema.optional(),
});

export const authSchema = z.union([
  z.literal('none'),
  z.strictObject({
    /** The accepted client keys. */
    keys: z.array(clientKeySchema).min(1),
  }),
]);

export type AuthConfig = z.output<typeof authSchema>;
export type ClientKeyConfig = z.output<typeof clientKeySchema>;
