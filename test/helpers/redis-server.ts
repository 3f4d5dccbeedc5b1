/**
 * Real `redis-server` processes for tests, on free loopback ports in temp dirs,
 * never the shared Redis on 6379: a standalone server that can be stopped and
 * restarted on the same port (outage tests), a Sentinel watching one, and a
 * 3-master Cluster. Whoever
 * starts one calls `close()` in afterAll; a process left behind by a crashed
 * test worker is killed when the worker exits.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, mkdirSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const HOST = '127.0.0.1';
const STARTUP_MS = 10_000;
const running = new Set<ChildProcess>();
const stderrOf = new WeakMap<ChildProcess, string>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** Distinct free ports, all held open at once so none is handed out twice. */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
          const server = createServer();
          server.once('error', reject);
          server.listen(0, HOST, () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((s) => {
    const address = s.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    return address.port;
  });
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  if (ports.includes(6379)) throw new Error('refusing the shared Redis port 6379');
  return ports;
}

/** Whether a RESP reply is whole: a bulk string (`$len`) may come in several chunks. */
function complete(reply: string): boolean {
  if (!reply.startsWith('$')) return reply.endsWith('\r\n');
  const header = reply.indexOf('\r\n');
  if (header < 0) return false;
  const length = Number(reply.slice(1, header));
  return length < 0 || reply.length >= header + 2 + length + 2;
}

/** Sends one inline command and resolves the raw reply ('' when nothing answers). */
function ask(port: number, command: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: HOST, port });
    let reply = '';
    const done = (): void => {
      socket.destroy();
      resolve(reply);
    };
    socket.setTimeout(500, done);
    socket.once('error', done);
    socket.on('data', (chunk: Buffer) => {
      reply += chunk.toString();
      if (complete(reply)) done();
    });
    socket.once('connect', () => socket.write(`${command}\r\n`));
  });
}

async function waitFor(what: string, check: () => Promise<boolean>, child?: ChildProcess): Promise<void> {
  const deadline = Date.now() + STARTUP_MS;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) throw new Error(`${what}: redis-server exited with ${child.exitCode}: ${stderrOf.get(child) ?? ''}`);
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`${what}: not ready within ${STARTUP_MS} ms`);
}

function spawnServer(port: number, dir: string, extra: readonly string[] = [], configFile?: string): ChildProcess {
  const child = spawn(
    'redis-server',
    [...(configFile ? [configFile] : []), '--port', String(port), '--bind', HOST, '--save', '', '--appendonly', 'no', '--dir', dir, '--loglevel', 'warning', ...extra],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  running.add(child);
  child.once('exit', () => running.delete(child));
  child.stderr?.on('data', (chunk: Buffer) => stderrOf.set(child, ((stderrOf.get(child) ?? '') + chunk.toString()).slice(-2_000)));
  return child;
}

async function stopProcess(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

export interface RedisServer {
  readonly port: number;
  readonly url: string;
  /** SIGTERM, resolved once the process has exited: clients see the connection drop. */
  stop(): Promise<void>;
  /** Starts again on the same port (empty: nothing is persisted). */
  start(): Promise<void>;
  /** SIGSTOP: connections stay open but nothing answers, like a hung host. */
  pause(): void;
  /** SIGCONT after `pause`. */
  resume(): void;
  /** Stops it for good and removes its temp dir. */
  close(): Promise<void>;
}

export async function startRedisServer(): Promise<RedisServer> {
  const [port] = await freePorts(1);
  if (port === undefined) throw new Error('no port');
  const dir = mkdtempSync(join(tmpdir(), 'llmux-redis-'));
  let child: ChildProcess | undefined;
  const server: RedisServer = {
    port,
    url: `redis://${HOST}:${port}`,
    async start() {
      child = spawnServer(port, dir);
      const started = child;
      await waitFor(`redis on ${port}`, async () => (await ask(port, 'PING')).startsWith('+PONG'), started);
    },
    stop: () => stopProcess(child),
    pause: () => void child?.kill('SIGSTOP'),
    resume: () => void child?.kill('SIGCONT'),
    async close() {
      child?.kill('SIGCONT');
      await stopProcess(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await server.start();
  } catch (error) {
    await server.close();
    throw error;
  }
  return server;
}

export interface RedisSentinel {
  readonly sentinels: readonly { readonly host: string; readonly port: number }[];
  /** The master group name the sentinel watches. */
  readonly name: string;
  close(): Promise<void>;
}

/** One sentinel (quorum 1) watching `master` as group `name`; it answers once it knows the master. */
export async function startRedisSentinel(master: RedisServer, name = 'llmux-master'): Promise<RedisSentinel> {
  const [port] = await freePorts(1);
  if (port === undefined) throw new Error('no port');
  const dir = mkdtempSync(join(tmpdir(), 'llmux-redis-sentinel-'));
  // A sentinel rewrites its config file, so it gets its own writable one.
  const configFile = join(dir, 'sentinel.conf');
  writeFileSync(configFile, `sentinel monitor ${name} ${HOST} ${master.port} 1\nsentinel down-after-milliseconds ${name} 5000\n`);
  const child = spawnServer(port, dir, ['--sentinel'], configFile);
  const close = async (): Promise<void> => {
    await stopProcess(child);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(`sentinel on ${port}`, async () => (await ask(port, `SENTINEL get-master-addr-by-name ${name}`)).includes(String(master.port)), child);
  } catch (error) {
    await close();
    throw error;
  }
  return { sentinels: [{ host: HOST, port }], name, close };
}

export interface RedisCluster {
  readonly nodes: readonly { readonly host: string; readonly port: number }[];
  close(): Promise<void>;
}

/** Three masters, no replicas, every slot assigned, `cluster_state:ok` on every node. */
export async function startRedisCluster(masters = 3): Promise<RedisCluster> {
  const ports = await freePorts(masters * 2);
  const dir = mkdtempSync(join(tmpdir(), 'llmux-redis-cluster-'));
  const children: ChildProcess[] = [];
  const nodes = Array.from({ length: masters }, (_, i) => ({ host: HOST, port: ports[i] ?? 0, bus: ports[masters + i] ?? 0 }));
  const close = async (): Promise<void> => {
    await Promise.all(children.map(stopProcess));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const node of nodes) {
      const nodeDir = join(dir, String(node.port));
      mkdirSync(nodeDir);
      const child = spawnServer(node.port, nodeDir, ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-port', String(node.bus)]);
      children.push(child);
      await waitFor(`cluster node ${node.port}`, async () => (await ask(node.port, 'PING')).startsWith('+PONG'), child);
    }
    await promisify(execFile)(
      'redis-cli',
      ['--cluster', 'create', ...nodes.map((n) => `${HOST}:${n.port}`), '--cluster-replicas', '0', '--cluster-yes'],
      { timeout: STARTUP_MS },
    );
    for (const node of nodes) {
      await waitFor(`cluster state on ${node.port}`, async () => (await ask(node.port, 'CLUSTER INFO')).includes('cluster_state:ok'));
    }
  } catch (error) {
    await close();
    throw error;
  }
  return { nodes: nodes.map(({ host, port }) => ({ host, port })), close };
}
