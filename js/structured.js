// Structured outputs: jsonSchemaFormat (a json_schema text format that keeps its validator off
// the wire) and Standard Schema validation of a value (the output, a tool's arguments). The core
// decides what output_parsed is; this file runs the validators, which are JS code.
import { OutputParseError } from './errors.js';
import { isObject, named } from './shared.js';
import { redactText, redactValue } from './redact.js';

/** `validate` when it is a Standard Schema (or undefined); else TypeError naming `what`. */
export function checkSchema(validate, what) {
  if (validate !== undefined && typeof validate?.['~standard']?.validate !== 'function') {
    throw new TypeError(`${what} must be a Standard Schema (an object with ~standard.validate)`);
  }
  return validate;
}

/** Where a format keeps its Standard Schema: a symbol key, which JSON.stringify never writes and a copy (`{ ...format }`) keeps. */
const VALIDATE = Symbol('cometapi-responses.validate');

/** The format's validator, if the params' text format has one. */
export const validatorOf = (params) => {
  const format = params?.text?.format;
  return isObject(format) ? format[VALIDATE] : undefined;
};

/** `v` holds no cycle and nests at most 64 levels (`path`: the objects above it). */
function walkable(v, path, depth) {
  if (typeof v !== 'object' || v === null) return true;
  if (path.has(v) || depth > 64) return false;
  path.add(v);
  const ok = Object.values(v).every((x) => walkable(x, path, depth + 1));
  path.delete(v);
  return ok;
}

/** The text output_parsed is the value of: the text of the parts the core names (`[item, part, …]`), joined. */
export function parsedText(response, at) {
  let text = '';
  for (let k = 0; k < at.length; k += 2) text += response.output[at[k]].content[at[k + 1]].text;
  return text;
}

/**
 * `value` through a Standard Schema (sync or async): its value, or OutputParseError with the issues,
 * the API key redacted from its message, text and issues by `redact(text)` (the client's redactor:
 * the redacted text, `undefined` when there is nothing to redact) when given, and the Response the
 * value is the output of (`response`), redacted too.
 */
export async function validated(schema, value, text, what, redact, response) {
  if (schema === undefined) return value;
  const r = await schema['~standard'].validate(value);
  if (r.issues) {
    const list = r.issues.map((i) => {
      const path = (i.path ?? []).map((p) => String(isObject(p) ? p.key : p)).join('.'); // a key may be a symbol
      return path ? `${path}: ${i.message}` : i.message;
    });
    const message = `${what} failed validation: ${list.join('; ')}`;
    if (redact === undefined) throw new OutputParseError(message, { text, issues: r.issues, response });
    // Issues that refer to themselves, or nest deeper than a walk should go (the redactor is
    // wasm: a stack overflowing inside it would break the instance): their messages only.
    const issues = walkable(r.issues, new Set(), 0)
      ? redactValue(r.issues, redact)
      : r.issues.map((i) => ({ message: redactText(String(i?.message), redact) }));
    throw new OutputParseError(redactText(message, redact), {
      text: typeof text === 'string' ? redactText(text, redact) : text,
      issues,
      response: response && redactValue(response, redact),
    });
  }
  return r.value;
}

/** A json_schema text format as sent: { type, name, schema, strict, description? }; `validate` is kept off the wire. */
export const jsonSchemaFormat = /* @__PURE__ */ named('jsonSchemaFormat', function (name, schema, options = {}) {
  if (typeof name !== 'string') throw new TypeError('jsonSchemaFormat(name, schema): name must be a string');
  if (!isObject(schema)) throw new TypeError('jsonSchemaFormat(name, schema): schema must be an object (a JSON Schema)');
  if (!isObject(options)) throw new TypeError('jsonSchemaFormat options must be an object');
  const { strict = true, description, validate } = options;
  const format = { type: 'json_schema', name, schema, strict };
  if (description !== undefined) format.description = description;
  if (checkSchema(validate, 'validate') !== undefined) format[VALIDATE] = validate;
  return format;
});
