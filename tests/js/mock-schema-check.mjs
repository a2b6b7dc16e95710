// Shared by the mock-*.test.mjs files and sdk-structured (not a test file itself): a validator for
// the JSON Schema subset the mock generates from, strict object schemas, an SSE body reader and an
// error reader.
import { createParser } from 'eventsource-parser';
import { apiError } from './client-helpers.mjs';

// A small validator for the JSON Schema subset the mock generates from.
export function validate(schema, value, path = '$') {
  const errs = [];
  const t = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : null;
  const typeOk = (ty) =>
    ty === 'null' ? value === null
      : ty === 'integer' ? Number.isInteger(value)
        : ty === 'number' ? typeof value === 'number'
          : ty === 'array' ? Array.isArray(value)
            : ty === 'object' ? value !== null && typeof value === 'object' && !Array.isArray(value)
              : typeof value === ty;
  if (t && !t.some(typeOk)) return [`${path}: expected ${t.join('|')}, got ${JSON.stringify(value)}`];
  if (schema.enum && !schema.enum.includes(value)) errs.push(`${path}: not in enum`);
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) errs.push(`${path}: < minimum`);
    if (schema.maximum !== undefined && value > schema.maximum) errs.push(`${path}: > maximum`);
  }
  if (typeof value === 'string') {
    if (schema.minLength !== undefined && value.length < schema.minLength) errs.push(`${path}: too short`);
    if (schema.maxLength !== undefined && value.length > schema.maxLength) errs.push(`${path}: too long`);
  }
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems) errs.push(`${path}: too few items`);
    if (schema.maxItems !== undefined && value.length > schema.maxItems) errs.push(`${path}: too many items`);
    value.forEach((v, i) => errs.push(...validate(schema.items ?? {}, v, `${path}[${i}]`)));
  }
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const r of schema.required ?? []) if (!(r in value)) errs.push(`${path}: missing ${r}`);
    for (const [k, v] of Object.entries(value)) {
      if (schema.properties?.[k]) errs.push(...validate(schema.properties[k], v, `${path}.${k}`));
      else if (schema.additionalProperties === false) errs.push(`${path}: unexpected ${k}`);
    }
  }
  return errs;
}

/** An object schema as strict mode wants it: every property required, no other. */
export const strictObject = (properties) => ({
  type: 'object',
  properties,
  required: Object.keys(properties),
  additionalProperties: false,
});

/** Read an SSE body to its end or its error: {events, raw (the data lines), error}. */
export async function readSse(res) {
  const events = [];
  const raw = [];
  const parser = createParser({ onEvent: (e) => { raw.push(e.data); events.push(JSON.parse(e.data)); } });
  const reader = res.body.getReader();
  const dec = new TextDecoder();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return { events, raw, error: null };
      parser.feed(dec.decode(value, { stream: true }));
    }
  } catch (error) {
    return { events, raw, error };
  }
}

/** The error of an answer (a promise of it), asserted to be an API error of `status` with these fields (apiError). */
export async function errorOf(res, status, fields) {
  const r = await res;
  return apiError({ status: r.status, body: await r.json() }, status, fields);
}
