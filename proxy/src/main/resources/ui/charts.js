// Plain SVG charts, drawn with createElementNS and attributes only (the Content Security Policy
// allows no inline styles and no third-party code). Each chart is an img with a text summary and
// its numbers in a table behind a disclosure, so it reads without sight and without a mouse.
import { h, table, when } from './dom.js';

const NS = 'http://www.w3.org/2000/svg';
const W = 640;
const H = 200;
const PAD = { left: 48, right: 12, top: 10, bottom: 26 };

function s(tag, attrs, ...children) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v !== null && v !== undefined) el.setAttribute(k, String(v));
  }
  for (const c of children) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

function niceMax(v) {
  if (v <= 0) return 1;
  const p = Math.pow(10, Math.floor(Math.log10(v)));
  for (const m of [1, 2, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

function axes(svg, max, points) {
  const y0 = H - PAD.bottom;
  svg.append(s('line', { x1: PAD.left, y1: y0, x2: W - PAD.right, y2: y0, class: 'axis' }));
  for (const f of [0, 0.5, 1]) {
    const y = y0 - f * (H - PAD.top - PAD.bottom);
    svg.append(s('line', { x1: PAD.left, y1: y, x2: W - PAD.right, y2: y, class: 'grid' }));
    svg.append(s('text', { x: PAD.left - 6, y: y + 4, class: 'tick', 'text-anchor': 'end' }, String(Math.round(max * f))));
  }
  if (points.length) {
    for (const i of [0, Math.floor(points.length / 2), points.length - 1]) {
      svg.append(s('text', { x: xAt(i, points.length), y: H - 6, class: 'tick',
        'text-anchor': i === 0 ? 'start' : i === points.length - 1 ? 'end' : 'middle' },
        shortTime(points[i].at)));
    }
  }
}

function xAt(i, n) {
  return PAD.left + (n <= 1 ? 0 : i * (W - PAD.left - PAD.right) / (n - 1));
}

function yAt(v, max) {
  return H - PAD.bottom - (v / max) * (H - PAD.top - PAD.bottom);
}

function shortTime(t) {
  const d = new Date(t);
  return d.toISOString().slice(5, 16).replace('T', ' ');
}

function figure(id, title, summary, svg, series, points, value) {
  const legend = h('ul', { class: 'legend' }, series.map((x) => h('li', {}, h('span', { class: 'swatch ' + x.cls }), x.label)));
  const rows = points.filter((p) => series.some((x) => value(p, x.key) !== null))
    .map((p) => [when(p.at), ...series.map((x) => value(p, x.key) === null ? '' : String(value(p, x.key)))]);
  return h('figure', { class: 'chart', id, 'data-points': String(rows.length) },
    h('figcaption', {}, title),
    svg,
    legend,
    h('details', {}, h('summary', {}, 'Numbers'),
      table(title, ['Time', ...series.map((x) => x.label)], rows, 'Nothing recorded in this range.')),
    h('p', { class: 'visually-hidden' }, summary));
}

/** Lines of gauges over time; a step without a sample leaves a gap. */
export function lineChart(id, title, points, series) {
  const value = (p, k) => (p.gauges && p.gauges[k] !== undefined ? p.gauges[k] : null);
  const max = niceMax(Math.max(0, ...points.flatMap((p) => series.map((x) => value(p, x.key) || 0))));
  const svg = s('svg', { viewBox: '0 0 ' + W + ' ' + H, role: 'img', 'aria-label': title, class: 'plot' });
  axes(svg, max, points);
  for (const x of series) {
    let run = [];
    const flush = () => {
      if (run.length === 1) svg.append(s('circle', { cx: run[0][0], cy: run[0][1], r: 2.5, class: 'dot ' + x.cls }));
      if (run.length > 1) svg.append(s('polyline', { points: run.map((p) => p.join(',')).join(' '), class: 'line ' + x.cls }));
      run = [];
    };
    points.forEach((p, i) => {
      const v = value(p, x.key);
      if (v === null) flush(); else run.push([xAt(i, points.length).toFixed(1), yAt(v, max).toFixed(1)]);
    });
    flush();
  }
  const last = series.map((x) => {
    const p = [...points].reverse().find((q) => value(q, x.key) !== null);
    return x.label + ' ' + (p ? value(p, x.key) : 'none');
  }).join(', ');
  return figure(id, title, 'Latest: ' + last + '.', svg, series, points, value);
}

/** Stacked bars of counters per step. */
export function barChart(id, title, points, series) {
  const value = (p, k) => (p.counters && p.counters[k] !== undefined ? p.counters[k] : null);
  const sum = (p) => series.reduce((a, x) => a + (value(p, x.key) || 0), 0);
  const max = niceMax(Math.max(0, ...points.map(sum)));
  const svg = s('svg', { viewBox: '0 0 ' + W + ' ' + H, role: 'img', 'aria-label': title, class: 'plot' });
  axes(svg, max, points);
  const bw = Math.max(1, (W - PAD.left - PAD.right) / Math.max(1, points.length) - 1);
  points.forEach((p, i) => {
    let base = 0;
    for (const x of series) {
      const v = value(p, x.key) || 0;
      if (!v) continue;
      const y1 = yAt(base + v, max);
      svg.append(s('rect', { x: (xAt(i, points.length) - bw / 2).toFixed(1), y: y1.toFixed(1), width: bw.toFixed(1),
        height: (yAt(base, max) - y1).toFixed(1), class: 'bar ' + x.cls },
      s('title', {}, shortTime(p.at) + ' ' + x.label + ': ' + v)));
      base += v;
    }
  });
  const totals = series.map((x) => x.label + ' ' + points.reduce((a, p) => a + (value(p, x.key) || 0), 0)).join(', ');
  return figure(id, title, 'Totals over the range: ' + totals + '.', svg, series, points, value);
}

/** Horizontal bars of totals, largest first. */
export function rankChart(id, title, entries) {
  const top = entries.slice(0, 10);
  const max = niceMax(Math.max(0, ...top.map((e) => e[1])));
  const rowH = 22;
  const height = Math.max(1, top.length) * rowH + 8;
  const svg = s('svg', { viewBox: '0 0 ' + W + ' ' + height, role: 'img', 'aria-label': title, class: 'plot' });
  top.forEach(([label, v], i) => {
    const y = 4 + i * rowH;
    const w = (v / max) * (W - 230);
    svg.append(s('text', { x: 190, y: y + 15, class: 'tick', 'text-anchor': 'end' }, label));
    svg.append(s('rect', { x: 200, y: y + 3, width: Math.max(1, w).toFixed(1), height: rowH - 8, class: 'bar s-blocked' },
      s('title', {}, label + ': ' + v)));
    svg.append(s('text', { x: 206 + w, y: y + 15, class: 'tick' }, String(v)));
  });
  return h('figure', { class: 'chart', id, 'data-points': String(top.length) },
    h('figcaption', {}, title),
    top.length ? svg : h('p', { class: 'muted' }, 'Nothing refused in this range.'),
    h('details', {}, h('summary', {}, 'Numbers'), table(title, ['Reason', 'Count'], top.map(([l, v]) => [l, String(v)]), 'None.')));
}
