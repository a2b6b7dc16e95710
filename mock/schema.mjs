// Deterministic example values from a JSON Schema: the mock model's function-call
// arguments and structured (json_schema) output.
//
// Supported subset (what function tools and Structured Outputs use): type (string,
// integer, number, boolean, null, object, array, and type arrays such as
// ["string","null"]), enum, const, default, properties, required,
// additionalProperties, items, prefixItems, minItems/maxItems, minimum/maximum,
// exclusiveMinimum/exclusiveMaximum, multipleOf, minLength/maxLength, format
// (date, date-time, time, email, uri, uuid, ipv4), anyOf/oneOf (first branch),
// allOf (merged), and local $ref (#/$defs/…, #/definitions/…). Optional properties are
// included too: a strict schema lists every property in `required` anyway.

const MAX_DEPTH = 12;

/**
 * @param {object} schema a JSON Schema
 * @param {{hint?: string, fill?: (name: string, schema: object) => unknown}} [opts]
 *   hint: the text used for free strings; fill: a value for a property (by its name and
 *   schema), or undefined for the generated one — kept only when it fits the schema
 */
export function exampleFromSchema(schema, opts = {}) {
  const root = schema ?? {};
  return gen(root, { root, hint: opts.hint ?? '', fill: opts.fill, name: '', depth: 0 });
}

/** Whether `v` fits the (resolved) schema's type, enum, bounds and lengths: enough for a filled value. */
function fits(schema, v) {
  if (!schema || typeof schema !== 'object') return false;
  if (Array.isArray(schema.enum) && !schema.enum.includes(v)) return false;
  if ('const' in schema && schema.const !== v) return false;
  const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  if (typeof v === 'string') {
    if (types.length && !types.includes('string')) return false;
    const n = Array.from(v).length;
    if (n < (schema.minLength ?? 0) || n > (schema.maxLength ?? Infinity)) return false;
    if (typeof schema.pattern === 'string') {
      try { if (!new RegExp(schema.pattern, 'u').test(v)) return false; } catch { return false; }
    }
    return true;
  }
  if (typeof v === 'number') {
    if (types.length && !types.includes('number') && !(types.includes('integer') && Number.isInteger(v))) return false;
    if (!types.length && !('minimum' in schema || 'maximum' in schema)) return false;
    if (v < (schema.minimum ?? -Infinity) || v > (schema.maximum ?? Infinity)) return false;
    if (typeof schema.exclusiveMinimum === 'number' && v <= schema.exclusiveMinimum) return false;
    if (typeof schema.exclusiveMaximum === 'number' && v >= schema.exclusiveMaximum) return false;
    if (typeof schema.multipleOf === 'number' && schema.multipleOf > 0 && !Number.isInteger(v / schema.multipleOf)) return false;
    return true;
  }
  return false;
}

function resolveRef(ref, root) {
  if (typeof ref !== 'string' || !ref.startsWith('#')) return {};
  let node = root;
  for (const raw of ref.slice(1).split('/').filter(Boolean)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    node = node?.[key];
    if (node === undefined) return {};
  }
  return node;
}

function mergeAllOf(schema, root) {
  const out = { ...schema };
  delete out.allOf;
  for (const part0 of Array.isArray(schema.allOf) ? schema.allOf : []) {
    const part = part0?.$ref ? resolveRef(part0.$ref, root) : part0;
    if (!part || typeof part !== 'object') continue;
    out.type ??= part.type;
    out.properties = { ...(out.properties ?? {}), ...(part.properties ?? {}) };
    out.required = [...new Set([...(out.required ?? []), ...(part.required ?? [])])];
    for (const k of Object.keys(part)) if (!(k in out)) out[k] = part[k];
  }
  return out;
}

function pickType(schema) {
  let t = schema.type;
  if (Array.isArray(t)) t = t.find((x) => x !== 'null') ?? 'null';
  if (typeof t === 'string') return t;
  if (schema.properties || schema.required) return 'object';
  if (schema.items || schema.prefixItems) return 'array';
  if (schema.minimum !== undefined || schema.maximum !== undefined) return 'number';
  return 'string';
}

function gen(schema0, ctx) {
  if (ctx.depth > MAX_DEPTH) return null;
  let schema = schema0;
  if (schema === true || schema == null) return ctx.hint ? ctx.hint : 'example';
  if (schema === false) return null;
  if (typeof schema !== 'object' || Array.isArray(schema)) return 'example'; // not a schema: stay calm
  if (schema.$ref) schema = { ...resolveRef(schema.$ref, ctx.root), ...withoutRef(schema) };
  if (schema.allOf) schema = mergeAllOf(schema, ctx.root);
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length) return schema.enum[0];
  const branches = schema.anyOf ?? schema.oneOf;
  if (Array.isArray(branches) && branches.length) {
    const branch = branches.find((b) => b && b.type !== 'null') ?? branches[0];
    return gen({ ...withoutBranches(schema), ...branch }, { ...ctx, depth: ctx.depth + 1 });
  }
  if ('default' in schema && schema.default !== undefined) return schema.default;
  switch (pickType(schema)) {
    case 'object': return genObject(schema, ctx);
    case 'array': return genArray(schema, ctx);
    case 'integer': return genNumber(schema, true);
    case 'number': return genNumber(schema, false);
    case 'boolean': return true;
    case 'null': return null;
    default: return genString(schema, ctx);
  }
}

