// Synthetic Responses API streams, shaped like the real recordings in
// ../shared/fixtures/recorded (openai_web_search_annotation.sse): the same event sequence, the
// same JSON key order, `logprobs: []`, `obfuscation` padding, 50-hex ids.
//
//   response.created, response.in_progress, response.output_item.added,
//   response.content_part.added, N x response.output_text.delta, response.output_text.done,
//   response.content_part.done, response.output_item.done, response.completed
//
// Deterministic (seeded PRNG): every run and every consumer sees the same bytes.

const enc = new TextEncoder();

/** mulberry32: small, fast, deterministic. */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Token-like pieces, weighted the way LLM text deltas look: mostly short words with a leading
// space, some punctuation, markdown, newlines and quotes (which JSON has to escape).
const ASCII_TOKENS = [
  ' the', ' of', ' and', ' to', ' a', ' in', ' is', ' that', ' for', ' it', ' as', ' with',
  ' mountain', ' Alberta', ' highest', ' peak', ' elevation', ' Columbia', ' range', ' Rocky',
  ' response', ' stream', ' parser', ' event', ' server', ' client', ' bytes', ' latency',
  ',', '.', ' (', ')', ':', ';', ' **', '**', ' `', '`', '\n', '\n\n', '- ', ' "', '"', "'s",
  ' 3', ',747', ' m', ' /', ' 12', ',294', ' ft', ').', ' —', ' e.g.', ' \\', ' {', '}',
];
const MULTIBYTE_TOKENS = [
  '你好', '世界', '，', '。', '的', '是', '在', '我们', '山', '最高', '峰', '艾伯塔', '省',
  'こんにちは', '日本語', 'テスト', '한국어', ' café', ' naïve', ' Ünïcödé', ' ñ', ' €',
  '🚀', '👍🏽', '🏔️', '😀', ' 👨‍👩‍👧', '\n', '“', '”', ' —', ' Ω', ' π≈3.14',
  ' the', ' peak', ',', '.', ' ',
];
const B62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

const hex = (rand, n) => {
  let s = '';
  for (let i = 0; i < n; i++) s += '0123456789abcdef'[(rand() * 16) | 0];
  return s;
};

/**
 * Creates the pieces of one synthetic stream; events are produced lazily by `events()`.
 * `deltaChars`: every delta exactly that many characters (ASCII tokens only), instead of 1-3 tokens.
 */
export function makeSpec({ deltas, multibyte = false, seed = 1, deltaChars = 0 }) {
  const rand = prng(seed);
  const respId = 'resp_' + hex(rand, 50);
  const itemId = 'msg_' + hex(rand, 50);
  if (deltaChars && multibyte) throw new Error('deltaChars takes ASCII tokens only');
  return { deltas, multibyte, seed, respId, itemId, deltaChars };
}

/** The next delta's text (the same PRNG draws in events() and expectedText()). */
function nextDelta(spec, rand, tokens) {
  let delta = '';
  if (spec.deltaChars) {
    while (delta.length < spec.deltaChars) delta += tokens[(rand() * tokens.length) | 0];
    return delta.slice(0, spec.deltaChars);
  }
  const n = 1 + ((rand() * rand() * 3) | 0); // 1..3 tokens per delta, mostly 1
  for (let j = 0; j < n; j++) delta += tokens[(rand() * tokens.length) | 0];
  return delta;
}

function baseResponse(spec, status, output, usage, completedAt) {
  return {
    id: spec.respId,
    object: 'response',
    created_at: 1768775269,
    status,
    background: false,
    completed_at: completedAt,
    error: null,
    frequency_penalty: 0.0,
    incomplete_details: null,
    instructions: 'Answer at length.',
    max_output_tokens: null,
    max_tool_calls: null,
    model: 'gpt-5.2-2025-12-11',
    output,
    parallel_tool_calls: true,
    presence_penalty: 0.0,
    previous_response_id: null,
    prompt_cache_key: null,
    prompt_cache_retention: null,
    reasoning: { effort: 'none', summary: null },
    safety_identifier: null,
    service_tier: 'auto',
    store: true,
    temperature: 1.0,
    text: { format: { type: 'text' }, verbosity: 'medium' },
    tool_choice: 'auto',
    tools: [],
    top_logprobs: 0,
    top_p: 0.98,
    truncation: 'disabled',
    usage,
    user: null,
    metadata: {},
  };
}

const sse = (type, obj) => `event: ${type}\ndata: ${JSON.stringify(obj)}\n\n`;

/**
 * Yields the stream as SSE event strings (one per event), lazily. `onText` (optional) receives
 * each delta so a caller can hash the text without keeping it.
 */
