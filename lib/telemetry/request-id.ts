/**
 * Random (version 4) UUIDs for request ids and slot leases, as flat strings.
 *
 * Node 20's `crypto.randomUUID()` assembles its result by concatenating 25 pieces,
 * and V8 keeps such a string as a tree of 25 cons cells (~800 bytes) until something
 * flattens it. A request id lives as long as its request, so under load every
 * in-flight request carried that tree through each young-generation collection.
 * Writing the hex digits into a buffer and decoding it once gives one flat
 * 36-character string, and is no slower.
 */
import { randomFillSync } from 'node:crypto';

const UUID_BYTES = 16;
/** Random bytes for 256 ids, refilled with one call when used up. */
const pool = Buffer.allocUnsafe(UUID_BYTES * 256);
let used = pool.length;
const text = Buffer.allocUnsafe(36);
const HEX = Buffer.from('0123456789abcdef', 'latin1');
const DASH = 0x2d;

/** A random RFC 9562 version 4 UUID, e.g. `8cda1ca8-0802-476f-a6a6-9902e6373361`. */
export function randomId(): string {
  if (used === pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  let out = 0;
  for (let i = 0; i < UUID_BYTES; i++) {
    let byte = pool[used + i] as number;
    // The version nibble (4) and the variant bits (10xx), as RFC 9562 section 5.4 sets them.
    if (i === 6) byte = (byte & 0x0f) | 0x40;
    else if (i === 8) byte = (byte & 0x3f) | 0x80;
    if (i === 4 || i === 6 || i === 8 || i === 10) text[out++] = DASH;
    text[out++] = HEX[byte >> 4] as number;
    text[out++] = HEX[byte & 0x0f] as number;
  }
  used += UUID_BYTES;
  return text.toString('latin1', 0, 36);
}
