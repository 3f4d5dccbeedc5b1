/** `llmux demo`: see lib/demo/run-demo.ts. */
import { runDemo } from '../lib/demo/run-demo.js';

export async function demoCommand(flags: { requests: number; serve?: boolean; port?: number }): Promise<void> {
  await runDemo({ requests: flags.requests, serve: flags.serve ?? false, port: flags.port, out: process.stdout });
}
