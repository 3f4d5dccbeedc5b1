/**
 * The standalone mock process the benchmark runs: flag parsing, the announcement line,
 * and a clean exit on SIGTERM. The process test runs the simulator sources transpiled
 * to a temporary folder, so it does not depend on a prior `npm run build`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterEach, describe, expect, it } from 'vitest';
import { parseMockArgs, runMockCli } from '../../../lib/simulator/main.js';
import { rawModelCall, sseData } from './support.js';

const SIMULATOR_DIR = fileURLToPath(new URL('../../../lib/simulator/', import.meta.url));

describe('parseMockArgs', () => {
  it('reads every flag', () => {
    expect(
      parseMockArgs([
        '--format', 'anthropic', '--port', '0', '--name', 'x', '--chunks', '20', '--first-byte-delay-ms', '50',
        '--chunk-delay-ms', '0', '--api-key', 'k', '--text', 'hi there', '--fault', 'status=0.25', '--fault', 'slow_drip',
      ]),
    ).toEqual({
      format: 'anthropic',
      port: 0,
      name: 'x',
      chunks: 20,
      firstByteDelayMs: 50,
      chunkDelayMs: 0,
      apiKey: 'k',
      text: 'hi there',
      faults: [
        { fault: 'status', probability: 0.25 },
        { fault: 'slow_drip', probability: 1 },
      ],
    });
  });

  it('rejects bad input with a usage message', () => {
    expect(() => parseMockArgs([])).toThrow(/--format must be one of/);
    expect(() => parseMockArgs(['--format', 'cohere'])).toThrow(/usage:/);
    expect(() => parseMockArgs(['--format', 'openai', '--chunks', 'many'])).toThrow(/--chunks must be a number/);
    expect(() => parseMockArgs(['--format', 'openai', '--fault', 'meteor'])).toThrow(/unknown kind meteor/);
    expect(() => parseMockArgs(['--format', 'openai', '--bogus'])).toThrow();
  });

  it('announces the URL of a started mock as one JSON line', async () => {
    const out = new PassThrough();
    const mock = await runMockCli(['--format', 'gemini', '--name', 'inproc'], out);
    try {
      const line = String(out.read());
      expect(line.endsWith('\n')).toBe(true);
      expect(JSON.parse(line)).toEqual({ url: mock.url, port: mock.port, format: 'gemini', name: 'inproc' });
    } finally {
      await mock.close();
    }
  });
});

describe('mock process', () => {
  let dir: string | undefined;
  let child: ChildProcess | undefined;

  afterEach(async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
    if (dir) await rm(dir, { recursive: true, force: true });
    child = undefined;
    dir = undefined;
  });

  it('prints its URL, serves, and exits 0 on SIGTERM', async () => {
    dir = await mkdtemp(join(tmpdir(), 'llmux-sim-'));
    await writeFile(join(dir, 'package.json'), '{"type":"module"}');
    for (const file of (await readdir(SIMULATOR_DIR)).filter((f) => f.endsWith('.ts'))) {
      const source = await readFile(join(SIMULATOR_DIR, file), 'utf8');
      const { outputText } = ts.transpileModule(source, {
        compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
      });
      await writeFile(join(dir, file.replace(/\.ts$/, '.js')), outputText);
    }
    const args = ['--format', 'openai', '--port', '0', '--chunks', '3', '--name', 'bench-upstream'];
    const proc = spawn(process.execPath, [join(dir, 'main.js'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    const [first] = (await once(proc.stdout!, 'data')) as [Buffer];
    const announced = JSON.parse(first.toString().split('\n')[0]!) as { url: string };
    expect(announced.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const result = await rawModelCall('openai', announced.url, true);
    const events = sseData(result.body);
    expect(events.at(-1)).toBe('[DONE]');
    const deltas = events
      .slice(0, -1)
      .map((e) => (JSON.parse(e) as { choices: [{ delta: { content?: string } }] }).choices[0].delta.content)
      .filter(Boolean);
    expect(deltas).toHaveLength(3);
    expect(deltas.join('')).toBe('Hello from bench-upstream.');

    proc.kill('SIGTERM');
    const [code] = (await once(proc, 'exit')) as [number | null];
    expect(code).toBe(0);
  });
});
