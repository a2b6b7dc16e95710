// Small statistics and formatting helpers.

export const median = (xs) => quantile(xs, 0.5);

/** Nearest-rank quantile (q in [0, 1]) of a copy of xs. */
export function quantile(xs, q) {
  if (!xs.length) return NaN;
  const s = Float64Array.from(xs).sort();
  const i = Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1));
  return s[i];
}

export const MB = 1e6;
export const fmt = (x, d = 1) => (x === null || x === undefined || Number.isNaN(x) ? 'n/a' : x.toFixed(d));
export const fmtInt = (x) => (x === null || x === undefined || Number.isNaN(x) ? 'n/a' : Math.round(x).toLocaleString('en-US'));
export const kib = (n) => (n / 1024).toFixed(1);
export const sizeLabel = (n) => (n >= 1024 ? `${n / 1024} KiB` : `${n} B`);

/**
 * A markdown table with fixed, padded columns: readable in a terminal and valid markdown.
 * `align`: array of 'l' | 'r' per column (default: first left, rest right).
 */
export function table(headers, rows, align) {
  const cells = [headers, ...rows].map((r) => r.map((c) => String(c)));
  const w = headers.map((_, i) => Math.max(3, ...cells.map((r) => (r[i] ?? '').length)));
  const al = align ?? headers.map((_, i) => (i === 0 ? 'l' : 'r'));
  const pad = (s, i) => (al[i] === 'l' ? s.padEnd(w[i]) : s.padStart(w[i]));
  const line = (r) => '| ' + r.map((c, i) => pad(c ?? '', i)).join(' | ') + ' |';
  const sep = '|' + w.map((n, i) => (al[i] === 'l' ? ':' + '-'.repeat(n + 1) : '-'.repeat(n + 1) + ':')).join('|') + '|';
  return [line(cells[0]), sep, ...cells.slice(1).map(line)].join('\n');
}
