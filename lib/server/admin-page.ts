/**
 * The status page at `GET /admin` on the admin listener: one self-contained HTML
 * document (inline CSS and script, no build step, nothing fetched from elsewhere)
 * that polls `/admin/state` every two seconds and draws each route's targets with
 * their breaker, cooldown and health, share of traffic, counts, in-flight and
 * latency.
 *
 * Every value from the state is put into the page with `textContent` or a DOM
 * property, never parsed as HTML: route descriptions, reload errors and provider
 * names are operator- or upstream-controlled text. The Content-Security-Policy
 * pins the one inline script and style by hash, so even a missed spot could not
 * run injected script, and `connect-src 'self'` keeps the page talking only to
 * the listener that served it.
 *
 * The script is plain ES2020 written without template literals or backslashes, so
 * it can sit inside this TypeScript template string unchanged.
 */
import { createHash } from 'node:crypto';
import { SCRIPT } from './admin-page-script.js';
import { STYLE } from './admin-page-style.js';
import type { ServerResponse } from 'node:http';

const HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>llmux status</title>
<link rel="icon" href="data:,">
<style>${STYLE}</style>
</head>
<body>
<header>
  <h1><span id="live" class="live" title="refreshes every 2 s"></span>llmux</h1>
  <div id="meta" class="meta"></div>
  <div class="meta"><span id="age" class="item">loading…</span></div>
</header>
<main>
  <div id="offline" class="banner bad" hidden><strong>Disconnected</strong><span id="offline-text"></span></div>
  <div id="banners"></div>
  <div id="summary" class="summary"></div>
  <div id="routes"></div>
  <div id="virtual"></div>
</main>
<script>${SCRIPT}</script>
</body>
</html>
`;

const sha256 = (text: string): string => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/** The whole page, as served. */
export const ADMIN_PAGE_HTML = HTML;

/**
 * Only the page's own inline script and style may run (pinned by hash), and it may
 * only fetch from the listener that served it; nothing may frame it.
 */
export const ADMIN_PAGE_CSP = [
  "default-src 'none'",
  `script-src ${sha256(SCRIPT)}`,
  `style-src ${sha256(STYLE)}`,
  "connect-src 'self'",
  'img-src data:',
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export function sendAdminPage(res: ServerResponse): void {
  res.writeHead(200, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(ADMIN_PAGE_HTML),
    'cache-control': 'no-store',
    'content-security-policy': ADMIN_PAGE_CSP,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  });
  res.end(ADMIN_PAGE_HTML);
}
