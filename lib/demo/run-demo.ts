/**
 * `llmux demo`: simulated providers, llmux on a generated config, live traffic
 * with a progress line, then a per-target summary. `--serve` keeps it all up.
 */
import { rmSync } from 'node:fs';
import { pino } from 'pino';
import { Llmux } from '../server/llmux.js';
import { DEMO_AUTO, DEMO_ROUTE, demoProviders, startDemoEnvironment } from './demo-providers.js';
import { renderSmartSummary, runSmartTraffic } from './smart-traffic.js';
import { renderTable, summarize } from './summary.js';
import { CLIENT_FORMATS, driveTraffic } from './traffic.js';

export interface DemoOptions {
  readonly requests: number;
  readonly serve: boolean;
  readonly port?: number | undefined;
  readonly out: NodeJS.WriteStream;
}

export interface DemoOutcome {
  readonly clientErrors: number;
  readonly requests: number;
}

export async function runDemo(options: DemoOptions): Promise<DemoOutcome> {
  const { out } = options;
  const env = await startDemoEnvironment();
  const llmux = await Llmux.start({ configFile: env.configFile, port: options.port, logger: pino({ level: 'silent' }) });
  const shutdown = async (): Promise<void> => {
    await llmux.close();
    await Promise.all([...env.mocks.values()].map((m) => m.close()));
    rmSync(env.dir, { recursive: true, force: true });
  };

  try {
    const weights = demoProviders.map((p) => p.weight).join(':');
    out.write(`llmux demo: ${demoProviders.length} simulated providers behind route "${DEMO_ROUTE}" (weighted ${weights}), llmux at ${llmux.url}\n`);
    out.write(`sending ${options.requests} requests as OpenAI, Anthropic and Gemini clients in turn, half of them streamed, 8 at a time\n\n`);

    const started = Date.now();
    let failed = 0;
    const progress = (done: number): void => {
      const width = 30;
      const filled = Math.round((done / options.requests) * width);
      const line = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${options.requests}  failed ${failed}  ${((Date.now() - started) / 1000).toFixed(1)} s`;
      if (out.isTTY) out.write(`\r${line}`);
      else if (done === options.requests || done % Math.max(1, Math.ceil(options.requests / 4)) === 0) out.write(`${line}\n`);
    };
    const results = await driveTraffic({
      url: llmux.url,
      model: DEMO_ROUTE,
      requests: options.requests,
      concurrency: 8,
      onResult: (result, done) => {
        if (!result.ok) failed++;
        progress(done);
      },
    });
    if (out.isTTY) out.write('\n');

    const rows = demoProviders.map((p) => ({ target: `${p.name}/${p.model}`, weight: p.weight, note: p.note }));
    out.write(`\n${renderTable(summarize(results, rows))}\n\n`);
    const byFormat = CLIENT_FORMATS.map((f) => `${f} ${results.filter((r) => r.format === f && r.ok).length}/${results.filter((r) => r.format === f).length}`).join(', ');
    const retried = results.filter((r) => r.ok && r.attempts.length > 1).length;
    out.write(`answered per client format: ${byFormat}\n`);
    out.write(`requests that failed over to another target: ${retried}\n`);
    out.write(`client-visible errors: ${failed} of ${results.length}\n\n`);

    const strongModel = 'claude-sonnet-4-5';
    const smart = await runSmartTraffic(llmux.url, DEMO_AUTO, Math.max(20, Math.round(options.requests / 5)), strongModel);
    out.write(`${renderSmartSummary(smart, strongModel)}\n`);

    if (options.serve) {
      out.write(`\nllmux keeps running at ${llmux.url} (Ctrl-C to stop).\n`);
      if (llmux.adminUrl) out.write(`Watch it: ${llmux.adminUrl}/admin (status page), or \`npx llmux status --url ${llmux.adminUrl}\`.\n`);
      out.write('Try:\n\n');
      out.write(
        `  curl ${llmux.url}/v1/chat/completions -H 'content-type: application/json' \\\n    -d '{"model":"${DEMO_ROUTE}","messages":[{"role":"user","content":"Hello!"}]}' -i\n\n`,
      );
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
    }
    return { clientErrors: failed, requests: results.length };
  } finally {
    await shutdown();
  }
}
