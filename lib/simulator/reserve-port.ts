/**
 * A "down" provider is a port nothing listens on: connecting to it fails at once with
 * ECONNREFUSED, like a crashed upstream. Binding port 0 and closing again yields such a
 * port; the kernel does not hand it out again soon, so it stays dead for a test's length.
 */
import { createServer } from 'node:net';

/** A loopback port with no listener, for pointing a target at a dead upstream. */
export function reservePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
