// Synchronous gzip decoder (RFC 1952 around RFC 1951 DEFLATE) for the wasm the browser entry carries
// inline: no DecompressionStream (absent from some runtimes, and only asynchronous) and no
// top-level await. Decoding uses canonical Huffman tables looked up 9 bits at a time (longer codes
// fall back to a bit-by-bit walk). Throws on malformed input; never reads or writes out of bounds.

// length and distance codes: their extra bits, and base values that each grow by 1 << extra
const LEN_EXTRA = Array.from({ length: 29 }, (_, i) => (i < 8 || i === 28 ? 0 : (i - 4) >> 2));
const DIST_EXTRA = Array.from({ length: 30 }, (_, i) => (i < 4 ? 0 : (i - 2) >> 1));
const bases = (extra, first) => extra.map(((b) => (e) => ((b += 1 << e), b - (1 << e)))(first));
const LEN_BASE = bases(LEN_EXTRA, 3);
LEN_BASE[28] = 258;
const DIST_BASE = bases(DIST_EXTRA, 1);
const CL_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];
const FAST = 9;

const bad = (what) => new Error(`inflate: malformed data (${what})`);

/** A decoding table from code lengths: counts and symbols per length, plus a FAST-bit lookup. */
function huffman(lengths) {
  const count = new Uint16Array(16);
  for (const l of lengths) count[l]++;
  count[0] = 0;
  const offs = new Uint16Array(16);
  for (let l = 1; l < 15; l++) offs[l + 1] = offs[l] + count[l];
  const symbol = new Uint16Array(lengths.length);
  for (let s = 0; s < lengths.length; s++) if (lengths[s]) symbol[offs[lengths[s]]++] = s;
  // fast[reversed low FAST bits] = (symbol << 4) | length, for codes of at most FAST bits; 0 = walk
  const fast = new Uint16Array(1 << FAST);
  let code = 0;
  let index = 0;
  for (let len = 1; len <= FAST; len++) {
    for (let i = 0; i < count[len]; i++, code++, index++) {
      let rev = 0;
      for (let b = 0; b < len; b++) rev |= ((code >> b) & 1) << (len - 1 - b);
      for (let fill = rev; fill < 1 << FAST; fill += 1 << len) fast[fill] = (symbol[index] << 4) | len;
    }
    code <<= 1;
  }
  return { count, symbol, fast };
}

const FIXED_LIT = huffman(Uint8Array.from({ length: 288 }, (_, i) => (i < 144 ? 8 : i < 256 ? 9 : i < 280 ? 7 : 8)));
const FIXED_DIST = huffman(new Uint8Array(30).fill(5));

/** Decompresses a gzip member; returns its bytes. */
export function gunzip(src) {
  const n = src.length;
  if (n < 18 || src[0] !== 0x1f || src[1] !== 0x8b || src[2] !== 8) throw bad('not gzip');
  const flags = src[3];
  let pos = 10;
  if (flags & 4) pos += 2 + (src[pos] | (src[pos + 1] << 8));
  if (flags & 8) while (pos < n && src[pos++]);
  if (flags & 16) while (pos < n && src[pos++]);
  if (flags & 2) pos += 2;
  const size = (src[n - 4] | (src[n - 3] << 8) | (src[n - 2] << 16) | (src[n - 1] << 24)) >>> 0;
  const out = new Uint8Array(size);
  const end = n - 8;
  let at = 0;
  let buf = 0;
  let cnt = 0;

  const need = (k) => {
    while (cnt < k) {
      if (pos >= end) throw bad('truncated');
      buf |= src[pos++] << cnt;
      cnt += 8;
    }
  };
  const bits = (k) => {
    need(k);
    const v = buf & ((1 << k) - 1);
    buf >>>= k;
    cnt -= k;
    return v;
  };
  const decode = (h) => {
    // near the end of the stream fewer than FAST bits may remain: top up with what there is
    while (cnt < FAST && pos < end) {
      buf |= src[pos++] << cnt;
      cnt += 8;
    }
    const e = h.fast[buf & ((1 << FAST) - 1)];
    if (e && (e & 15) <= cnt) {
      buf >>>= e & 15;
      cnt -= e & 15;
      return e >> 4;
    }
    let code = 0;
    let first = 0;
    let index = 0;
    for (let len = 1; len < 16; len++) {
      code |= bits(1);
      const c = h.count[len];
      if (code - c < first) return h.symbol[index + (code - first)];
      index += c;
      first = (first + c) << 1;
      code <<= 1;
    }
    throw bad('no such code');
  };

  let last = 0;
  while (!last) {
    last = bits(1);
    const type = bits(2);
    if (type === 0) {
      // stored: drop the partial byte; whole bytes already pulled into the buffer are read again
      pos -= cnt >> 3;
      buf = 0;
      cnt = 0;
      if (pos + 4 > end) throw bad('truncated');
      const len = src[pos] | (src[pos + 1] << 8);
      if ((len ^ 0xffff) !== (src[pos + 2] | (src[pos + 3] << 8))) throw bad('stored length');
      pos += 4;
      if (pos + len > end || at + len > size) throw bad('stored block');
      out.set(src.subarray(pos, pos + len), at);
      pos += len;
      at += len;
      continue;
    }
    let lit = FIXED_LIT;
    let dist = FIXED_DIST;
    if (type === 2) {
      const nlen = bits(5) + 257;
      const ndist = bits(5) + 1;
      const ncode = bits(4) + 4;
      if (nlen > 286 || ndist > 30) throw bad('table sizes');
      const cl = new Uint8Array(19);
      for (let i = 0; i < ncode; i++) cl[CL_ORDER[i]] = bits(3);
      const clh = huffman(cl);
      const lengths = new Uint8Array(nlen + ndist);
      for (let i = 0; i < nlen + ndist; ) {
        const sym = decode(clh);
        if (sym < 16) lengths[i++] = sym;
        else {
          let rep;
          let val = 0;
          if (sym === 16) {
            if (i === 0) throw bad('repeat with no length');
            val = lengths[i - 1];
            rep = 3 + bits(2);
          } else rep = sym === 17 ? 3 + bits(3) : 11 + bits(7);
          if (i + rep > nlen + ndist) throw bad('repeat');
          lengths.fill(val, i, i + rep);
          i += rep;
        }
      }
      lit = huffman(lengths.subarray(0, nlen));
      dist = huffman(lengths.subarray(nlen));
    } else if (type !== 1) throw bad('block type');
    for (;;) {
      let sym = decode(lit);
      if (sym < 256) {
        if (at >= size) throw bad('too long');
        out[at++] = sym;
      } else if (sym === 256) break;
      else {
        sym -= 257;
        if (sym >= 29) throw bad('length code');
        const len = LEN_BASE[sym] + bits(LEN_EXTRA[sym]);
        const d = decode(dist);
        if (d >= 30) throw bad('distance code');
        const back = DIST_BASE[d] + bits(DIST_EXTRA[d]);
        if (back > at || at + len > size) throw bad('distance');
        if (back >= len) out.copyWithin(at, at - back, at - back + len);
        else for (let i = 0; i < len; i++) out[at + i] = out[at + i - back];
        at += len;
      }
    }
  }
  if (at !== size) throw bad('size');
  return out;
}

/** Decodes standard base64 (no line breaks) into bytes, without atob's binary string on the side. */
export function base64Bytes(text) {
  if (typeof Uint8Array.fromBase64 === 'function') return Uint8Array.fromBase64(text);
  const bin = atob(text);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}
