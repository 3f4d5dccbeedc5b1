/**
 * A "down" provider is a port nothing listens on: connecting to it fails at once with
 * ECONNREFUSED, like a crashed upstream.
 *
 * Binding port 0 and closing again is not enough: the kernel hands that port to the next
 * process that binds port 0, and with test files running in parallel another mock server
 * took it mid-test (the "dead" target then answered 404). So the port is drawn from below
 * the kernel's ephemeral range, which `listen(0)` never hands out, and checked free by
 * binding it once.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** Lowest port tried; below it sit well-known services (databases, dev servers). */
const FLOOR = 20_000;
const TRIES = 50;

/** The low end of the ephemeral range (`listen(0)` only picks from it). */
function ephemeralLow(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > FLOOR + 1_000 ? low : 32_768;
  } catch {
    // Not Linux: macOS and Windows start their ephemeral range at 49152.
    return 49_152;
  }
}

function isFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

/** A loopback port with no listener, for pointing a target at a dead upstream. */
export async function reservePort(host = '127.0.0.1'): Promise<number> {
  const span = ephemeralLow() - FLOOR;
  for (let i = 0; i < TRIES; i++) {
    const port = FLOOR + Math.floor(Math.random() * span);
    if (await isFree(port, host)) return port;
  }
  throw new Error(`reservePort: no free port found in ${FLOOR}-${FLOOR + span} after ${TRIES} tries`);
}
