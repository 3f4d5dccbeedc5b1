/**
 * The admin listener (loopback by default): liveness and readiness probes, the
 * state as JSON, and a reload trigger.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ReloadResult } from '../config/reloader.js';

export interface AdminHandlers {
  state(): Promise<Record<string, unknown>>;
  reload(): Promise<ReloadResult>;
  readiness(): { readonly ready: boolean; readonly detail: Record<string, unknown> };
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body, null, 2);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store', ...headers });
  res.end(text);
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
      '/admin/state': { method: 'GET', run: async () => json(res, 200, await handlers.state()) },
      '/admin/reload': {
        method: 'POST',
        run: async () => {
          const result = await handlers.reload();
          json(res, result.ok ? 200 : 422, result);
        },
      },
    };
    const route = path === undefined ? undefined : routes[path];
    if (!route) return json(res, 404, { error: `no admin endpoint at ${path}; try /healthz, /readyz, /admin/state or POST /admin/reload` });
    if (route.method !== method) return json(res, 405, { error: `${method} is not allowed on ${path}; use ${route.method}` }, { allow: route.method });
    Promise.resolve(route.run()).catch((error: unknown) => {
      if (!res.headersSent) json(res, 500, { error: error instanceof Error ? error.message : String(error) });
    });
  };
}
