// Request validation for the mock's endpoints (create, compact, input_tokens, the
// conversations, list queries): the documented rules, answered as the real API does — status 400 and
// `{error: {message, type: "invalid_request_error", param, code}}`, with the
// API's wording and codes (missing_required_parameter, invalid_type,
// decimal_above_max_value, integer_below_min_value, string_above_max_length,
// object_above_max_properties, invalid_value, mutually_exclusive_parameters …).
// Unknown fields pass (providers add their own), and so do unknown values of open enumerations
// (service_tier, truncation, prompt_cache_retention, a string tool_choice, include, message
// roles, reasoning.effort / summary, text.format.type, text.verbosity): the API adds values, so
// these are checked to be strings only, as the client checks them.

import { apiError } from './util.mjs';

const TYPE_NAMES = { string: 'a string', number: 'a decimal', integer: 'an integer', boolean: 'a boolean', object: 'an object', array: 'an array' };

function typeOf(v) {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'an integer' : 'a decimal';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return 'a string';
  if (typeof v === 'boolean') return 'a boolean';
  return typeof v;
}

class Invalid extends Error {
  constructor(message, param, code) { super(message); this.param = param; this.code = code; }
}

const fail = (message, param, code) => { throw new Invalid(message, param, code); };

function expectType(v, type, param) {
  const ok = type === 'array' ? Array.isArray(v)
    : type === 'object' ? v !== null && typeof v === 'object' && !Array.isArray(v)
    : type === 'integer' ? Number.isInteger(v)
    : type === 'number' ? typeof v === 'number' && Number.isFinite(v)
    : typeof v === type;
  if (!ok) fail(`Invalid type for '${param}': expected ${TYPE_NAMES[type]}, but got ${typeOf(v)} instead.`, param, 'invalid_type');
}

function range(v, param, { min, max, integer }) {
  expectType(v, integer ? 'integer' : 'number', param);
  const kind = integer ? 'integer' : 'decimal';
  if (min !== undefined && v < min) {
    fail(`Invalid '${param}': ${kind} below minimum value. Expected a value >= ${min}, but got ${v} instead.`, param, `${kind}_below_min_value`);
  }
  if (max !== undefined && v > max) {
    fail(`Invalid '${param}': ${kind} above maximum value. Expected a value <= ${max}, but got ${v} instead.`, param, `${kind}_above_max_value`);
  }
}

function maxLength(v, param, max) {
  expectType(v, 'string', param);
  const n = Array.from(v).length;
  if (n > max) {
    fail(`Invalid '${param}': string too long. Expected a string with maximum length ${max}, but got a string with length ${n} instead.`, param, 'string_above_max_length');
  }
}

function oneOf(v, param, values) {
  if (!values.includes(v)) {
    const list = values.map((x) => `'${x}'`);
    const text = list.length > 1 ? `${list.slice(0, -1).join(', ')}, and ${list.at(-1)}` : list[0];
    fail(`Invalid value: '${typeof v === 'string' ? v : JSON.stringify(v)}'. Supported values are: ${text}.`, param, 'invalid_value');
  }
}

const present = (b, k) => b[k] !== undefined && b[k] !== null;

function checkObjectBody(body) {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    fail(`Invalid type for request body: expected an object, but got ${typeOf(body)} instead.`, null, 'invalid_type');
  }
}

function checkModel(body, required = true) {
  if (!present(body, 'model')) {
    if (required) fail("Missing required parameter: 'model'.", 'model', 'missing_required_parameter');
    return;
  }
  expectType(body.model, 'string', 'model');
  if (body.model.trim() === '') fail("Invalid 'model': empty string. Expected a string with minimum length 1.", 'model', 'empty_string');
}

