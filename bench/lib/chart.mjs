// The chart of a bench run, as a hand-written SVG (no charting dependency): throughput by chunk
// size, ours against each anchor (grouped bars, MB/s), and the per-request cost of a short answer
// (horizontal bars, µs), from results.sections.throughput and results.sections.short.

const COLORS = { ours: '#2563eb', openai: '#10a37f', aisdk: '#6b21a8', floor: '#9ca3af' };
const LABELS = { ours: 'ours (cometapi-responses)', openai: 'openai-node', aisdk: 'AI SDK', floor: 'floor (no client)' };
const ORDER = ['ours', 'openai', 'aisdk', 'floor'];

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const num = (v, d = 0) => (v === null || v === undefined || !Number.isFinite(v) ? 'n/a' : v.toFixed(d));
const r1 = (v) => Math.round(v * 10) / 10;

/** Round axis ticks from 0 to ≥ max: 1, 2 or 5 × a power of ten, about `n` of them. */
function ticks(max, n = 5) {
  if (!(max > 0)) return [0, 1];
  const raw = max / n;
  const p = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw);
  const out = [];
  for (let v = 0; v < max + step * 0.999; v += step) out.push(+v.toPrecision(12));
  return out;
}

const sizeLabel = (n) => (n >= 1024 ? `${n / 1024} KiB` : `${n} B`);

