/**
 * Real llmux replicas for multi-process tests: each one a child process running
 * the built CLI (`llmux start`) on port 0, sharing one config (and so one Redis).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { CLI } from './cli.js';

export interface Replica {
  readonly url: string;
  readonly adminUrl: string;
  readonly child: ChildProcess;
  /** Everything the replica wrote to stdout so far (JSON log lines). */
  log(): string;
  /** SIGTERM and wait for exit. */
  stop(): Promise<void>;
  /** SIGKILL: a crash, no cleanup. */
  kill(): Promise<void>;
}

export function startReplica(configFile: string, name: string): Promise<Replica> {
  const child = spawn(process.execPath, [CLI, 'start', '-c', configFile, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stopWith = async (signal: NodeJS.Signals): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`replica ${name} did not start:\n${out}\n${err}`));
    }, 15_000);
    const onData = (): void => {
      const match = /"url":"(http:\/\/[^"]+)","admin":"(http:\/\/[^"]+)"/.exec(out);
      if (!match) return;
      clearTimeout(timer);
      child.stdout.off('data', onData);
      resolve({
        url: match[1] as string,
        adminUrl: match[2] as string,
        child,
        log: () => out,
        stop: () => stopWith('SIGTERM'),
        kill: () => stopWith('SIGKILL'),
      });
    };
    child.stdout.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`replica ${name} exited with ${code}:\n${out}\n${err}`));
    });
  });
}

export interface TargetView {
  readonly id: string;
  readonly in_flight: number;
  readonly breaker: { readonly phase: string };
  readonly cooldown_until: string | null;
}

/** One target's row of a replica's `/admin/state`. */
export async function targetState(replica: Replica, route: string, target: string): Promise<TargetView> {
  const state = (await (await fetch(`${replica.adminUrl}/admin/state`)).json()) as { routes: { name: string; targets: TargetView[] }[] };
  const found = state.routes.find((r) => r.name === route)?.targets.find((t) => t.id === target);
  if (!found) throw new Error(`no target ${target} in route ${route}`);
  return found;
}

export async function readiness(replica: Replica): Promise<{ status: number; body: { state: { healthy: boolean; detail: string } } }> {
  const response = await fetch(`${replica.adminUrl}/readyz`);
  return { status: response.status, body: (await response.json()) as { state: { healthy: boolean; detail: string } } };
}
