/**
 * What every reference proxy in bench/servers does once built: listen on a free
 * loopback port, print `{"url": …}` for the bench to read, and stop cleanly on
 * SIGTERM/SIGINT (closing its keep-alive connections and agent).
 */

/**
 * @param {import('node:http').Server} server
 * @param {import('node:http').Agent} agent
 */
export function listenAndAnnounce(server, agent) {
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}` })}\n`);
  });
  const stop = () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
    agent.destroy();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