export function chartSvg(results) {
  const W = 920;
  const parts = [];
  const text = (x, y, s, { size = 12, anchor = 'start', weight = 'normal', fill = '#111827' } = {}) =>
    parts.push(`<text x="${r1(x)}" y="${r1(y)}" font-size="${size}" text-anchor="${anchor}" font-weight="${weight}" fill="${fill}">${esc(s)}</text>`);
  const rect = (x, y, w, h, fill) => parts.push(`<rect x="${r1(x)}" y="${r1(y)}" width="${r1(Math.max(w, 0))}" height="${r1(Math.max(h, 0))}" fill="${fill}"/>`);
  const line = (x1, y1, x2, y2, stroke = '#e5e7eb') => parts.push(`<line x1="${r1(x1)}" y1="${r1(y1)}" x2="${r1(x2)}" y2="${r1(y2)}" stroke="${stroke}"/>`);

  const m = results.meta ?? {};
  const thr = (results.sections.throughput ?? []).filter((d) => d.stream === 'text');
  const consumers = ORDER.filter((k) => thr.some((d) => d[k]?.cpuMbps));
  text(24, 30, 'cometapi-responses: make bench', { size: 18, weight: 'bold' });
  const load = m.loadavgStart ? ` · load ${m.loadavgStart[0]} on ${m.cores} cores` : '';
  text(24, 50, `${m.date?.slice(0, 10) ?? ''} · commit ${m.git ?? '?'} · Node ${m.node ?? '?'} · openai ${m.openai ?? '?'} · ai ${m.ai ?? '?'} · ${m.cpu ?? ''}${load}`, { size: 11, fill: '#4b5563' });

  // legend
  let lx = 24;
  for (const k of consumers) {
    rect(lx, 64, 12, 12, COLORS[k]);
    text(lx + 17, 75, LABELS[k], { size: 12 });
    lx += 30 + LABELS[k].length * 6.6;
  }

  // ---- panel 1: throughput, grouped bars
  const p1 = { x: 70, y: 140, w: W - 100, h: 240 };
  const bytes = thr[0]?.bytes;
  text(24, 106, 'End-to-end throughput by chunk size, MB per CPU second (higher is better)', { size: 14, weight: 'bold' });
  text(24, 123, `one stream of ${bytes ? (bytes / 1e6).toFixed(1) + ' MB, ' : ''}${thr[0]?.events?.toLocaleString('en-US') ?? ''} events: client.stream → for await every event → the final response / text`, { size: 11, fill: '#4b5563' });
  const max1 = Math.max(1, ...thr.flatMap((d) => consumers.map((k) => d[k]?.cpuMbps ?? 0)));
  const t1 = ticks(max1);
  const top1 = t1[t1.length - 1];
  const y1 = (v) => p1.y + p1.h - (v / top1) * p1.h;
  for (const t of t1) {
    line(p1.x, y1(t), p1.x + p1.w, y1(t));
    text(p1.x - 6, y1(t) + 4, num(t, t < 10 && t % 1 ? 1 : 0), { size: 11, anchor: 'end', fill: '#4b5563' });
  }
  const groupW = p1.w / Math.max(thr.length, 1);
  const barW = Math.min(44, (groupW * 0.8) / Math.max(consumers.length, 1));
  thr.forEach((d, gi) => {
    const gx = p1.x + gi * groupW + (groupW - barW * consumers.length) / 2;
    consumers.forEach((k, bi) => {
      const v = d[k]?.cpuMbps;
      const x = gx + bi * barW;
      if (v) {
        rect(x + 2, y1(v), barW - 4, p1.y + p1.h - y1(v), COLORS[k]);
        text(x + barW / 2, y1(v) - 4, num(v, v < 10 ? 1 : 0), { size: 11, anchor: 'middle' });
      } else text(x + barW / 2, p1.y + p1.h - 4, d[k]?.error ? 'FAIL' : 'n/a', { size: 10, anchor: 'middle', fill: '#b91c1c' });
    });
    const o = d.ours?.cpuMs;
    const sp = (k) => (d[k]?.cpuMs && o && consumers.includes(k) ? `${(d[k].cpuMs / o).toFixed(k === 'floor' ? 2 : 1)}×` : null);
    const cx = p1.x + gi * groupW + groupW / 2;
    text(cx, p1.y + p1.h + 18, `${sizeLabel(d.chunk)} chunks`, { size: 12, anchor: 'middle', weight: 'bold' });
    const anchors = [['openai', 'openai'], ['aisdk', 'AI SDK']].filter(([k]) => sp(k)).map(([k, l]) => `${sp(k)} ${l}`);
    if (anchors.length) text(cx, p1.y + p1.h + 34, `ours is ${anchors.join(', ')}`, { size: 11, anchor: 'middle', fill: '#4b5563' });
    if (sp('floor')) text(cx, p1.y + p1.h + 48, `and ${sp('floor')} the floor (speed)`, { size: 11, anchor: 'middle', fill: '#4b5563' });
  });
  line(p1.x, p1.y + p1.h, p1.x + p1.w, p1.y + p1.h, '#6b7280');

  // ---- panel 2: per-request cost, horizontal bars
  const sh = results.sections.short?.sequential ?? {};
  const cc = results.sections.short?.concurrent ?? {};
  const rows = ORDER.filter((k) => sh[k]);
  const p2 = { x: 200, y: 500, w: W - 460, rowH: 30 };
  text(24, 466, 'Per request: a short answer, CPU µs per request (lower is better)', { size: 14, weight: 'bold' });
  text(24, 483, `${results.sections.short?.events ?? '?'} events, ${((results.sections.short?.bytes ?? 0) / 1e3).toFixed(1)} kB in one chunk, a new client and request each time; req/s = ${results.sections.short?.concurrency ?? 100} concurrent streams, per CPU second`, { size: 11, fill: '#4b5563' });
  const max2 = Math.max(1, ...rows.map((k) => sh[k].cpuUsPerRequest ?? 0));
  const t2 = ticks(max2, 6);
  const top2 = t2[t2.length - 1];
  const x2 = (v) => p2.x + (v / top2) * p2.w;
  const h2 = rows.length * p2.rowH;
  for (const t of t2) {
    line(x2(t), p2.y - 4, x2(t), p2.y + h2);
    text(x2(t), p2.y + h2 + 16, num(t), { size: 11, anchor: 'middle', fill: '#4b5563' });
  }
  rows.forEach((k, i) => {
    const y = p2.y + i * p2.rowH;
    const v = sh[k].cpuUsPerRequest;
    text(p2.x - 8, y + p2.rowH / 2 + 4, LABELS[k], { size: 12, anchor: 'end' });
    if (v) {
      rect(p2.x, y + 4, x2(v) - p2.x, p2.rowH - 8, COLORS[k]);
      const rel = k !== 'ours' && sh.ours?.cpuUsPerRequest ? ` (${(v / sh.ours.cpuUsPerRequest).toFixed(2)}× ours)` : '';
      const rps = cc[k]?.cpuRps ? ` · ${Math.round(cc[k].cpuRps).toLocaleString('en-US')} req/s` : '';
      text(x2(v) + 6, y + p2.rowH / 2 + 4, `${num(v)} µs${rel}${rps}`, { size: 11 });
    } else text(p2.x + 6, y + p2.rowH / 2 + 4, sh[k].error ? 'FAIL' : 'n/a', { size: 11, fill: '#b91c1c' });
  });
  const H = p2.y + h2 + 40;
  text(24, H - 6, 'Same bytes for every consumer, each fed by a custom fetch whose body is a ReadableStream of pre-cut chunks; process CPU time, medians. Tables: docs/performance.md.', { size: 10, fill: '#6b7280' });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif">
<rect width="${W}" height="${H}" fill="#ffffff"/>
${parts.join('\n')}
</svg>
`;
}