export function* events(spec, { keepText = true } = {}) {
  const rand = prng(spec.seed * 7919 + 13);
  const tokens = spec.multibyte ? MULTIBYTE_TOKENS : ASCII_TOKENS;
  const item = { id: spec.itemId, type: 'message', status: 'in_progress', content: [], role: 'assistant' };
  let seq = 0;
  yield sse('response.created', { type: 'response.created', response: baseResponse(spec, 'in_progress', [], null, null), sequence_number: seq++ });
  yield sse('response.in_progress', { type: 'response.in_progress', response: baseResponse(spec, 'in_progress', [], null, null), sequence_number: seq++ });
  yield sse('response.output_item.added', { type: 'response.output_item.added', item, output_index: 0, sequence_number: seq++ });
  yield sse('response.content_part.added', {
    type: 'response.content_part.added', content_index: 0, item_id: spec.itemId, output_index: 0,
    part: { type: 'output_text', annotations: [], logprobs: [], text: '' }, sequence_number: seq++,
  });
  const parts = [];
  for (let i = 0; i < spec.deltas; i++) {
    const delta = nextDelta(spec, rand, tokens);
    let obfuscation = '';
    const ol = 1 + ((rand() * 15) | 0);
    for (let j = 0; j < ol; j++) obfuscation += B62[(rand() * 62) | 0];
    parts.push(delta);
    // Key order as recorded: type, content_index, delta, item_id, logprobs, obfuscation, output_index, sequence_number
    yield 'event: response.output_text.delta\ndata: {"type":"response.output_text.delta","content_index":0,"delta":' +
      JSON.stringify(delta) + ',"item_id":"' + spec.itemId + '","logprobs":[],"obfuscation":"' + obfuscation +
      '","output_index":0,"sequence_number":' + seq++ + '}\n\n';
  }
  const text = parts.join('');
  if (!keepText) parts.length = 0;
  const part = { type: 'output_text', annotations: [], logprobs: [], text };
  yield sse('response.output_text.done', {
    type: 'response.output_text.done', content_index: 0, item_id: spec.itemId, logprobs: [], output_index: 0,
    sequence_number: seq++, text,
  });
  yield sse('response.content_part.done', {
    type: 'response.content_part.done', content_index: 0, item_id: spec.itemId, output_index: 0, part, sequence_number: seq++,
  });
  const doneItem = { id: spec.itemId, type: 'message', status: 'completed', content: [part], role: 'assistant' };
  yield sse('response.output_item.done', { type: 'response.output_item.done', item: doneItem, output_index: 0, sequence_number: seq++ });
  const usage = {
    input_tokens: 1243, input_tokens_details: { cached_tokens: 0 }, output_tokens: spec.deltas,
    output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 1243 + spec.deltas,
  };
  yield sse('response.completed', {
    type: 'response.completed', response: baseResponse(spec, 'completed', [doneItem], usage, 1768775276), sequence_number: seq++,
  });
}

/** The expected final text of a spec (regenerated, not stored with the bytes). */
export function expectedText(spec) {
  const rand = prng(spec.seed * 7919 + 13);
  const tokens = spec.multibyte ? MULTIBYTE_TOKENS : ASCII_TOKENS;
  const parts = [];
  for (let i = 0; i < spec.deltas; i++) {
    const delta = nextDelta(spec, rand, tokens);
    const ol = 1 + ((rand() * 15) | 0);
    for (let j = 0; j < ol; j++) rand();
    parts.push(delta);
  }
  return parts.join('');
}

/**
 * Materialises a synthetic stream: one Uint8Array of all the bytes plus, for each event, the
 * byte offset just past its terminating blank line (for latency attribution).
 */
export function buildStream(spec) {
  const strs = [...events(spec)];
  const bufs = strs.map((s) => enc.encode(s));
  const total = bufs.reduce((n, b) => n + b.length, 0);
  const bytes = new Uint8Array(total);
  const ends = new Float64Array(bufs.length);
  // UTF-16 length of every event's data (what an SSE parser's `data` should add up to).
  const dataLen = strs.reduce((n, s) => n + (s.length - s.indexOf('\ndata: ') - 7 - 2), 0);
  let off = 0;
  bufs.forEach((b, i) => {
    bytes.set(b, off);
    off += b.length;
    ends[i] = off;
  });
  return { bytes, ends, dataLen, events: strs.length, text: expectedText(spec), deltaEvents: spec.deltas };
}

/** Slices `bytes` into views of `size` bytes, made once up front (no copies). */
export function chunk(bytes, size) {
  const out = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, Math.min(i + size, bytes.length)));
  return out;
}

/**
 * A lazy byte source for very long streams: yields Uint8Array chunks of exactly `size` bytes
 * (the last may be shorter), generated on the fly, never holding the whole stream.
 */
export function* lazyChunks(spec, size) {
  let buf = new Uint8Array(size);
  let fill = 0;
  for (const s of events(spec, { keepText: false })) {
    let b = enc.encode(s);
    let p = 0;
    while (p < b.length) {
      const n = Math.min(size - fill, b.length - p);
      buf.set(b.subarray(p, p + n), fill);
      fill += n;
      p += n;
      if (fill === size) {
        yield buf;
        buf = new Uint8Array(size);
        fill = 0;
      }
    }
  }
  if (fill > 0) yield buf.subarray(0, fill);
}

/** Bytes of a spec's stream without building it (sum of encoded event lengths). */
export function streamLength(spec) {
  let n = 0;
  for (const s of events(spec, { keepText: false })) n += enc.encode(s).length;
  return n;
}
