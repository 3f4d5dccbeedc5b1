/**
 * How much CPU something other than the bench used while a case was measured. The
 * bench is often run on a shared development box (a test suite in another terminal);
 * its numbers are only comparable when this stays near zero, so every run records it
 * and the table flags runs where it did not.
 *
 * Ours = the bench process, its live children and theirs (nginx's worker), and its
 * reaped children (cutime/cstime, where a finished wrk ends up). Everything = user + nice + system time of all CPUs
 * from /proc/stat (interrupt time left out on both sides).
 */
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { availableParallelism } from 'node:os';
import { liveChildPids } from './children.mjs';
import { childPids, cpuMsOf, TICK_MS } from './procfs.mjs';

function systemBusyMs() {
  try {
    const [user, nice, system] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    return (user + nice + system) * TICK_MS;
  } catch {
    return NaN;
  }
}

function selfAndReapedMs() {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number);
    // utime, stime, cutime, cstime: fields 14–17 of stat(5)
    return (f[11] + f[12] + f[13] + f[14]) * TICK_MS;
  } catch {
    return NaN;
  }
}

/** @returns {{ system: number, ours: number, at: number }} */
export function cpuSnapshot() {
  return { system: systemBusyMs(), ours: selfAndReapedMs() + cpuMsOf(liveChildPids().flatMap((pid) => [pid, ...childPids(pid)])), at: Date.now() };
}

/**
 * Share of the machine's total CPU capacity used by other processes between two snapshots (0–1).
 * @param {ReturnType<typeof cpuSnapshot>} before
 * @param {ReturnType<typeof cpuSnapshot>} after
 */
export function otherCpuShare(before, after) {
  const other = after.system - before.system - (after.ours - before.ours);
  const capacity = (after.at - before.at) * availableParallelism();
  return capacity > 0 ? Math.max(0, other / capacity) : NaN;
}

/**
 * Waits until other processes leave the machine alone for one second (under
 * `threshold` of it), for at most `maxSeconds`. Resolves whether it got quiet.
 * @param {number} maxSeconds
 * @param {number} [threshold]
 * @returns {Promise<boolean>}
 */
export async function waitForQuiet(maxSeconds, threshold = 0.05) {
  const deadline = Date.now() + maxSeconds * 1000;
  do {
    const before = cpuSnapshot();
    await sleep(1000);
    if (otherCpuShare(before, cpuSnapshot()) < threshold) return true;
  } while (Date.now() < deadline);
  return false;
}
