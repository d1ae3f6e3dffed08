/**
 * The HTML report's style sheet: light and dark (`prefers-color-scheme`), and a print layout. No font,
 * image or `@import` from elsewhere: the page makes no request. The colours of the reasons are the
 * Okabe–Ito palette, which reads for the common kinds of colour blindness; each reason has its own
 * shape and its words as well, so that colour is never the only sign.
 */
export const PAGE_STYLE = `
:root{color-scheme:light dark;--bg:#fff;--fg:#1b1f24;--muted:#57606a;--line:#d0d7de;--panel:#f6f8fa;--accent:#0550ae;--focus:#0969da;
--r-in-use:#0072b2;--r-recent:#009e73;--r-min-count:#4a9fd0;--r-protected-tag:#b0589a;--r-recently-pulled:#c98a00;--r-in-use-unknown:#6b5b00;--r-unused:#c24f00;
--kept:#7d8b99;--blocked-bg:#fff1e5;--blocked-fg:#7a2e00;--row-h:30px;
font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;background:var(--bg);color:var(--fg)}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--muted:#9da7b3;--line:#30363d;--panel:#161b22;--accent:#79c0ff;--focus:#58a6ff;
--r-in-use:#56b4e9;--r-recent:#2fd3a0;--r-min-count:#9ad0f5;--r-protected-tag:#e08bc8;--r-recently-pulled:#f0b13a;--r-in-use-unknown:#e6d85a;--r-unused:#ff8a4c;
--kept:#8b949e;--blocked-bg:#3d1d00;--blocked-fg:#ffd8b5}}
body{margin:0 auto;padding:0 1.5rem 3rem;max-width:1400px}
h1{font-size:1.6rem;margin:1rem 0 .25rem}h1 .where{font-weight:400;color:var(--muted)}
h2{font-size:1.2rem;margin:1.5rem 0 .5rem}h3{font-size:1rem;margin:1rem 0 .25rem}
a{color:var(--accent)}
.skip{position:absolute;left:-9999px}.skip:focus{left:1rem;top:1rem;background:var(--bg);padding:.5rem;z-index:10}
:focus-visible{outline:3px solid var(--focus);outline-offset:2px}
.blocked{margin:1rem 0;padding:.75rem 1rem;border:2px solid var(--r-unused);border-left-width:8px;background:var(--blocked-bg);color:var(--blocked-fg)}
.blocked h2{margin:0 0 .25rem;font-size:1.3rem}.blocked p{margin:0;font-size:1.05rem}
.mode{display:inline-block;margin:.25rem 0;padding:.1rem .6rem;border:2px solid currentColor;font-weight:700;letter-spacing:.04em}
.mode-delete{color:var(--r-unused)}.mode-dry-run{color:var(--accent)}
dl.facts,dl.totals{display:grid;grid-template-columns:repeat(auto-fill,minmax(13rem,1fr));gap:.5rem 1.5rem;margin:.5rem 0}
dl div{min-width:0}dt{color:var(--muted);font-size:.85rem}dd{margin:0;font-weight:600;overflow-wrap:anywhere}
.notes ul{margin:.25rem 0;padding-left:1.25rem}.notes li{overflow-wrap:anywhere}
.policy p{margin:.25rem 0}.policy ul{margin:.25rem 0;padding-left:1.25rem}.policy li{overflow-wrap:anywhere}
#errors h2{color:var(--r-unused)}
table.chart{border-collapse:collapse;width:100%}
table.chart th,table.chart td{padding:.2rem .5rem;text-align:left;border-bottom:1px solid var(--line);vertical-align:middle}
table.chart td.num{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
table.chart th[scope=row]{font-weight:500;overflow-wrap:anywhere;max-width:22rem}
.bars{display:flex;height:1.1rem;min-width:12rem;width:100%}
.bar{height:100%;min-width:0}
.bar-delete{background:repeating-linear-gradient(135deg,var(--r-unused) 0 4px,transparent 4px 7px);box-shadow:inset 0 0 0 1px var(--r-unused)}
.bar-kept{background:var(--kept)}
.legend{display:flex;flex-wrap:wrap;gap:.25rem 1.25rem;margin:.25rem 0 .5rem;padding:0;list-style:none}
.legend li{display:flex;align-items:center;gap:.35rem}
.swatch{display:inline-block;width:1.5rem;height:.8rem}
.timeline{margin:.25rem 0 1rem}.timeline h3{overflow-wrap:anywhere}.timeline p{margin:0;color:var(--muted)}
.timeline svg{display:block;width:100%;height:76px;overflow:visible}
.timeline svg text{fill:var(--muted);font-size:11px}
.timeline svg line{stroke:var(--line)}
.shape-in-use{fill:var(--r-in-use)}.shape-recent{fill:var(--r-recent)}.shape-min-count{fill:var(--r-min-count)}
.shape-protected-tag{fill:var(--r-protected-tag)}.shape-recently-pulled{fill:var(--r-recently-pulled)}
.shape-in-use-unknown{fill:var(--r-in-use-unknown)}.shape-unused{fill:var(--r-unused)}
button{font:inherit;color:inherit;background:var(--panel);border:1px solid var(--line);border-radius:4px;padding:.2rem .6rem;cursor:pointer}
.controls{display:flex;flex-wrap:wrap;gap:.5rem 1.25rem;align-items:end;margin:.5rem 0}
.controls label{display:flex;flex-direction:column;font-size:.85rem;color:var(--muted)}
.controls input,.controls select{font:inherit;color:var(--fg);background:var(--bg);border:1px solid var(--line);border-radius:4px;padding:.25rem .4rem;min-width:12rem}
#table-status{margin:.25rem 0;color:var(--muted)}
.grid{border:1px solid var(--line);border-radius:4px}
.grid:focus-visible{outline:3px solid var(--focus)}
.grid-row{display:grid;grid-template-columns:minmax(6rem,1.2fr) minmax(5rem,1fr) 8.6rem 9.6rem 6.6rem 11rem minmax(7rem,1.4fr) minmax(5rem,.8fr);height:var(--row-h);align-items:center;border-bottom:1px solid var(--line);box-sizing:border-box}
.grid-head{background:var(--panel);font-weight:600;height:auto;min-height:var(--row-h)}
.grid-head [role=columnheader]{padding:0 .25rem}
.grid-head button{all:unset;cursor:pointer;display:block;width:100%;padding:.3rem .2rem;box-sizing:border-box}
.grid-head button:focus-visible{outline:3px solid var(--focus)}
.grid-head [aria-sort=ascending] button::after{content:" \\25B2"}.grid-head [aria-sort=descending] button::after{content:" \\25BC"}
.viewport{position:relative;height:min(70vh,36rem);overflow:auto}
.spacer{position:relative}
.grid-body .grid-row{position:absolute;left:0;right:0;cursor:pointer}
.grid-body .grid-row:hover{background:var(--panel)}
.grid-row.active{background:var(--panel);box-shadow:inset 4px 0 0 var(--focus)}
.grid-row.open{font-weight:600}
[role=gridcell]{padding:0 .45rem;overflow:hidden;text-overflow:ellipsis;white-space:nowrap;min-width:0}
.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.9em}
.num{text-align:right;font-variant-numeric:tabular-nums}
.decision{display:inline-flex;align-items:center;gap:.3rem;font-weight:600}
.decision svg{width:12px;height:12px;flex:none}
.decision-delete{color:var(--r-unused)}
#details{margin-top:1rem;padding:.75rem 1rem;border:1px solid var(--line);border-radius:4px;background:var(--panel)}
#details[hidden]{display:none}
#details h3{margin-top:0;overflow-wrap:anywhere}
#details dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}
#details dd{font-weight:400}
#details table{border-collapse:collapse;width:100%;margin-top:.5rem}
#details th,#details td{text-align:left;padding:.2rem .4rem;border-bottom:1px solid var(--line);vertical-align:top;overflow-wrap:anywhere}
.print-only{display:none}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
@media print{
:root{--bg:#fff;--fg:#000;--muted:#333;--line:#999;--panel:#fff}
body{max-width:none;padding:0}
.skip,.controls,.grid,#details,#table-status,.no-print,noscript{display:none!important}
.print-only{display:block}
table.print-table{display:table;border-collapse:collapse;width:100%;font-size:9pt}
.print-table th,.print-table td{border-bottom:1px solid #999;padding:1px 4px;text-align:left;overflow-wrap:anywhere}
.timeline,table.chart tr,.print-table tr{break-inside:avoid}
.bar-delete,.bar-kept,.swatch,.timeline svg path{print-color-adjust:exact;-webkit-print-color-adjust:exact}
}
`;
