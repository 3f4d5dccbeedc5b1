/**
 * Sticky routing by weighted rendezvous hashing: each target scores
 * `-weight / ln(h(key, target))` and the highest wins. Removing a target only
 * moves the keys that target owned; every other key keeps its target.
 */
import { z } from 'zod';
import { defineStrategy, type RequestFacts } from '../strategy.js';
import { hash53, unitInterval } from '../hash.js';

const keySource = z.union([
  z.literal('ip'),
  z.literal('user'),
  z.string().regex(/^header:[A-Za-z0-9-]+$/, 'must be `ip`, `user` or `header:<name>`'),
]);

function stickyKey(source: string, request: RequestFacts): string {
  if (source === 'user' && request.user) return request.user;
  if (source.startsWith('header:')) {
    const value = request.headers[source.slice(7).toLowerCase()];
    if (typeof value === 'string' && value) return value;
  }
  // A request without the configured key still sticks, by its address.
  return request.clientIp;
}

export const hash = defineStrategy({
  name: 'hash',
  description: 'sticky by client IP, the `user` field or a header (rendezvous hashing)',
  options: z.strictObject({
    type: z.literal('hash'),
    /** What a request sticks by: `ip`, `user` (the body's `user` field) or `header:<name>`. */
    key: keySource.default('ip'),
  }),
  create({ key }) {
    return {
      order(candidates, { request }) {
        const sticky = stickyKey(key, request);
        const keyed = candidates.map((target) => ({
          target,
          score: target.weight > 0 ? -target.weight / Math.log(unitInterval(hash53(`${sticky}\u0000${target.id}`))) : -Infinity,
        }));
        keyed.sort((a, b) => b.score - a.score);
        return keyed.map((k) => k.target);
      },
    };
  },
});
