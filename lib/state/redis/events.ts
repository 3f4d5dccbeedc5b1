/**
 * Pub/sub messages between replicas: `<version>|<json>`. The version is the
 * breaker's transition counter (0 for cooldowns, which only ever grow), so a
 * cache can tell late news from new news. Messages come from the network and are
 * validated like any other input.
 */
import { z } from 'zod';
import { type StateEvent } from '../store.js';

export type BreakerMessage = Extract<StateEvent, { type: 'breaker' }>;
export type CooldownMessage = Extract<StateEvent, { type: 'cooldown' }>;
export type SharedMessage = BreakerMessage | CooldownMessage;

const messageSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('breaker'),
    target: z.string(),
    breaker: z.object({ phase: z.enum(['closed', 'open', 'half_open']), until: z.number().optional() }),
  }),
  z.object({ type: z.literal('cooldown'), target: z.string(), until: z.number() }),
]);

export function encodeMessage(version: number, message: SharedMessage): string {
  return `${version}|${JSON.stringify(message)}`;
}

/** `undefined` for anything that is not a message of ours. */
export function decodeMessage(text: string): { version: number; message: SharedMessage } | undefined {
  const bar = text.indexOf('|');
  if (bar < 1) return undefined;
  const version = Number(text.slice(0, bar));
  if (!Number.isInteger(version)) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(text.slice(bar + 1));
  } catch {
    return undefined;
  }
  const parsed = messageSchema.safeParse(json);
  if (!parsed.success) return undefined;
  const data = parsed.data;
  const message: SharedMessage =
    data.type === 'cooldown'
      ? data
      : { type: 'breaker', target: data.target, breaker: data.breaker.until === undefined ? { phase: data.breaker.phase } : data.breaker };
  return { version, message };
}
