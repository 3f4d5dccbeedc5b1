/**
 * CPU time and memory of a process, read from /proc. CPU is utime+stime of every
 * thread of the process (GC and libuv threads included), which is what a sidecar
 * costs its pod; memory is VmRSS (now) and VmHWM (peak since start).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';

const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** Length of one clock tick (the unit of /proc CPU times), in ms. */
export const TICK_MS = 1000 / CLK_TCK;

/** Fields after "pid (comm) ", which may itself contain spaces and parentheses. */
function statFields(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/**
 * CPU time used so far by `pid`, in ms (resolution 1000/CLK_TCK, 10 ms usually).
 * @param {number} pid
 * @returns {number}
 */
export function cpuMs(pid) {
  try {
    const fields = statFields(pid);
    // utime and stime are fields 14 and 15 of stat(5); index 0 here is field 3.
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK;
  } catch {
    return 0;
  }
}

/**
 * @param {readonly number[]} pids
 * @returns {number}
 */
export function cpuMsOf(pids) {
  return pids.reduce((sum, pid) => sum + cpuMs(pid), 0);
}

/**
 * Resident memory of `pid` in MB: `rss` now, `hwm` the peak since start.
 * @param {number} pid
 * @returns {{ rss: number, hwm: number }}
 */
export function memoryMb(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0);
    return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
  } catch {
    return { rss: 0, hwm: 0 };
  }
}

/**
 * Sum over several processes (nginx: master + worker).
 * @param {readonly number[]} pids
 */
export function memoryMbOf(pids) {
  return pids.map(memoryMb).reduce((a, b) => ({ rss: a.rss + b.rss, hwm: a.hwm + b.hwm }), { rss: 0, hwm: 0 });
}

/**
 * Direct children of `pid` (nginx's workers), found by scanning /proc.
 * @param {number} pid
 * @returns {number[]}
 */
export function childPids(pid) {
  /** @type {number[]} */
  const found = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (Number(statFields(entry)[1]) === pid) found.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}

/**
 * Whether `pid` still runs (a proxy that crashed mid-scenario must not pass as 0 MB).
 * @param {number} pid
 */
export function isAlive(pid) {
  return existsSync(`/proc/${pid}/stat`) && !/^\S+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
}
