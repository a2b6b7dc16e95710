// A JS object kept in step with a snapshot the wasm core builds, by applying the core's patch
// operations (docs/architecture.md, "Snapshots"). This file knows nothing about events or
// Responses: it sets, copies, appends and joins at paths, as the core says.
//
//   ["r", keep]        root := copy of event.response; keep = 1: the old output and output_text stay
//   ["s", path, v]     set literal v at path        ["t", path, key]  set a copy of event[key] at path
//   ["a", path, key]   append event[key] to the string at path
//   ["c", path, text]  append text to the string at path
//   ["j", path, paths] the string at path := the strings at paths, concatenated
//   ["p", path, ops]   partial-JSON ops (s, c) whose paths start at path ([] is path itself)
//
// A path is an array of keys and indices; an index equal to the array's length pushes. A path
// whose parent does not exist changes nothing. Keys are own data properties, as JSON.parse
// makes them (`__proto__` included). A text longer than a JavaScript string can be (about 2^29
// characters) is a StreamError with the snapshot as it was before the event, not a RangeError
// (the stream redacts the API key from it before anyone sees it).
import { StreamError } from './errors.js';
import { setOwn } from './shared.js';

/** A deep copy of JSON data (strings are shared: they are immutable). */
export function copy(v) {
  if (Array.isArray(v)) return v.map(copy);
  if (typeof v !== 'object' || v === null) return v;
  // The spread copies own keys as data properties (`__proto__` included); then nested objects.
  const out = { ...v };
  for (const k in out) {
    const x = out[k];
    if (typeof x !== 'object' || x === null || !Object.hasOwn(out, k)) continue;
    if (k === '__proto__') setOwn(out, k, copy(x));
    else out[k] = copy(x);
  }
  return out;
}

/** The container `path` leads into; `own`: through own properties only (keys from parsed text). */
function parentOf(root, path, own) {
  let node = root;
  for (let i = 0; i < path.length - 1; i++) {
    if (typeof node !== 'object' || node === null || (own && !Object.hasOwn(node, path[i]))) return undefined;
    node = node[path[i]];
  }
  return typeof node === 'object' && node !== null ? node : undefined;
}

function put(parent, key, value) {
  if (Array.isArray(parent)) {
    if (typeof key !== 'number' || key > parent.length) return;
  } else if (key === '__proto__') {
    setOwn(parent, key, value);
    return;
  }
  parent[key] = value;
}

/** `a + b`; a string over the engine's limit is a StreamError carrying `snapshot`. */
function concat(a, b, snapshot) {
  try {
    return a + b;
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    throw new StreamError(`a text of the response is longer than a JavaScript string can be (${a.length} + ${b.length} characters)`, {
      response: snapshot,
    });
  }
}

export class Mirror {
  /** The snapshot (null until the first root). */
  value = null;
  #own;

  /** `own`: the keys of paths may come from parsed text (a partial JSON value): walk own properties only. */
  constructor(own = false) {
    this.#own = own;
  }

  /** Applies one event's operations. */
  apply(ops, event) {
    for (const op of ops) {
      switch (op[0]) {
        case 'a':
        case 'c':
          this.#append(op[1], op[0] === 'a' ? event[op[2]] : op[2], this.#own);
          break;
        case 's':
        case 't':
          this.#set(op[1], op[0] === 's' ? op[2] : copy(event[op[2]]), this.#own);
          break;
        case 'p':
          for (const sub of op[2]) {
            const path = op[1].concat(sub[1]);
            if (sub[0] === 's') this.#set(path, sub[2], true);
            else this.#append(path, sub[2], true);
          }
          break;
        case 'j': {
          let s = '';
          for (const p of op[2]) {
            const v = parentOf(this.value, p, false)?.[p[p.length - 1]];
            if (typeof v === 'string') s = concat(s, v, this.#snapshot());
          }
          this.#set(op[1], s, false);
          break;
        }
        case 'r': {
          const old = this.value;
          const next = copy(event.response);
          if (op[1] === 1 && old !== null) {
            next.output = old.output;
            next.output_text = old.output_text;
          }
          this.value = next;
          break;
        }
        default:
          break;
      }
    }
  }

  #set(path, value, own) {
    if (path.length === 0) {
      this.value = value;
      return;
    }
    const parent = parentOf(this.value, path, own);
    if (parent !== undefined) put(parent, path[path.length - 1], value);
  }

  #append(path, text, own) {
    if (typeof text !== 'string') return;
    if (path.length === 0) {
      this.value = typeof this.value === 'string' ? concat(this.value, text, this.#snapshot()) : text;
      return;
    }
    const parent = parentOf(this.value, path, own);
    if (parent === undefined) return;
    const key = path[path.length - 1];
    const cur = parent[key];
    put(parent, key, typeof cur === 'string' ? concat(cur, text, this.#snapshot()) : text);
  }

  /** What a StreamError carries: the snapshot (a partial JSON value's mirror carries none). */
  #snapshot() {
    return this.#own ? null : this.value;
  }
}
