/**
 * The status page's stylesheet: inline in the page (no external resources),
 * pinned by hash in its Content-Security-Policy.
 */
export const STYLE = `
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
