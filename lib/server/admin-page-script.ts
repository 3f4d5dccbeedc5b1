/**
 * The status page's script: fetches /admin/state every 2 s and redraws. Data only
 * ever reaches the DOM through textContent and properties, never as HTML.
 */
export const SCRIPT = `
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
  function hms(iso) {
    var t = Date.parse(iso);
    return isFinite(t) ? new Date(t).toLocaleTimeString() : '';
  }
  // "at 14:03:07 (in 42 s)": the moment for the log-reader, the countdown for everyone else.
  function when(iso) { return 'at ' + hms(iso) + ' (' + rel(iso) + ')'; }
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
      if (t.breaker.until) notes.push('probe ' + when(t.breaker.until));
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
    if (future(t.cooldown_until)) notes.push('cooldown ends ' + when(t.cooldown_until));
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
