// The platform's built-in tools in the mock: which calls a request makes (web_search /
// web_search_preview, file_search, code_interpreter, image_generation; `tool_choice` and
// `max_tool_calls` honoured) and what each finds, computes or draws. events.mjs turns the plan
// into the event sequences of the real recordings (fixtures/recorded): web_search_call
// in_progress → searching → completed then url_citation annotations; code deltas, interpreting,
// completed; partial images, then the result. Citations use reserved example domains only.

/** The built-in tool kind of a tool entry, or null (functions and unknown types). */
export function builtinKind(tool) {
  const t = tool?.type;
  if (typeof t !== 'string') return null;
  if (t.startsWith('web_search')) return 'web_search';
  if (t === 'file_search' || t === 'code_interpreter' || t === 'image_generation') return t;
  return null;
}

/**
 * The built-in calls of a request, in the order of `tools`: [{kind, tool}]. `tool_choice: 'none'`
 * makes none; a `tool_choice` naming a built-in tool (`{type}`) only that one; `max_tool_calls`
 * caps their number.
 */
export function plannedBuiltins(body) {
  const choice = body.tool_choice ?? 'auto';
  if (choice === 'none') return [];
  let calls = (body.tools ?? []).map((tool) => ({ kind: builtinKind(tool), tool })).filter((c) => c.kind);
  if (typeof choice === 'object' && choice !== null) {
    const wanted = builtinKind(choice);
    if (wanted) calls = calls.filter((c) => c.kind === wanted).slice(0, 1);
    else if (choice.type === 'function') return [];
  }
  if (Number.isInteger(body.max_tool_calls)) calls = calls.slice(0, body.max_tool_calls);
  return calls;
}

const words = (text) => text.toLowerCase().match(/[a-z0-9]+/g) ?? [];

/** What a web search "finds": two pages on reserved example domains, named after the query. */
export function webResults(query) {
  const slug = words(query).slice(0, 4).join('-') || 'search';
  return [
    { url: `https://example.com/${slug}`, title: `Example Domain: ${query.slice(0, 60) || 'your question'}` },
    { url: `https://example.org/notes/${slug}`, title: 'Example Notes (a reserved example domain)' },
  ];
}

/** The "search" over uploaded files: each file whose name or text shares a word with the query. */
export function fileResults(query, files) {
  const q = new Set(words(query));
  const out = [];
  for (const f of files) {
    const text = new TextDecoder().decode(f.data.subarray(0, 4096));
    const hits = [...new Set([...words(f.filename), ...words(text)])].filter((w) => q.has(w)).length;
    out.push({ file_id: f.id, filename: f.filename, score: Math.min(1, 0.5 + hits / 10), text: text.replace(/[^\x20-\x7e\n]+/g, ' ').slice(0, 200), attributes: {} });
  }
  return out.sort((a, b) => b.score - a.score).slice(0, 5);
}

/** The code the "interpreter" runs on the user's words, and what it prints (computed here). */
export function interpreterRun(said) {
  const text = said.slice(0, 200);
  const n = words(text).length;
  const code = `text = ${JSON.stringify(text)}\nwords = text.split()\nprint(len(words), "words,", len(text), "characters")\n`;
  return { code, logs: `${n} words, ${Array.from(text).length} characters\n` };
}

// ---------------------------------------------------------------- small real PNGs

let CRC_TABLE;
function crc32(bytes) {
  CRC_TABLE ??= Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** A PNG of RGB pixels `rgb(x, y) → [r, g, b]`, its data in stored (uncompressed) deflate blocks. */
export function png(width, height, rgb) {
  const raw = new Uint8Array(height * (1 + 3 * width));
  let at = 0;
  for (let y = 0; y < height; y++) {
    raw[at++] = 0; // filter: none
    for (let x = 0; x < width; x++) for (const v of rgb(x, y)) raw[at++] = v;
  }
  // zlib: header, stored blocks of at most 65535 bytes, adler32
  const blocks = Math.max(1, Math.ceil(raw.length / 65535));
  const z = new Uint8Array(2 + raw.length + 5 * blocks + 4);
  z.set([0x78, 0x01]);
  let o = 2;
  for (let i = 0; i < blocks; i++) {
    const part = raw.subarray(i * 65535, (i + 1) * 65535);
    z.set([i === blocks - 1 ? 1 : 0, part.length & 0xff, part.length >> 8, ~part.length & 0xff, (~part.length >> 8) & 0xff], o);
    z.set(part, o + 5);
    o += 5 + part.length;
  }
  let a = 1;
  let b = 0;
  for (const v of raw) { a = (a + v) % 65521; b = (b + a) % 65521; }
  new DataView(z.buffer).setUint32(o, ((b << 16) | a) >>> 0);
  const chunk = (type, data) => {
    const c = new Uint8Array(12 + data.length);
    const dv = new DataView(c.buffer);
    dv.setUint32(0, data.length);
    c.set(new TextEncoder().encode(type), 4);
    c.set(data, 8);
    dv.setUint32(8 + data.length, crc32(c.subarray(4, 8 + data.length)));
    return c;
  };
  const ihdr = new Uint8Array(13);
  const dv = new DataView(ihdr.buffer);
  dv.setUint32(0, width);
  dv.setUint32(4, height);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8 bits, RGB
  const parts = [Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a), chunk('IHDR', ihdr), chunk('IDAT', z), chunk('IEND', new Uint8Array(0))];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let k = 0;
  for (const p of parts) { out.set(p, k); k += p.length; }
  return out;
}

const toBase64 = (bytes) => {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  return btoa(s);
};

/**
 * The images of an image_generation call, as base64 PNGs: `partials` coarser drafts (blocks of
 * 16, then 8, then 4 pixels), then the final 64×64 picture, its colours from the prompt.
 */
export function generatedImages(prompt, partials) {
  let h = 2166136261;
  for (const ch of prompt) h = Math.imul(h ^ ch.codePointAt(0), 16777619);
  const hue = (h >>> 0) % 360;
  const colour = (x, y) => {
    const t = (x + y) / 126;
    const r = Math.round(127 + 127 * Math.cos(((hue + 120 * t) * Math.PI) / 180));
    const g = Math.round(127 + 127 * Math.cos(((hue + 120 * t - 120) * Math.PI) / 180));
    const bl = Math.round(127 + 127 * Math.cos(((hue + 120 * t + 120) * Math.PI) / 180));
    const d = Math.hypot(x - 32, y - 32);
    return d < 18 ? [255 - r, 255 - g, 255 - bl] : [r, g, bl];
  };
  const blocky = (size) => (x, y) => colour(Math.floor(x / size) * size + size / 2, Math.floor(y / size) * size + size / 2);
  const drafts = [16, 8, 4].slice(0, Math.max(0, Math.min(3, partials))).map((s) => toBase64(png(64, 64, blocky(s))));
  return { partials: drafts, result: toBase64(png(64, 64, colour)) };
}
