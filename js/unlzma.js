// An LZMA decoder for the wasm the browser entry inlines (scripts/package-json.mjs): LZMA packs
// the wasm ~12 % smaller than gzip, and the decoder is smaller than a gunzip. The input: a gzip
// member whose stored blocks hold an .lzma stream (`xz --format=lzma`) with the unpacked size in
// its header, packed with the settings the packer uses (lc=3, lp=0, pb=0: no position bits).
// Throws on a corrupt stream or other settings.
export function unlzma(gzip) {
  const input = new Uint8Array(gzip.length);
  let i = 0;
  for (let at = 10, len = 0, last = 0; !last && at < gzip.length; at += 5 + len) {
    last = gzip[at] & 1;
    len = gzip[at + 1] | (gzip[at + 2] << 8);
    input.set(gzip.subarray(at + 5, at + 5 + len), i);
    i += len;
  }
  const size = (input[5] | (input[6] << 8) | (input[7] << 16) | (input[8] << 24)) >>> 0;
  const out = new Uint8Array(size);
  // one array of bit probabilities: is-match 0, is-rep 192, rep-g0 204, rep-g1 216, rep-g2 228,
  // rep0-long 240, position slots 432, distance bits 688, align 803, the two length coders
  // 819 and 1333 (choice, choice 2, low 2.., mid 130.., high 258..), literals 1847 (8 coders of
  // 0x300: lc=3)
  const p = new Uint16Array(1847 + 0x1800).fill(1024);
  i = 13;
  // the range coder's range and code, unsigned 32-bit (kept in a typed array: as numbers in the
  // closures' context, most of their values would be boxed doubles)
  const rc = new Uint32Array([0xffffffff, 0]);
  for (let k = 0; k < 5; k++) rc[1] = (rc[1] << 8) | input[i++];
  const norm = () => {
    if (rc[0] < 0x1000000) {
      rc[0] <<= 8;
      rc[1] = (rc[1] << 8) | input[i++];
    }
  };
  const bit = (at) => {
    const bound = (rc[0] >>> 11) * p[at];
    let b = 0;
    if (rc[1] < bound) {
      rc[0] = bound;
      p[at] += (2048 - p[at]) >> 5;
    } else {
      rc[0] -= bound;
      rc[1] -= bound;
      p[at] -= p[at] >> 5;
      b = 1;
    }
    norm();
    return b;
  };
  const tree = (at, n) => {
    let m = 1;
    for (let k = 0; k < n; k++) m = (m << 1) | bit(at + m);
    return m - (1 << n);
  };
  const reverse = (at, n) => {
    let m = 1;
    let s = 0;
    for (let k = 0; k < n; k++) {
      const b = bit(at + m);
      m = (m << 1) | b;
      s |= b << k;
    }
    return s;
  };
  const length = (at) => (!bit(at) ? tree(at + 2, 3) : !bit(at + 1) ? 8 + tree(at + 130, 3) : 16 + tree(at + 258, 8));
  // the state (what the last packets were), the last four distances, the bytes out so far
  let state = 0;
  let rep0 = 0;
  let rep1 = 0;
  let rep2 = 0;
  let rep3 = 0;
  let n = 0;
  while (n < size) {
    if (!bit(state << 4)) {
      const at = 1847 + 0x300 * ((n ? out[n - 1] : 0) >> 5);
      let s = 1;
      if (state >= 7) {
        let match = out[n - rep0 - 1];
        while (s < 0x100) {
          const mb = (match >> 7) & 1;
          match <<= 1;
          const b = bit(at + ((1 + mb) << 8) + s);
          s = (s << 1) | b;
          if (mb !== b) break;
        }
      }
      while (s < 0x100) s = (s << 1) | bit(at + s);
      out[n++] = s;
      state = state < 4 ? 0 : state < 10 ? state - 3 : state - 6;
      continue;
    }
    let len;
    if (bit(192 + state)) {
      if (!bit(204 + state)) {
        if (!bit(240 + (state << 4))) {
          state = state < 7 ? 9 : 11;
          out[n] = out[n - rep0 - 1];
          n++;
          continue;
        }
      } else {
        let dist = rep1;
        if (bit(216 + state)) {
          dist = rep2;
          if (bit(228 + state)) {
            dist = rep3;
            rep3 = rep2;
          }
          rep2 = rep1;
        }
        rep1 = rep0;
        rep0 = dist;
      }
      len = length(1333);
      state = state < 7 ? 8 : 11;
    } else {
      rep3 = rep2;
      rep2 = rep1;
      rep1 = rep0;
      len = length(819);
      state = state < 7 ? 7 : 10;
      const slot = tree(432 + (len < 3 ? len : 3) * 64, 6);
      rep0 = slot;
      if (slot >= 4) {
        const direct = (slot >> 1) - 1;
        rep0 = (2 | (slot & 1)) << direct;
        if (slot < 14) rep0 += reverse(688 + rep0 - slot, direct);
        else {
          for (let k = direct - 4; k > 0; k--) {
            rc[0] >>>= 1;
            const b = rc[1] >= rc[0] ? 1 : 0;
            if (b) rc[1] -= rc[0];
            rep0 = (rep0 + (b << (k + 3))) >>> 0;
            norm();
          }
          rep0 += reverse(803, 4);
        }
      }
      // the end marker (or a corrupt distance)
      if (rep0 >= n) break;
    }
    for (len += 2; len > 0 && n < size; len--, n++) out[n] = out[n - rep0 - 1];
  }
  if (n < size || i > input.length || input[0] !== 3) throw new Error('cometapi-responses: the inlined wasm is corrupt');
  return out;
}
