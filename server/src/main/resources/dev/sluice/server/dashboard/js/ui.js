// Small DOM and SVG helpers: no innerHTML with data, no inline styles (the CSP forbids them).
const SVG_NS = 'http://www.w3.org/2000/svg';

function build(el, attrs, children) {
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'text') el.textContent = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/** An HTML element: h('button', {type: 'button', onclick: fn}, 'Run'). */
export function h(tag, attrs, ...children) { return build(document.createElement(tag), attrs, children); }

/** An SVG element. */
export function s(tag, attrs, ...children) { return build(document.createElementNS(SVG_NS, tag), attrs, children); }

export function clear(el) { while (el.firstChild) el.firstChild.remove(); return el; }

export function announce(text) {
  const status = document.getElementById('status');
  status.textContent = '';
  setTimeout(() => { status.textContent = text; }, 30);
}

export function when(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}

export function badge(status) {
  return h('span', { class: `badge ${status || ''}` }, status ? status.toLowerCase().replaceAll('_', ' ') : 'never run');
}

/** A bar chart of records read per run (oldest left), dead letters stacked in red. */
export function runsChart(runs, label) {
  const w = 240, hgt = 48, n = Math.max(runs.length, 1);
  const max = Math.max(1, ...runs.map((r) => r.recordsRead));
  const bw = w / Math.max(n, 10);
  const svg = s('svg', { class: 'chart', viewBox: `0 0 ${w} ${hgt}`, role: 'img', 'aria-label': label,
    preserveAspectRatio: 'none' });
  svg.append(s('title', { text: label }));
  [...runs].reverse().forEach((r, i) => {
    const total = (r.recordsRead / max) * (hgt - 4);
    const dl = (Math.min(r.recordsDeadLettered, r.recordsRead) / max) * (hgt - 4);
    const x = i * bw + 1;
    svg.append(s('rect', { class: 'bar', x, y: hgt - total, width: Math.max(bw - 2, 1), height: total },
      s('title', { text: `${when(r.startedAt)}: ${r.recordsRead} read, ${r.recordsDeadLettered} dead-lettered` })));
    if (dl > 0) svg.append(s('rect', { class: 'bar dl', x, y: hgt - dl, width: Math.max(bw - 2, 1), height: dl }));
  });
  svg.append(s('line', { class: 'axis', x1: 0, y1: hgt - 0.5, x2: w, y2: hgt - 0.5 }));
  return svg;
}

export function total(label, value, attrs = {}) {
  return h('div', { class: `total${attrs.bad ? ' bad' : ''}` }, h('b', { 'data-total': attrs.key || label }, value), label);
}

export function problemText(e) {
  return e && e.message ? e.message : String(e);
}
