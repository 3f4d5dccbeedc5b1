#!/usr/bin/env node
/** The `llmux` command line. */
import { Command, InvalidArgumentError, Option } from 'commander';
import { packageInfo } from './package-info.js';
import { startCommand } from './start.js';
import { validateCommand } from './validate.js';
import { demoCommand } from './demo.js';
import { caCommand } from './ca.js';
import { explainCommand } from './explain.js';
import { statusCommand } from './status.js';

const info = packageInfo();
const defaultConfig = process.env.LLMUX_CONFIG ?? 'proxy.yaml';
const levels = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError('must be a port number (0-65535).');
  return port;
}

const configOption = (): Option =>
  new Option('-c, --config <file>', 'path of proxy.yaml (env: LLMUX_CONFIG)').default(defaultConfig);

const program = new Command()
  .name('llmux')
  .description(info.description)
  .version(info.version, '-v, --version', 'print the llmux version')
  .showHelpAfterError('(run with --help for usage)');

program
  .command('start')
  .description('run the proxy daemon')
  .addOption(configOption())
  .option('--host <address>', 'listen address (overrides listen.host)')
  .option('-p, --port <port>', 'listen port (overrides listen.port)', parsePort)
  .addOption(new Option('--log-level <level>', 'log level (overrides log.level)').choices(levels))
  .option('--redis <url>', 'share state with other replicas through this Redis (overrides state)', (value) => {
    if (!/^rediss?:\/\/\S+$/.test(value)) throw new InvalidArgumentError('must be a redis:// or rediss:// URL.');
    return value;
  })
  .action(startCommand);

program
  .command('validate')
  .description('check proxy.yaml and its policy files; prints every problem as file:line:col')
  .addOption(configOption())
  .action(async (flags: { config: string }) => {
    process.exitCode = await validateCommand(flags);
  });

program
  .command('explain')
  .description('show which rule, route and target a request would get, and why, without sending it')
  .argument('<request.json>', 'a client body, or { "format", "model", "headers", "body" }')
  .addOption(configOption())
  .action(async (file: string, flags: { config: string }) => {
    process.exitCode = await explainCommand(file, flags);
  });

program
  .command('demo')
  .description('run llmux against simulated providers and show the balancing (no config or keys needed)')
  .option('-n, --requests <count>', 'requests to send', (v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive whole number.');
    return n;
  }, 200)
  .option('--serve', 'keep llmux and the simulated providers running after the summary')
  .option('-p, --port <port>', 'port for llmux (default: a free one)', parsePort)
  .action(demoCommand);

program
  .command('status')
  .description("print a running llmux's routes and targets (breaker, share, in-flight, latency) as a table")
  .option('--url <url>', 'admin listener base URL (default: admin.host:admin.port from -c, else http://127.0.0.1:4101)')
  .option('-c, --config <file>', 'read the admin listener address from this proxy.yaml (env: LLMUX_CONFIG)')
  .option('--token <token>', 'admin token, needed from non-loopback addresses (env: LLMUX_ADMIN_TOKEN; default: admin.token from -c)')
  .option('--json', 'print the raw /admin/state JSON')
  .action(async (flags: { url?: string; config?: string; json?: boolean; token?: string }) => {
    process.exitCode = await statusCommand(flags);
  });

program
  .command('ca')
  .description('print where the forward proxy\'s CA certificate is and how to trust it (creates the CA if needed)')
  .addOption(configOption())
  .option('--dir <directory>', 'CA directory to use instead of forward_proxy.ca_dir')
  .action(async (flags: { config: string; dir?: string }) => {
    process.exitCode = await caCommand(flags);
  });

await program.parseAsync(process.argv);
