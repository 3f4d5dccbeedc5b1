/**
 * Sends exactly N requests (C at a time, keep-alive) and prints how many came back
 * 200: the instruction count compares runs by request count, not by time.
 *
 *   node bench/servers/fixed-client.mjs URL N C   → prints {"done": N, "failed": 0}
 */
import { Agent, request } from 'node:http';
import { openaiChat } from '../lib/requests.mjs';

const [url, total, concurrency] = [process.argv[2] ?? '', Number(process.argv[3]), Number(process.argv[4] ?? 10)];
const spec = openaiChat();
const target = new URL(spec.path, url);
const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
const headers = { ...spec.headers, 'content-length': String(Buffer.byteLength(spec.body)) };

let sent = 0;
let done = 0;
let failed = 0;
await new Promise((resolve) => {
  const finish = () => {
    done++;
    if (done === total) resolve(undefined);
    else next();
  };
  const next = () => {
    if (sent >= total) return;
    sent++;
    const req = request({ agent, hostname: target.hostname, port: target.port, path: target.pathname, method: 'POST', headers }, (res) => {
      if (res.statusCode !== 200) failed++;
      res.resume();
      res.once('end', finish);
    });
    req.once('error', () => {
      failed++;
      finish();
    });
    req.end(spec.body);
  };
  for (let i = 0; i < Math.min(concurrency, total); i++) next();
});
agent.destroy();
process.stdout.write(`${JSON.stringify({ done, failed })}\n`);
