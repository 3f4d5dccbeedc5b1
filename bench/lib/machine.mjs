/** What the numbers were measured on, recorded with every run. */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, release, totalmem } from 'node:os';
import { canPin } from './children.mjs';
import { nginxVersion } from './services/nginx.mjs';
import { wrkVersion } from './load/wrk.mjs';
import { llmuxCliPath, repoRoot } from './services/paths.mjs';

/** @param {string} command @param {string[]} args */
function firstLine(command, args) {
  const run = spawnSync(command, args, { encoding: 'utf8', cwd: repoRoot });
  if (run.error || run.status !== 0) return undefined;
  return `${run.stdout}${run.stderr}`.split('\n')[0]?.trim();
}

/**
 * @param {{ nginx: string | undefined, loadTool: string }} tools
 */
export function describeMachine(tools) {
  let cpuModel = 'unknown';
  try {
    cpuModel = /^model name\s*:\s*(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpuModel;
  } catch {
    // not Linux
  }
  return {
    nproc: availableParallelism(),
    cpuModel,
    memoryGb: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    kernel: release(),
    node: process.version,
    pinned: canPin ? 'upstream + proxy on CPU 0, load generator (and redis) on CPU 1' : 'not pinned (taskset or a second CPU missing)',
    loadTool: tools.loadTool === 'wrk' ? wrkVersion() : 'autocannon',
    nginx: tools.nginx ? nginxVersion(tools.nginx) : 'not installed',
    redis: firstLine('redis-server', ['--version']) ?? 'not installed',
    llmux: llmuxCliPath(),
    commit: firstLine('git', ['rev-parse', '--short', 'HEAD']),
    dirty: (spawnSync('git', ['status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8', cwd: repoRoot }).stdout ?? '').trim() !== '',
  };
}