function withoutRef(s) { const { $ref, ...rest } = s; return rest; }
function withoutBranches(s) { const { anyOf, oneOf, ...rest } = s; return rest; }

function genObject(schema, ctx) {
  const out = {};
  const props = schema.properties && typeof schema.properties === 'object' ? schema.properties : {};
  for (const [name, sub0] of Object.entries(props)) {
    const sub = sub0?.$ref ? { ...resolveRef(sub0.$ref, ctx.root), ...withoutRef(sub0) } : sub0;
    const filled = ctx.fill?.(name, sub);
    out[name] = filled !== undefined && fits(sub, filled) ? filled : gen(sub0, { ...ctx, name, depth: ctx.depth + 1 });
  }
  // Required names without a property schema still get a value.
  for (const name of Array.isArray(schema.required) ? schema.required : []) {
    if (!(name in out)) out[name] = gen({}, { ...ctx, name, depth: ctx.depth + 1 });
  }
  const min = Math.min(Number(schema.minProperties) || 0, 100);
  let i = 1;
  while (Object.keys(out).length < min) out[`key_${i++}`] = gen(schema.additionalProperties ?? {}, { ...ctx, depth: ctx.depth + 1 });
  return out;
}

function genArray(schema, ctx) {
  const out = [];
  const prefix = Array.isArray(schema.prefixItems) ? schema.prefixItems : [];
  const min = Math.min(Number(schema.minItems) || 0, 100);
  const max = Number.isFinite(schema.maxItems) ? schema.maxItems : Infinity;
  let n = Math.max(min, prefix.length, Math.min(2, max));
  n = Math.min(n, max);
  for (let i = 0; i < n; i++) {
    const sub = i < prefix.length ? prefix[i] : (schema.items ?? {});
    out.push(gen(sub, { ...ctx, hint: i === 0 ? ctx.hint : '', name: ctx.name, depth: ctx.depth + 1, index: i }));
  }
  return out;
}

function genNumber(schema, integer) {
  let lo = schema.minimum ?? -Infinity;
  let hi = schema.maximum ?? Infinity;
  if (typeof schema.exclusiveMinimum === 'number') lo = Math.max(lo, schema.exclusiveMinimum + (integer ? 1 : 0.5));
  if (typeof schema.exclusiveMaximum === 'number') hi = Math.min(hi, schema.exclusiveMaximum - (integer ? 1 : 0.5));
  let v = integer ? 3 : 2.5;
  if (v < lo) v = lo;
  if (v > hi) v = hi;
  if (integer) {
    v = Math.ceil(v);
    if (v > hi) v = Math.floor(hi);
  }
  const m = schema.multipleOf;
  if (typeof m === 'number' && m > 0) {
    let k = Math.ceil(v / m) * m;
    if (k > hi) k = Math.floor(v / m) * m;
    v = integer ? Math.round(k) : Number(k.toFixed(10));
  }
  return v;
}

const NAME_HINTS = [
  [/^(location|city|place|where|address)$/i, 'Paris, France'],
  [/country/i, 'France'],
  [/(^|_)(unit|units)$/i, 'celsius'],
  [/email/i, 'mock@example.com'],
  [/(url|uri|link|website)/i, 'https://example.com/mock'],
  [/(^|_)(name|title)$/i, 'Mock Example'],
  [/(lang|language)/i, 'en'],
  [/(^|_)id$/i, 'mock_id_1'],
  [/date/i, '2025-01-01'],
];

function genString(schema, ctx) {
  let s;
  switch (schema.format) {
    case 'date': s = '2025-01-01'; break;
    case 'date-time': s = '2025-01-01T12:00:00Z'; break;
    case 'time': s = '12:00:00'; break;
    case 'email': s = 'mock@example.com'; break;
    case 'uri': case 'url': s = 'https://example.com/mock'; break;
    case 'uuid': s = '00000000-0000-4000-8000-000000000000'; break;
    case 'ipv4': s = '192.0.2.1'; break;
    default: {
      const hit = NAME_HINTS.find(([re]) => re.test(ctx.name ?? ''));
      s = hit ? hit[1] : ctx.hint ? ctx.hint : ctx.name ? `mock ${ctx.name}` : 'mock value';
    }
  }
  const min = Math.min(Number(schema.minLength) || 0, 10000);
  const max = Number.isFinite(schema.maxLength) ? schema.maxLength : Infinity;
  const chars = Array.from(s);
  while (chars.length < min) chars.push('x');
  if (chars.length > max) chars.length = max;
  return chars.join('');
}
