/**
 * One request through a target before it is measured: a misconfigured proxy that
 * answers 404 in 50 µs would otherwise look like the fastest thing in the table.
 */
import { request } from 'node:http';

/**
 * @param {string} baseUrl
 * @param {import('./requests.mjs').RequestSpec} spec
 * @returns {Promise<void>}
 */
export function checkAnswer(baseUrl, spec) {
  const url = new URL(spec.path, baseUrl);
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { ...spec.headers, 'content-length': Buffer.byteLength(spec.body) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => {
        if (res.statusCode === 200 && text.includes(spec.expect)) resolve();
        else reject(new Error(`${url.href} answered ${res.statusCode} without ${JSON.stringify(spec.expect)}: ${text.slice(0, 400)}`));
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error(`${url.href}: no answer within 10 s`)));
    req.end(spec.body);
  });
}