/** Input items (of `input`, or a conversation's `items`), named `${name}[i]…`. */
function checkItems(items, name) {
  items.forEach((item, i) => {
    const p = `${name}[${i}]`;
    expectType(item, 'object', p);
    const type = item.type ?? (item.role ? 'message' : undefined);
    if (!type) fail(`Missing required parameter: '${p}.type'.`, `${p}.type`, 'missing_required_parameter');
    if (type === 'message') {
      if (!present(item, 'role')) fail(`Missing required parameter: '${p}.role'.`, `${p}.role`, 'missing_required_parameter');
      expectType(item.role, 'string', `${p}.role`);
      if (typeof item.content !== 'string' && !Array.isArray(item.content)) {
        fail(`Invalid type for '${p}.content': expected one of a string or array of input content, but got ${typeOf(item.content)} instead.`, `${p}.content`, 'invalid_type');
      }
    }
    if (type === 'function_call') {
      for (const k of ['call_id', 'name', 'arguments']) {
        if (!present(item, k)) fail(`Missing required parameter: '${p}.${k}'.`, `${p}.${k}`, 'missing_required_parameter');
      }
    }
    if (type === 'function_call_output') {
      if (!present(item, 'call_id')) fail(`Missing required parameter: '${p}.call_id'.`, `${p}.call_id`, 'missing_required_parameter');
      if (item.output === undefined) fail(`Missing required parameter: '${p}.output'.`, `${p}.output`, 'missing_required_parameter');
    }
    if (type === 'compaction' && typeof item.encrypted_content !== 'string') {
      fail(`Missing required parameter: '${p}.encrypted_content'.`, `${p}.encrypted_content`, 'missing_required_parameter');
    }
  });
}

function checkInput(body, required = true) {
  if (!present(body, 'input')) {
    if (required) fail("Missing required parameter: 'input'.", 'input', 'missing_required_parameter');
    return;
  }
  if (typeof body.input !== 'string' && !Array.isArray(body.input)) {
    fail(`Invalid type for 'input': expected one of a string or array of input items, but got ${typeOf(body.input)} instead.`, 'input', 'invalid_type');
  }
  if (Array.isArray(body.input)) checkItems(body.input, 'input');
}

function checkMetadata(metadata) {
  expectType(metadata, 'object', 'metadata');
  const keys = Object.keys(metadata);
  if (keys.length > 16) {
    fail(`Invalid 'metadata': too many properties. Expected an object with at most 16 properties, but got an object with ${keys.length} properties instead.`, 'metadata', 'object_above_max_properties');
  }
  for (const key of keys) {
    if (Array.from(key).length > 64) {
      fail(`Invalid 'metadata': key too long. Expected keys with maximum length 64, but got a key with length ${Array.from(key).length} instead.`, 'metadata', 'string_above_max_length');
    }
    maxLength(metadata[key], `metadata.${key}`, 512);
  }
}

function checkConversation(body) {
  if (present(body, 'previous_response_id') && present(body, 'conversation')) {
    fail("Mutually exclusive parameters: Ensure you are only providing one of: 'previous_response_id' or 'conversation'.", 'conversation', 'mutually_exclusive_parameters');
  }
  if (present(body, 'conversation') && typeof body.conversation !== 'string') {
    expectType(body.conversation, 'object', 'conversation');
    if (typeof body.conversation.id !== 'string') fail("Missing required parameter: 'conversation.id'.", 'conversation.id', 'missing_required_parameter');
  }
}

function checkReasoning(body) {
  if (!present(body, 'reasoning')) return;
  expectType(body.reasoning, 'object', 'reasoning');
  for (const k of ['effort', 'summary', 'generate_summary']) {
    if (present(body.reasoning, k)) expectType(body.reasoning[k], 'string', `reasoning.${k}`);
  }
}

function checkText(body) {
  if (!present(body, 'text')) return;
  expectType(body.text, 'object', 'text');
  const f = body.text.format;
  if (f != null) {
    expectType(f, 'object', 'text.format');
    if (!present(f, 'type')) fail("Missing required parameter: 'text.format.type'.", 'text.format.type', 'missing_required_parameter');
    expectType(f.type, 'string', 'text.format.type');
    if (f.type === 'json_schema') {
      if (!present(f, 'name')) fail("Missing required parameter: 'text.format.name'.", 'text.format.name', 'missing_required_parameter');
      if (!present(f, 'schema')) fail("Missing required parameter: 'text.format.schema'.", 'text.format.schema', 'missing_required_parameter');
      expectType(f.schema, 'object', 'text.format.schema');
    }
  }
  if (present(body.text, 'verbosity')) expectType(body.text.verbosity, 'string', 'text.verbosity');
}

