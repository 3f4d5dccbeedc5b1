import { afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { CLI, runCli } from '../helpers/cli.js';
import { configDir, type ConfigDir } from '../helpers/config-dir.js';
import { startMockProvider, type MockProvider } from '../../lib/simulator/index.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
let dir: ConfigDir | undefined;
let mock: MockProvider | undefined;
afterEach(async () => {
  dir?.remove();
  dir = undefined;
  await mock?.close();
  mock = undefined;
});

describe('llmux CLI', () => {
  it('prints help and version', async () => {
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage: llmux/);
    for (const command of ['start', 'validate', 'demo']) expect(help.stdout).toContain(command);
    const version = await runCli(['--version']);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    const startHelp = await runCli(['start', '--help']);
    expect(startHelp.stdout).toContain('--config <file>');
    expect(startHelp.stdout).toContain('LLMUX_CONFIG');
  });

  it('validates the shipped example config', async () => {
    const result = await runCli(['validate', '-c', 'proxy.example.yaml'], { cwd: root, env: { OPENAI_API_KEY: 'sk-test' } });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/proxy\.example\.yaml: valid \(5 providers, \d+ routes from 1 policy file\)/);
  });

  it('reads the config path from LLMUX_CONFIG', async () => {
    const result = await runCli(['validate'], { cwd: root, env: { OPENAI_API_KEY: 'sk-test', LLMUX_CONFIG: 'proxy.example.yaml' } });
    expect(result.code).toBe(0);
  });

  it('reports every problem of a broken config as file:line:col and exits non-zero', async () => {
    dir = configDir({
      'proxy.yaml': 'providers:\n  a:\n    kind: openai\n    api_key: k\n    colour: blue\n',
      'policies/routes.yaml': 'routes:\n  r:\n    strategy: fastest\n    targets:\n      - provider: b\n        model: m\n',
    });
    const result = await runCli(['validate', '-c', dir.proxyFile]);
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toContainEqual(expect.stringMatching(/proxy\.yaml:5:5: providers\.a\.colour: unknown key/));
    expect(lines).toContainEqual(expect.stringMatching(/routes\.yaml:3:15: routes\.r\.strategy\.type: unknown strategy/));
    expect(lines.at(-1)).toBe('2 problems found.');
  });

  it('refuses to start on an invalid config, naming the problem', async () => {
    dir = configDir({ 'proxy.yaml': 'providers: {}\n', 'policies/r.yaml': 'routes: {}\n' });
    const result = await runCli(['start', '-c', dir.proxyFile]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/proxy\.yaml:1:12: providers: define at least one provider/);
  });

  it('starts, serves a request, and exits 0 on SIGTERM', async () => {
    mock = await startMockProvider({ format: 'openai', name: 'up', text: 'From the mock.' });
    dir = configDir({
      'proxy.yaml': `admin:\n  port: 0\nproviders:\n  up:\n    kind: openai-compatible\n    base_url: ${mock.url}/v1\n`,
      'policies/r.yaml': 'routes:\n  chat:\n    targets: [{ provider: up, model: m }]\n',
    });
    const child = spawn(process.execPath, [CLI, 'start', '-c', dir.proxyFile, '--port', '0', '--log-level', 'info'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const match = /"url":"(http:\/\/[^"]+)"/.exec(out);
          if (match) resolve(match[1]!);
        });
        child.once('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
      });
      const response = await fetch(`${url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'hi' }] }),
      });
      expect(((await response.json()) as { choices: { message: { content: string } }[] }).choices[0]!.message.content).toBe('From the mock.');
      const exit = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      expect(await exit).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('runs the demo to completion and prints the balancing summary', async () => {
    const result = await runCli(['demo', '--requests', '60'], { timeoutMs: 60_000 });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('60/60');
    const targets = ['fast/gpt-4o-mini', 'steady/claude-sonnet-4-5', 'flaky/gemini-2.5-flash'];
    for (const target of targets) expect(result.stdout).toContain(target);
    const served = (target: string): number => Number(new RegExp(`${target}\\s+\\d+\\s+(\\d+)`).exec(result.stdout)?.[1]);
    // Weighted 3:2:1: the fast target serves the most, the flaky one the least.
    expect(served(targets[0]!)).toBeGreaterThan(served(targets[1]!));
    expect(served(targets[1]!)).toBeGreaterThan(served(targets[2]!));
    // Every client format is answered, failures of the flaky target are hidden by failover.
    expect(result.stdout).toContain('answered per client format: openai 20/20, anthropic 20/20, gemini 20/20');
    expect(result.stdout).toContain('client-visible errors: 0 of 60');
    // The smart-routing part: a cost summary against sending everything to the strong model.
    const saving = /spent \$([\d.]+); the same requests all on claude-sonnet-4-5 would cost \$([\d.]+): (\d+)% saved/.exec(result.stdout);
    expect(saving).not.toBeNull();
    expect(Number(saving![1])).toBeLessThan(Number(saving![2]));
    expect(result.stdout).toMatch(/ {2}cheap +\d+ requests/);
  });
});
