// Tiny DOM helpers. Every string goes into the page as a text node or an attribute
// value: nothing here (or anywhere in the demo) parses model or user data as HTML.

/**
 * Create an element. props: `class`, `text` (textContent), `dataset`, `on<event>`
 * listeners, anything else as an attribute (true → empty attribute, null/false → skipped).
 * Children: nodes, or strings (appended as text nodes).
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v == null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'text') el.textContent = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c != null && c !== false) el.append(c instanceof Node ? c : String(c));
  }
  return el;
}

/** `123 ms` / `1.24 s`. */
export function formatMs(ms) {
  if (ms == null || !Number.isFinite(ms)) return '—';
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(ms < 10000 ? 2 : 1)} s`;
}

/** Shorten a string to `n` characters (by code point) with an ellipsis. */
export function clip(s, n) {
  const chars = Array.from(String(s));
  return chars.length > n ? chars.slice(0, n - 1).join('') + '…' : chars.join('');
}

/**
 * Append inline text with `**bold**` and `code` spans as DOM nodes (text only, never HTML).
 * Used for reasoning summaries, which models write in light Markdown.
 */
export function appendLightMarkdown(el, text) {
  const re = /\*\*([^*\n]+)\*\*|`([^`\n]+)`/g;
  let last = 0;
  for (let m; (m = re.exec(text)); last = re.lastIndex) {
    if (m.index > last) el.append(text.slice(last, m.index));
    el.append(m[1] != null ? h('strong', { text: m[1] }) : h('code', { text: m[2] }));
  }
  if (last < text.length) el.append(text.slice(last));
}
