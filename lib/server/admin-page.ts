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
import type { ServerResponse } from 'node:http';

const STYLE = `
:root {
  color-scheme: light dark;
  --bg: #f4f5f7; --card: #ffffff; --fg: #1c2026; --muted: #68707c; --line: #e2e5ea; --track: #eceef2;
  --ok: #18864b; --ok-bg: #e3f4ea; --bad: #c8322f; --bad-bg: #fbe6e5; --warn: #b26a00; --warn-bg: #fdf0d9;
  --cool: #2f6fca; --cool-bg: #e2ecfa; --grey-bg: #eceef2;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #13161b; --card: #1b1f26; --fg: #e6e8eb; --muted: #98a0ab; --line: #2b313a; --track: #262b33;
    --ok: #3cc47c; --ok-bg: #173526; --bad: #ff6b66; --bad-bg: #3d1c1c; --warn: #f0a83a; --warn-bg: #3a2c12;
    --cool: #6aa5ff; --cool-bg: #1a2a44; --grey-bg: #262b33;
  }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg); font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
.num { font-variant-numeric: tabular-nums; }
header { position: sticky; top: 0; z-index: 2; background: var(--card); border-bottom: 1px solid var(--line); padding: 10px 16px; display: flex; flex-wrap: wrap; gap: 6px 18px; align-items: center; }
header h1 { font-size: 17px; margin: 0 8px 0 0; letter-spacing: .02em; display: flex; align-items: center; gap: 8px; }
.meta { display: flex; flex-wrap: wrap; gap: 6px 16px; align-items: center; color: var(--muted); }
.meta b { color: var(--fg); font-weight: 600; }
.meta .item { white-space: nowrap; }
.live { width: 9px; height: 9px; border-radius: 50%; background: var(--muted); display: inline-block; }
.live.on { background: var(--ok); }
.live.off { background: var(--bad); }
.live.pulse { animation: pulse .6s ease-out; }
@keyframes pulse { from { box-shadow: 0 0 0 0 var(--ok); } to { box-shadow: 0 0 0 7px transparent; } }
main { max-width: 1400px; margin: 0 auto; padding: 14px 16px 40px; }
.banner { border-radius: 8px; padding: 10px 14px; margin: 0 0 12px; border: 1px solid; }
.banner.bad { background: var(--bad-bg); border-color: var(--bad); }
.banner.warn { background: var(--warn-bg); border-color: var(--warn); }
.banner strong { display: block; margin-bottom: 2px; }
.banner ul { margin: 6px 0 0; padding-left: 20px; }
.banner code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; overflow-wrap: anywhere; }
.summary { display: flex; flex-wrap: wrap; gap: 8px; margin: 0 0 14px; }
.tile { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 6px 12px; min-width: 92px; }
.tile .v { font-size: 20px; font-weight: 650; }
.tile .k { color: var(--muted); font-size: 12px; }
.tile.bad .v { color: var(--bad); } .tile.warn .v { color: var(--warn); } .tile.cool .v { color: var(--cool); } .tile.ok .v { color: var(--ok); }
section.route { background: var(--card); border: 1px solid var(--line); border-left: 4px solid var(--ok); border-radius: 8px; margin: 0 0 14px; overflow: hidden; }
section.route.degraded { border-left-color: var(--warn); }
section.route.down { border-left-color: var(--bad); }
.route-head { padding: 10px 14px; display: flex; flex-wrap: wrap; gap: 4px 14px; align-items: baseline; border-bottom: 1px solid var(--line); }
.route-head h2 { margin: 0; font-size: 16px; overflow-wrap: anywhere; }
.route-head .sub { color: var(--muted); }
.route-head .desc { flex-basis: 100%; color: var(--muted); overflow-wrap: anywhere; }
.grid { display: grid; grid-template-columns: 9.5rem minmax(11rem, 2fr) minmax(8rem, 1.6fr) 7.5rem 5.5rem 5.5rem 7.5rem minmax(8rem, 1.6fr); column-gap: 12px; align-items: center; padding: 8px 14px; }
.cols { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; padding-top: 6px; padding-bottom: 6px; background: var(--bg); }
.target { border-top: 1px solid var(--line); }
.cell { min-width: 0; }
.cell[data-label]::before { content: attr(data-label); display: none; color: var(--muted); font-size: 11px; text-transform: uppercase; letter-spacing: .04em; }
.tid { font-weight: 600; overflow-wrap: anywhere; }
.small { color: var(--muted); font-size: 12px; overflow-wrap: anywhere; }
.badge { display: inline-flex; align-items: center; gap: 6px; border-radius: 999px; padding: 2px 10px 2px 8px; font-weight: 600; font-size: 12.5px; white-space: nowrap; }
.badge::before { content: ""; width: 8px; height: 8px; border-radius: 50%; background: currentColor; }
.badge.closed { color: var(--ok); background: var(--ok-bg); }
.badge.open, .badge.unhealthy { color: var(--bad); background: var(--bad-bg); }
.badge.half-open { color: var(--warn); background: var(--warn-bg); }
.badge.cooldown { color: var(--cool); background: var(--cool-bg); }
.badge.ok { color: var(--ok); background: var(--ok-bg); }
.badge.fail { color: var(--bad); background: var(--bad-bg); }
.detail { color: var(--muted); font-size: 12px; margin-top: 2px; }
.bar { height: 10px; background: var(--track); border-radius: 5px; overflow: hidden; }
.bar > span { display: block; height: 100%; background: var(--ok); border-radius: 5px; transition: width .6s ease; }
.target[data-state="open"] .bar > span, .target[data-state="unhealthy"] .bar > span { background: var(--bad); }
.target[data-state="half-open"] .bar > span { background: var(--warn); }
.target[data-state="cooldown"] .bar > span { background: var(--cool); }
.share-text { font-size: 12px; color: var(--muted); margin-top: 2px; }
.failed { color: var(--bad); font-weight: 600; }
.chips { display: flex; flex-wrap: wrap; gap: 4px; }
.chip { border-radius: 4px; padding: 0 6px; font-size: 12px; background: var(--bad-bg); color: var(--bad); white-space: nowrap; }
.chip.rate_limited { background: var(--cool-bg); color: var(--cool); }
.chip.client_error, .chip.context_length, .chip.hedge_lost { background: var(--grey-bg); color: var(--muted); }
.none { color: var(--muted); }
.vm { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; }
.vm h3 { margin: 0 0 6px; font-size: 14px; }
.vm ul { margin: 0; padding-left: 18px; }
.empty { color: var(--muted); padding: 30px 0; text-align: center; }
.stale main { opacity: .55; }
@media (max-width: 860px) {
  .cols { display: none; }
  .grid { grid-template-columns: 1fr 1fr; row-gap: 8px; }
  .cell.wide { grid-column: 1 / -1; }
  /* The target's name leads its card, its state badge beside it. */
  .cell.name { order: -1; }
  .cell[data-label]::before { display: block; }
}
@media (max-width: 420px) {
  header, main { padding-left: 10px; padding-right: 10px; }
  .grid { padding-left: 10px; padding-right: 10px; }
}
`;

