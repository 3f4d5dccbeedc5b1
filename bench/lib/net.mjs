/** Ports and readiness: the bench never assumes a fixed port. */
import { createConnection, createServer } from 'node:net';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A port that was free a moment ago (for servers that cannot report their own, e.g. nginx, redis).
 * @returns {Promise<number>}
 */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** @param {number} port */
function tryConnect(port) {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Waits until something accepts connections on `port`.
 * @param {number} port
 * @param {import('./children.mjs').Child} child fails fast when this process dies first
 * @param {number} [timeoutMs]
 */
export async function waitForPort(port, child, timeoutMs = 10_000) {
  let dead = false;
  void child.exited.then(() => {
    dead = true;
  });
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (dead) throw new Error(`${child.name} exited before listening on ${port}${tail(child.stderrFile)}`);
    if (await tryConnect(port)) return;
    await sleep(25);
  }
  throw new Error(`${child.name} did not listen on ${port} within ${timeoutMs} ms${tail(child.stderrFile)}`);
}

/**
 * Waits for a JSON line with a `url` in a child's stdout file (the simulator, the floor
 * proxy and llmux all announce themselves that way) and returns that URL.
 * @param {import('./children.mjs').Child} child
 * @param {number} [timeoutMs]
 * @returns {Promise<string>}
 */
export async function waitForUrl(child, timeoutMs = 15_000) {
  const file = child.stdoutFile;
  if (!file) throw new Error(`${child.name}: no stdout file to read its URL from`);
  let dead = false;
  void child.exited.then(() => {
    dead = true;
  });
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      // not written yet
    }
    for (const line of text.split('\n')) {
      if (!line.includes('"url"')) continue;
      try {
        const url = JSON.parse(line).url;
        if (typeof url === 'string') return url;
      } catch {
        // a partial line; read again
      }
    }
    if (dead) throw new Error(`${child.name} exited before announcing its URL${tail(child.stderrFile)}${tail(file)}`);
    await sleep(25);
  }
  throw new Error(`${child.name} did not announce its URL within ${timeoutMs} ms${tail(child.stderrFile)}`);
}

/** The end of a log file, for error messages. */
function tail(file) {
  if (!file) return '';
  try {
    const text = readFileSync(file, 'utf8').trim();
    return text ? `\n--- ${file} ---\n${text.split('\n').slice(-15).join('\n')}` : '';
  } catch {
    return '';
  }
}
