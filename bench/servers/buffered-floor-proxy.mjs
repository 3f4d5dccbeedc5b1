/**
 * The buffered floor: the least a gateway that routes on the request body can do in
 * Node. Like the floor (floor-proxy.mjs) it forwards over a keep-alive http.Agent, but
 * it reads the whole request body, parses it to find the model, writes the upstream's
 * model name into the bytes in place of the client's, reads the whole answer and parses
 * it to find the token usage, then writes the answer with a content-length. No routing
 * table, no retries, no limits, no metrics: what llmux costs beyond this is its own
 * machinery rather than the price of looking inside the bodies.
 *
 *   node bench/servers/buffered-floor-proxy.mjs http://127.0.0.1:PORT   → prints {"url": …}
 */
import { Agent, createServer, request } from 'node:http';
import { listenAndAnnounce } from './announce.mjs';

const upstream = new URL(process.argv[2] ?? '');
const agent = new Agent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: 1024, scheduling: 'lifo', noDelay: true });
const UPSTREAM_MODEL = 'gpt-bench-1';

/** @param {import('node:stream').Readable} stream @returns {Promise<Buffer>} */
function readAll(stream) {
  return new Promise((resolve, reject) => {
    /** @type {Buffer[]} */
    const chunks = [];
    stream.on('data', (chunk) => chunks.push(chunk));
    stream.on('end', () => resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

/**
 * The body with its top-level `model` value replaced, found by a string search (the
 * bench's requests have one `"model":` key); the rest of the bytes are kept as they are.
 * @param {Buffer} raw @param {string} model
 */
function withModel(raw, model) {
  const text = raw.toString('utf8');
  const key = text.indexOf('"model"');
  if (key < 0) return raw;
  const start = text.indexOf('"', text.indexOf(':', key) + 1);
  const end = text.indexOf('"', start + 1);
  return Buffer.from(`${text.slice(0, start)}${JSON.stringify(model)}${text.slice(end + 1)}`);
}

/** @param {import('node:http').ServerResponse} res @param {number} status @param {string} message */
function fail(res, status, message) {
  if (res.headersSent) return void res.destroy();
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ error: { message } }));
}

const server = createServer({ noDelay: true, keepAliveTimeout: 65_000 }, async (req, res) => {
  try {
    const raw = await readAll(req);
    const body = JSON.parse(raw.toString('utf8'));
    if (typeof body.model !== 'string') return fail(res, 400, 'model is required');
    const out = withModel(raw, UPSTREAM_MODEL);
    const headers = { ...req.headers, host: upstream.host, 'content-length': String(out.length) };
    const answer = await new Promise((resolve, reject) => {
      const forward = request({ agent, hostname: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers }, resolve);
      forward.on('error', reject);
      res.on('close', () => {
        if (!res.writableFinished) forward.destroy();
      });
      forward.end(out);
    });
    const text = await readAll(answer);
    // Read as a gateway must, to count tokens; the answer itself is relayed as bytes.
    const usage = JSON.parse(text.toString('utf8')).usage;
    res.writeHead(answer.statusCode ?? 502, {
      'content-type': answer.headers['content-type'] ?? 'application/json',
      'content-length': String(text.length),
      'x-usage-tokens': String(usage?.total_tokens ?? 0),
    });
    res.end(text);
  } catch (error) {
    fail(res, 502, error instanceof Error ? error.message : 'upstream failed');
  }
});

listenAndAnnounce(server, agent);
