/**
 * The admin listener (loopback by default): liveness and readiness probes, the
 * state as JSON, and a reload trigger.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isLoopback } from '../config/exposure.js';
import type { ReloadResult } from '../config/reloader.js';
import { sendAdminPage } from './admin-page.js';

export interface AdminHandlers {
  /** The admin token, when one is configured (read per request: reloads may change it). */
  token(): string | undefined;
  state(): Promise<Record<string, unknown>>;
  reload(): Promise<ReloadResult>;
  readiness(): { readonly ready: boolean; readonly detail: Record<string, unknown> };
  metrics(): Promise<{ readonly contentType: string; readonly text: string }>;
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body, null, 2);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store', ...headers });
  res.end(text);
}

/** /admin/* is for loopback clients, or anyone with the admin token. */
function adminAllowed(req: IncomingMessage, token: string | undefined): boolean {
  const remote = (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
  if (isLoopback(remote)) return true;
  if (!token) return false;
  const presented = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1]?.trim() ?? '';
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(token).digest();
  return timingSafeEqual(a, b);
}

export function createAdminHandler(handlers: AdminHandlers): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const path = (req.url ?? '/').split('?', 1)[0];
    const method = req.method ?? 'GET';
    const routes: Record<string, { method: string; run: () => Promise<void> | void }> = {
      '/healthz': { method: 'GET', run: () => json(res, 200, { status: 'ok' }) },
      '/readyz': {
        method: 'GET',
        run: () => {
          const { ready, detail } = handlers.readiness();
          json(res, ready ? 200 : 503, { status: ready ? 'ready' : 'not ready', ...detail });
        },
      },
      '/admin': { method: 'GET', run: () => sendAdminPage(res) },
      '/admin/state': { method: 'GET', run: async () => json(res, 200, await handlers.state()) },
      '/metrics': {
        method: 'GET',
        run: async () => {
          const { contentType, text } = await handlers.metrics();
          res.writeHead(200, { 'content-type': contentType, 'content-length': Buffer.byteLength(text) });
          res.end(text);
        },
      },
      '/admin/reload': {
        method: 'POST',
        run: async () => {
          const result = await handlers.reload();
          json(res, result.ok ? 200 : 422, result);
        },
      },
    };
    const route = path === undefined ? undefined : routes[path];
    if (route && path?.startsWith('/admin') && !adminAllowed(req, handlers.token())) {
      return json(res, 403, { error: 'admin endpoints answer loopback clients only; send Authorization: Bearer <admin.token> to use them from elsewhere' });
    }
    if (!route) return json(res, 404, { error: `no admin endpoint at ${path}; try /admin (status page), /healthz, /readyz, /metrics, /admin/state or POST /admin/reload` });
    if (route.method !== method) return json(res, 405, { error: `${method} is not allowed on ${path}; use ${route.method}` }, { allow: route.method });
    Promise.resolve(route.run()).catch((error: unknown) => {
      if (!res.headersSent) json(res, 500, { error: error instanceof Error ? error.message : String(error) });
    });
  };
}