const SCRIPT = `
(function () {
  'use strict';
  var REFRESH_MS = 2000;
  var $ = function (id) { return document.getElementById(id); };
  var lastOk = 0;
  var loadedOnce = false;

  // Builds an element whose text is set with textContent: data never becomes markup.
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function add(parent) {
    for (var i = 1; i < arguments.length; i++) {
      var child = arguments[i];
      if (child === null || child === undefined || child === false) continue;
      parent.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
    }
    return parent;
  }
  function cell(label, className) {
    var node = el('div', 'cell' + (className ? ' ' + className : ''));
    node.setAttribute('data-label', label);
    return node;
  }

  function num(n) { return typeof n === 'number' && isFinite(n) ? n : 0; }
  function fmtInt(n) { return num(n).toLocaleString(); }
  function fmtMs(ms) {
    if (typeof ms !== 'number' || !isFinite(ms)) return null;
    return ms < 1000 ? Math.round(ms) + ' ms' : (ms / 1000).toFixed(2) + ' s';
  }
  function fmtSpan(seconds) {
    var s = Math.round(Math.abs(seconds));
    if (s < 90) return s + ' s';
    if (s < 90 * 60) return Math.round(s / 60) + ' min';
    return (s / 3600).toFixed(1) + ' h';
  }
  function rel(iso) {
    var t = Date.parse(iso);
    if (!isFinite(t)) return '';
    var d = (t - Date.now()) / 1000;
    return d >= 0 ? 'in ' + fmtSpan(d) : fmtSpan(d) + ' ago';
  }
  function clock(iso) {
    var t = Date.parse(iso);
    return isFinite(t) ? new Date(t).toLocaleString() : '';
  }
  function future(iso) {
    var t = Date.parse(iso || '');
    return isFinite(t) && t > Date.now();
  }
  function money(n) {
    if (typeof n !== 'number' || !isFinite(n)) return '?';
    return '$' + (Math.round(n * 1000) / 1000).toString();
  }

  // The one state a person should see first, most severe first; everything else goes in the detail line.
  function targetState(t) {
    var phase = t.breaker && t.breaker.phase;
    var notes = [];
    var state;
    if (phase === 'open') {
      state = { key: 'open', label: 'breaker open' };
      if (t.breaker.until) notes.push('probe ' + rel(t.breaker.until));
    } else if (phase === 'half_open') {
      state = { key: 'half-open', label: 'half-open' };
      notes.push('probing');
    } else if (t.healthy === false) {
      state = { key: 'unhealthy', label: 'unhealthy' };
    } else if (future(t.cooldown_until)) {
      state = { key: 'cooldown', label: 'cooling down' };
    } else {
      state = { key: 'closed', label: 'healthy' };
      notes.push('breaker closed');
    }
    if (t.healthy === false) notes.push('health check failing');
    if (future(t.cooldown_until)) notes.push('cooldown ends ' + rel(t.cooldown_until));
    state.detail = notes.join(' · ');
    return state;
  }

  function errorChips(list) {
    var wrap = el('div', 'chips');
    if (!Array.isArray(list) || list.length === 0) return add(wrap, el('span', 'none', '—'));
    var order = [];
    var seen = {};
    list.forEach(function (e) {
      var kind = String(e && e.kind);
      if (!seen[kind]) { seen[kind] = { count: 0, at: e && e.at }; order.push(kind); }
      seen[kind].count++;
    });
    order.slice(0, 4).forEach(function (kind) {
      var chip = el('span', 'chip ' + kind.replace(/[^a-z0-9_]/gi, ''), kind + (seen[kind].count > 1 ? ' ×' + seen[kind].count : ''));
      chip.title = 'last ' + clock(seen[kind].at) + ' (' + rel(seen[kind].at) + ')';
      wrap.appendChild(chip);
    });
    if (order.length > 4) wrap.appendChild(el('span', 'chip client_error', '+' + (order.length - 4)));
    return wrap;
  }

  function targetRow(t) {
    var state = targetState(t);
    var row = el('div', 'grid target');
    row.setAttribute('data-target', String(t.id));
    row.setAttribute('data-state', state.key);
    row.setAttribute('data-breaker', String(t.breaker && t.breaker.phase));

    var s = cell('State', 'state');
    add(s, el('span', 'badge ' + state.key, state.label));
    if (state.detail) add(s, el('div', 'detail', state.detail));
    if (t.breaker && t.breaker.until) s.title = 'breaker until ' + clock(t.breaker.until);

    var name = cell('Target', 'name');
    add(name, el('div', 'tid', t.id));
    var sub = [t.provider, t.model].filter(Boolean).join(' · ') + ' · weight ' + num(t.weight);
    add(name, el('div', 'small', sub));

    var share = cell('Share', 'wide');
    var bar = el('div', 'bar');
    var fill = el('span');
    var pct = Math.max(0, Math.min(1, num(t.share))) * 100;
    fill.style.width = pct.toFixed(1) + '%';
    bar.appendChild(fill);
    add(share, bar, el('div', 'share-text num', pct.toFixed(1) + '%'));

    var counts = cell('Served / failed', 'num');
    add(counts, el('span', null, fmtInt(t.served)), ' / ', el('span', num(t.failed) > 0 ? 'failed' : null, fmtInt(t.failed)));

    var inflight = cell('In flight', 'num');
    inflight.textContent = fmtInt(t.in_flight) + (t.max_connections ? ' / ' + fmtInt(t.max_connections) : '');

    var latency = cell('Latency', 'num');
    var ms = fmtMs(t.latency_ewma_ms);
    if (ms) latency.textContent = ms; else add(latency, el('span', 'none', 'unmeasured'));

    var price = cell('Price /1M in·out', 'num');
    if (t.price) {
      price.textContent = money(t.price.input) + ' · ' + money(t.price.output);
      price.title = 'US dollars per million tokens: input ' + money(t.price.input) + ', output ' + money(t.price.output);
    } else add(price, el('span', 'none', '—'));

    var errors = cell('Recent errors', 'wide');
    errors.appendChild(errorChips(t.recent_errors));

    return add(row, s, name, share, counts, inflight, latency, price, errors);
  }

  function columns() {
    var head = el('div', 'grid cols');
    ['State', 'Target', 'Share', 'Served / failed', 'In flight', 'Latency', 'Price /1M', 'Recent errors'].forEach(function (label) {
      head.appendChild(el('div', null, label));
    });
    return head;
  }

  function routeSection(route, windowS) {
    var targets = Array.isArray(route.targets) ? route.targets : [];
    var states = targets.map(targetState);
    var bad = states.filter(function (s) { return s.key !== 'closed'; }).length;
    var section = el('section', 'route' + (targets.length > 0 && bad === targets.length ? ' down' : bad > 0 ? ' degraded' : ''));
    section.setAttribute('data-route', String(route.name));
    var head = el('div', 'route-head');
    add(head, el('h2', null, route.name));
    var sub = [String(route.strategy || ''), targets.length + ' target' + (targets.length === 1 ? '' : 's')];
    if (bad > 0) sub.push(bad + ' not healthy');
    if (Array.isArray(route.fallbacks) && route.fallbacks.length > 0) sub.push('falls back to ' + route.fallbacks.join(', '));
    add(head, el('span', 'sub', sub.join(' · ')));
    if (route.description) add(head, el('div', 'desc', route.description));
    add(section, head);
    var cols = columns();
    cols.children[3].title = 'in the last ' + fmtSpan(windowS);
    add(section, cols);
    targets.forEach(function (t) { section.appendChild(targetRow(t)); });
    return section;
  }

  function tile(value, label, tone) {
    return add(el('div', 'tile' + (tone ? ' ' + tone : '')), el('div', 'v num', value), el('div', 'k', label));
  }

  function renderHeader(state) {
    var meta = $('meta');
    var items = [];
    var version = add(el('span', 'item'), 'config ', el('b', null, 'v' + state.version));
    version.title = 'loaded ' + clock(state.loaded_at) + (state.config_file ? ' from ' + state.config_file : '');
    items.push(version);

    var r = state.last_reload;
    var reload = el('span', 'item');
    reload.id = 'reload';
    if (r) {
      add(reload, 'last reload ', el('span', 'badge ' + (r.ok ? 'ok' : 'fail'), r.ok ? 'ok' : 'failed'), ' ' + (r.trigger || '') + ' ' + rel(r.at));
      reload.title = clock(r.at);
    } else add(reload, 'last reload ', el('b', null, 'none'));
    items.push(reload);

    var counts = state.reloads || {};
    items.push(add(el('span', 'item'), 'reloads ', el('b', 'num', fmtInt(counts.ok) + ' ok'), ' · ', el('b', 'num' + (num(counts.failed) > 0 ? ' failed' : ''), fmtInt(counts.failed) + ' failed')));

    var backend = state.state_backend || {};
    var be = add(el('span', 'item'), 'state ', el('b', null, backend.backend || '?'), ' ', el('span', 'badge ' + (backend.healthy === false ? 'fail' : 'ok'), backend.healthy === false ? 'degraded' : 'connected'));
    be.id = 'backend';
    be.title = backend.detail || '';
    items.push(be);
    meta.replaceChildren.apply(meta, items);
  }

  function renderBanners(state) {
    var out = [];
    var r = state.last_reload;
    if (r && r.ok === false) {
      var b = add(el('div', 'banner bad'), el('strong', null, 'The last reload failed (' + rel(r.at) + '); the running config v' + state.version + ' stays.'));
      b.id = 'reload-error';
      add(b, el('code', null, r.error || 'unknown error'));
      var problems = Array.isArray(r.problems) ? r.problems.slice(1) : [];
      if (problems.length > 0) {
        var ul = el('ul');
        problems.forEach(function (p) { ul.appendChild(el('li', 'mono', p)); });
        b.appendChild(ul);
      }
      out.push(b);
    }
    if (r && Array.isArray(r.restartRequired) && r.restartRequired.length > 0) {
      out.push(add(el('div', 'banner warn'), el('strong', null, 'Restart needed'), 'Changed settings take effect only after a restart: ' + r.restartRequired.join(', ') + '.'));
    }
    var backend = state.state_backend || {};
    if (backend.healthy === false) {
      out.push(add(el('div', 'banner warn'), el('strong', null, 'State backend ' + (backend.backend || '') + ' unreachable: serving on local state'), backend.detail || ''));
    }
    return out;
  }

  function render(state) {
    var routes = Array.isArray(state.routes) ? state.routes : [];
    renderHeader(state);
    var all = [];
    routes.forEach(function (route) { (route.targets || []).forEach(function (t) { all.push(targetState(t).key); }); });
    var count = function (key) { return all.filter(function (k) { return k === key; }).length; };
    var open = count('open');
    var half = count('half-open');
    var cooling = count('cooldown');
    var unhealthy = count('unhealthy');
    var summary = $('summary');
    summary.replaceChildren(
      tile(routes.length, 'routes'),
      tile(all.length, 'targets'),
      tile(count('closed'), 'healthy', 'ok'),
      tile(open, 'breakers open', open ? 'bad' : null),
      tile(half, 'half-open', half ? 'warn' : null),
      tile(cooling, 'cooling down', cooling ? 'cool' : null),
      tile(unhealthy, 'failing checks', unhealthy ? 'bad' : null)
    );
    var windowS = num(state.traffic_window_s) || 300;
    summary.title = 'served, failed and share count the last ' + fmtSpan(windowS);

    var banners = $('banners');
    banners.replaceChildren.apply(banners, renderBanners(state));

    var list = $('routes');
    if (routes.length === 0) list.replaceChildren(el('div', 'empty', 'No routes configured.'));
    else list.replaceChildren.apply(list, routes.map(function (route) { return routeSection(route, windowS); }));

    var vms = Array.isArray(state.virtual_models) ? state.virtual_models : [];
    var vm = $('virtual');
    if (vms.length === 0) vm.replaceChildren();
    else {
      var box = add(el('div', 'vm'), el('h3', null, 'Virtual models'));
      var ul = el('ul');
      vms.forEach(function (v) {
        var rules = (v.rules || []).map(function (r) { return r.name + ' → ' + r.route; });
        if (v.default) rules.push('otherwise → ' + v.default);
        add(ul, add(el('li'), el('b', null, v.name), ': ' + rules.join(', ')));
      });
      vm.replaceChildren(add(box, ul));
    }

    var bad = open + half + cooling + unhealthy;
    document.title = 'llmux · ' + (bad > 0 ? bad + ' target' + (bad === 1 ? '' : 's') + ' not healthy' : 'all healthy');
    document.body.setAttribute('data-version', String(state.version));
  }

  function setConnection(ok, message) {
    var dot = $('live');
    var banner = $('offline');
    dot.className = 'live ' + (ok ? 'on pulse' : 'off');
    document.body.classList.toggle('stale', !ok && loadedOnce);
    if (ok) { banner.hidden = true; return; }
    banner.hidden = false;
    $('offline-text').textContent = message + ' — retrying every ' + REFRESH_MS / 1000 + ' s';
  }

  function showAge() {
    $('age').textContent = lastOk ? 'updated ' + fmtSpan((Date.now() - lastOk) / 1000) + ' ago' : 'loading…';
  }

  var timer = 0;
  function tick() {
    clearTimeout(timer);
    fetch('/admin/state', { cache: 'no-store', headers: { accept: 'application/json' } })
      .then(function (res) {
        if (!res.ok) throw new Error('/admin/state answered HTTP ' + res.status);
        return res.json();
      })
      .then(function (state) {
        render(state);
        lastOk = Date.now();
        loadedOnce = true;
        document.body.setAttribute('data-loaded', 'true');
        setConnection(true);
        // Restart the pulse animation on every good refresh.
        var dot = $('live');
        dot.classList.remove('pulse');
        void dot.offsetWidth;
        dot.classList.add('pulse');
      })
      .catch(function (error) {
        setConnection(false, 'Cannot reach llmux: ' + (error && error.message ? error.message : String(error)));
      })
      .then(function () {
        showAge();
        timer = setTimeout(tick, REFRESH_MS);
      });
  }

  setInterval(showAge, 1000);
  // A tab brought back to the front refreshes at once instead of showing old numbers.
  document.addEventListener('visibilitychange', function () { if (!document.hidden) tick(); });
  tick();
})();
`;

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
