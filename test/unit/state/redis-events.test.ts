import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage } from '../../../lib/state/redis/events.js';

describe('redis pub/sub messages', () => {
  it('round-trips breaker and cooldown news with their version', () => {
    const breaker = { type: 'breaker', target: 'a/b', breaker: { phase: 'open', until: 1_700_000_030_000 } } as const;
    expect(decodeMessage(encodeMessage(7, breaker))).toEqual({ version: 7, message: breaker });
    const closed = { type: 'breaker', target: 'a/b', breaker: { phase: 'closed' } } as const;
    expect(decodeMessage(encodeMessage(8, closed))).toEqual({ version: 8, message: closed });
    const cooldown = { type: 'cooldown', target: 'x', until: 5 } as const;
    expect(decodeMessage(encodeMessage(0, cooldown))).toEqual({ version: 0, message: cooldown });
  });

  it.each(['', 'hello', '1|not json', 'x|{}', '3|{"type":"breaker","target":"t","breaker":{"phase":"ajar"}}', '2|{"type":"cooldown","target":"t"}'])(
    'ignores %j',
    (text) => {
      expect(decodeMessage(text)).toBeUndefined();
    },
  );
});