function checkTools(body) {
  const tools = body.tools;
  if (present(body, 'tools')) {
    expectType(tools, 'array', 'tools');
    tools.forEach((t, i) => {
      expectType(t, 'object', `tools[${i}]`);
      if (!present(t, 'type')) fail(`Missing required parameter: 'tools[${i}].type'.`, `tools[${i}].type`, 'missing_required_parameter');
      if (t.type === 'function') {
        if (!present(t, 'name')) fail(`Missing required parameter: 'tools[${i}].name'.`, `tools[${i}].name`, 'missing_required_parameter');
        expectType(t.name, 'string', `tools[${i}].name`);
        if (!/^[a-zA-Z0-9_-]{1,64}$/.test(t.name)) {
          fail(`Invalid 'tools[${i}].name': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$'.`, `tools[${i}].name`, 'invalid_value');
        }
        if (present(t, 'parameters')) expectType(t.parameters, 'object', `tools[${i}].parameters`);
      }
    });
  }
  if (present(body, 'tool_choice')) {
    const c = body.tool_choice;
    if (typeof c === 'string') {
      if (c === 'required' && !(tools?.length)) {
        fail("Tool choice 'required' must be specified with 'tools' parameter.", 'tool_choice', 'invalid_value');
      }
    } else {
      expectType(c, 'object', 'tool_choice');
      if (c.type === 'function') {
        if (!(tools ?? []).some((t) => t.type === 'function' && t.name === c.name)) {
          fail(`Tool choice '${c.name}' not found in 'tools' parameter.`, 'tool_choice', 'invalid_value');
        }
      }
    }
  }
}

/** Throws Invalid on the first broken rule of a create body. */
function check(body) {
  checkObjectBody(body);
  // A stored prompt may carry the model and the input.
  checkModel(body, !present(body, 'prompt'));
  checkInput(body, !present(body, 'prompt'));
  for (const k of ['stream', 'background', 'store', 'parallel_tool_calls']) {
    if (present(body, k)) expectType(body[k], 'boolean', k);
  }
  for (const k of ['instructions', 'previous_response_id', 'prompt_cache_key', 'user']) {
    if (present(body, k)) expectType(body[k], 'string', k);
  }
  if (present(body, 'temperature')) range(body.temperature, 'temperature', { min: 0, max: 2 });
  if (present(body, 'top_p')) range(body.top_p, 'top_p', { min: 0, max: 1 });
  if (present(body, 'top_logprobs')) range(body.top_logprobs, 'top_logprobs', { min: 0, max: 20, integer: true });
  if (present(body, 'max_output_tokens')) range(body.max_output_tokens, 'max_output_tokens', { min: 0, integer: true });
  if (present(body, 'max_tool_calls')) range(body.max_tool_calls, 'max_tool_calls', { min: 0, integer: true });
  if (present(body, 'metadata')) checkMetadata(body.metadata);
  if (present(body, 'safety_identifier')) maxLength(body.safety_identifier, 'safety_identifier', 64);
  checkConversation(body);
  if (present(body, 'stream_options')) {
    if (body.stream !== true) {
      fail("Invalid 'stream_options': 'stream_options' is only allowed when 'stream' is true.", 'stream_options', 'invalid_value');
    }
    expectType(body.stream_options, 'object', 'stream_options');
  }
  for (const k of ['service_tier', 'truncation', 'prompt_cache_retention']) {
    if (present(body, k)) expectType(body[k], 'string', k);
  }
  if (present(body, 'include')) {
    expectType(body.include, 'array', 'include');
    body.include.forEach((v, i) => expectType(v, 'string', `include[${i}]`));
  }
  checkReasoning(body);
  checkText(body);
  checkTools(body);
}

