/**
 * The floor: the thinnest reverse proxy Node can be. An http server whose requests are
 * piped to a keep-alive http.Agent and whose answers are piped back, headers copied,
 * no body parsing. What llmux costs beyond this is what llmux itself does.
 *
 *   node bench/servers/floor-proxy.mjs http://127.0.0.1:PORT   → prints {"url": …}
 */
import { Agent, createServer, request } from 'node:http';
import { listenAndAnnounce } from './announce.mjs';

const upstream = new URL(process.argv[2] ?? '');
const agent = new Agent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: 1024, scheduling: 'lifo', noDelay: true });

const server = createServer({ noDelay: true, keepAliveTimeout: 65_000 }, (req, res) => {
  const forward = request(
    { agent, hostname: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
    (answer) => {
      // Hop-by-hop headers describe the upstream connection, not this one.
      const headers = { ...answer.headers };
      delete headers.connection;
      delete headers['keep-alive'];
      res.writeHead(answer.statusCode ?? 502, headers);
      answer.pipe(res);
    },
  );
  forward.on('error', () => {
    if (!res.headersSent) res.writeHead(502);
    res.end();
  });
  res.on('close', () => {
    if (!res.writableFinished) forward.destroy();
  });
  req.pipe(forward);
});

listenAndAnnounce(server, agent);
