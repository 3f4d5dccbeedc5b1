/**
 * Every process the bench starts goes through here, so that all of them are stopped
 * on a normal end, on Ctrl-C, on SIGTERM and when the bench itself crashes: a left-over
 * mock or proxy would hold a port and skew the next run.
 */
import { spawn, execFileSync } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';

/** @typedef {import('node:child_process').ChildProcess} ChildProcess */

/**
 * @typedef {object} Child
 * @property {string} name
 * @property {number} pid
 * @property {ChildProcess} process
 * @property {Promise<number | null>} exited resolves with the exit code (null when killed by a signal)
 * @property {string | undefined} stdoutFile
 * @property {string | undefined} stderrFile
 */

/** @type {Map<number, Child>} */
const live = new Map();

/** Pinning needs taskset and two CPUs; without them processes float (noted in the results). */
export const canPin = (() => {
  if (availableParallelism() < 2) return false;
  try {
    execFileSync('taskset', ['-c', '0', 'true'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/**
 * Starts a process, pinned to `cpu` when possible. stdout/stderr go to files (so a
 * chatty proxy never blocks on a full pipe) unless `pipeStdout` asks for a pipe.
 * @param {object} options
 * @param {string} options.name
 * @param {string} options.command
 * @param {readonly string[]} options.args
 * @param {number} [options.cpu]
 * @param {string} [options.stdoutFile]
 * @param {string} [options.stderrFile]
 * @param {boolean} [options.pipeStdout]
 * @param {string} [options.cwd]
 * @returns {Child}
 */
export function startChild(options) {
  const pinned = canPin && options.cpu !== undefined;
  const command = pinned ? 'taskset' : options.command;
  const args = pinned ? ['-c', String(options.cpu), options.command, ...options.args] : [...options.args];
  const out = options.pipeStdout ? 'pipe' : options.stdoutFile ? openSync(options.stdoutFile, 'w') : 'ignore';
  const err = options.stderrFile ? openSync(options.stderrFile, 'w') : 'ignore';
  const child = spawn(command, args, { stdio: ['ignore', out, err], cwd: options.cwd });
  if (typeof out === 'number') closeSync(out);
  if (typeof err === 'number') closeSync(err);
  if (child.pid === undefined) throw new Error(`could not start ${options.name} (${options.command})`);
  const pid = child.pid;
  const exited = new Promise((resolve) => {
    child.once('exit', (code) => {
      live.delete(pid);
      resolve(code);
    });
    child.once('error', () => {
      live.delete(pid);
      resolve(null);
    });
  });
  /** @type {Child} */
  const handle = { name: options.name, pid, process: child, exited, stdoutFile: options.stdoutFile, stderrFile: options.stderrFile };
  live.set(pid, handle);
  return handle;
}

/**
 * Asks a child to stop (SIGTERM), and kills it if it has not exited after `graceMs`.
 * @param {Child} child
 * @param {number} [graceMs]
 */
export async function stopChild(child, graceMs = 5000) {
  if (!live.has(child.pid)) return;
  try {
    child.process.kill('SIGTERM');
  } catch {
    return;
  }
  const timedOut = await Promise.race([child.exited.then(() => false), sleep(graceMs).then(() => true)]);
  if (timedOut && live.has(child.pid)) {
    try {
      child.process.kill('SIGKILL');
    } catch {
      // already gone
    }
    await child.exited;
  }
}

/** Pids of every child still running. */
export function liveChildPids() {
  return [...live.keys()];
}

/** Stops every child still running, in parallel. */
export async function stopAll() {
  await Promise.all([...live.values()].map((child) => stopChild(child, 3000)));
}

/** Last resort on process exit: no time for a graceful stop, so SIGKILL. */
function killAllNow() {
  for (const child of live.values()) {
    try {
      child.process.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
}

/**
 * Installs the exit hooks once: SIGINT/SIGTERM stop every child and exit 130/143;
 * an uncaught error stops them and exits 1; a plain exit kills whatever is left.
 */
export function installCleanup() {
  let stopping = false;
  const onSignal = (/** @type {NodeJS.Signals} */ signal) => {
    if (stopping) return;
    stopping = true;
    console.error(`\nbench: ${signal}, stopping every process it started …`);
    void stopAll().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('exit', killAllNow);
  process.on('uncaughtException', (error) => {
    console.error('bench: uncaught error:', error);
    void stopAll().finally(() => process.exit(1));
  });
}