/** POST /responses/compact: model; input and/or previous_response_id; instructions. */
function checkCompact(body) {
  checkObjectBody(body);
  checkModel(body);
  if (!present(body, 'input') && !present(body, 'previous_response_id')) {
    fail("Missing required parameter: 'input'.", 'input', 'missing_required_parameter');
  }
  checkInput(body, false);
  for (const k of ['instructions', 'previous_response_id']) {
    if (present(body, k)) expectType(body[k], 'string', k);
  }
}

/** POST /responses/input_tokens: every field optional, each as in create. */
function checkInputTokens(body) {
  checkObjectBody(body);
  checkModel(body, false);
  checkInput(body, false);
  for (const k of ['instructions', 'previous_response_id']) {
    if (present(body, k)) expectType(body[k], 'string', k);
  }
  if (present(body, 'parallel_tool_calls')) expectType(body.parallel_tool_calls, 'boolean', 'parallel_tool_calls');
  if (present(body, 'truncation')) expectType(body.truncation, 'string', 'truncation');
  checkConversation(body);
  checkReasoning(body);
  checkText(body);
  checkTools(body);
}

function checkConversationItems(items, { required }) {
  if (items === undefined || items === null) {
    if (required) fail("Missing required parameter: 'items'.", 'items', 'missing_required_parameter');
    return;
  }
  expectType(items, 'array', 'items');
  if (items.length > 20) {
    fail(`Invalid 'items': array too long. Expected an array with maximum length 20, but got an array with length ${items.length} instead.`, 'items', 'array_above_max_length');
  }
  checkItems(items, 'items');
}

/** POST /conversations: items? (≤ 20), metadata? */
function checkConversationCreate(body) {
  checkObjectBody(body);
  checkConversationItems(body.items, { required: false });
  if (present(body, 'metadata')) checkMetadata(body.metadata);
}

/** POST /conversations/{id}: metadata (required; null clears it). */
function checkConversationUpdate(body) {
  checkObjectBody(body);
  if (!('metadata' in body)) fail("Missing required parameter: 'metadata'.", 'metadata', 'missing_required_parameter');
  if (body.metadata !== null) checkMetadata(body.metadata);
}

/** POST /conversations/{id}/items: items (1 to 20). */
function checkItemsCreate(body) {
  checkObjectBody(body);
  checkConversationItems(body.items, { required: true });
}

/**
 * List queries (`input_items`, conversation items): order asc|desc (a sort direction: the mock
 * must know how to sort), limit 1–100, after; `include` values pass as given. Returns null or
 * the 400 error JSON.
 */
export function validateListQuery(query, { maxLimit = 100 } = {}) {
  return run(() => {
    const order = query.get('order');
    if (order !== null) oneOf(order, 'order', ['asc', 'desc']);
    if (query.has('limit')) {
      const raw = query.get('limit');
      const n = Number(raw);
      if (!/^-?\d+$/.test(raw)) fail(`Invalid type for 'limit': expected an integer, but got a string instead.`, 'limit', 'invalid_type');
      if (n < 1) fail(`Invalid 'limit': integer below minimum value. Expected a value >= 1, but got ${n} instead.`, 'limit', 'integer_below_min_value');
      if (n > maxLimit) fail(`Invalid 'limit': integer above maximum value. Expected a value <= ${maxLimit}, but got ${n} instead.`, 'limit', 'integer_above_max_value');
    }
  });
}

function run(fn) {
  try {
    fn();
    return null;
  } catch (e) {
    if (!(e instanceof Invalid)) throw e;
    return apiError(e.message, { param: e.param, code: e.code });
  }
}

export const validateCompact = (body) => run(() => checkCompact(body));
export const validateInputTokens = (body) => run(() => checkInputTokens(body));
export const validateConversationCreate = (body) => run(() => checkConversationCreate(body));
export const validateConversationUpdate = (body) => run(() => checkConversationUpdate(body));
export const validateItemsCreate = (body) => run(() => checkItemsCreate(body));

/** Validate a create body. Returns null, or the 400 error JSON. */
export function validateCreate(body) {
  return run(() => check(body));
}

/** The real API's answer to a body that is not JSON. */
export function malformedJsonError() {
  return apiError(
    "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)",
  );
}
