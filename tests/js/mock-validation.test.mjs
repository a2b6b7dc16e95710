// Validation errors of POST /v1/responses: status 400, the API's error shape, param and code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useMock } from './client-helpers.mjs';

const { srv } = await useMock({ delayMs: 0 });

const ok = { model: 'm', input: 'hi' };
const long = (n) => 'x'.repeat(n);
const meta = (n) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 'v']));

// [name, body, param, code]
const CASES = [
  ['model missing', { input: 'hi' }, 'model', 'missing_required_parameter'],
  ['model not a string', { model: 5, input: 'hi' }, 'model', 'invalid_type'],
  ['input missing', { model: 'm' }, 'input', 'missing_required_parameter'],
  ['input wrong type', { model: 'm', input: 5 }, 'input', 'invalid_type'],
  ['input item without role/type', { model: 'm', input: [{ content: 'x' }] }, 'input[0].type', 'missing_required_parameter'],
  ['temperature > 2', { ...ok, temperature: 2.5 }, 'temperature', 'decimal_above_max_value'],
  ['temperature < 0', { ...ok, temperature: -0.1 }, 'temperature', 'decimal_below_min_value'],
  ['temperature type', { ...ok, temperature: 'hot' }, 'temperature', 'invalid_type'],
  ['top_p > 1', { ...ok, top_p: 1.5 }, 'top_p', 'decimal_above_max_value'],
  ['top_p < 0', { ...ok, top_p: -1 }, 'top_p', 'decimal_below_min_value'],
  ['top_logprobs > 20', { ...ok, top_logprobs: 21 }, 'top_logprobs', 'integer_above_max_value'],
  ['top_logprobs < 0', { ...ok, top_logprobs: -1 }, 'top_logprobs', 'integer_below_min_value'],
  ['top_logprobs not integer', { ...ok, top_logprobs: 1.5 }, 'top_logprobs', 'invalid_type'],
  ['max_output_tokens -1', { ...ok, max_output_tokens: -1 }, 'max_output_tokens', 'integer_below_min_value'],
  ['max_output_tokens decimal', { ...ok, max_output_tokens: 10.5 }, 'max_output_tokens', 'invalid_type'],
  ['max_tool_calls -1', { ...ok, max_tool_calls: -1 }, 'max_tool_calls', 'integer_below_min_value'],
  ['metadata 17 pairs', { ...ok, metadata: meta(17) }, 'metadata', 'object_above_max_properties'],
  ['metadata key > 64', { ...ok, metadata: { [long(65)]: 'v' } }, 'metadata', 'string_above_max_length'],
  ['metadata value > 512', { ...ok, metadata: { k: long(513) } }, 'metadata.k', 'string_above_max_length'],
  ['metadata value not a string', { ...ok, metadata: { k: 1 } }, 'metadata.k', 'invalid_type'],
  ['safety_identifier > 64', { ...ok, safety_identifier: long(65) }, 'safety_identifier', 'string_above_max_length'],
  ['previous_response_id with conversation', { ...ok, previous_response_id: 'resp_1', conversation: 'conv_1' }, 'conversation', 'mutually_exclusive_parameters'],
  ['stream_options without stream', { ...ok, stream_options: { include_obfuscation: false } }, 'stream_options', 'invalid_value'],
  ['stream_options with stream false', { ...ok, stream: false, stream_options: {} }, 'stream_options', 'invalid_value'],
  ['service_tier not a string', { ...ok, service_tier: 1 }, 'service_tier', 'invalid_type'],
  ['truncation not a string', { ...ok, truncation: true }, 'truncation', 'invalid_type'],
  ['prompt_cache_retention not a string', { ...ok, prompt_cache_retention: 24 }, 'prompt_cache_retention', 'invalid_type'],
  ['stream not boolean', { ...ok, stream: 'yes' }, 'stream', 'invalid_type'],
  ['reasoning.effort not a string', { ...ok, reasoning: { effort: 3 } }, 'reasoning.effort', 'invalid_type'],
  ['json_schema without name', { ...ok, text: { format: { type: 'json_schema', schema: {} } } }, 'text.format.name', 'missing_required_parameter'],
  ['function tool without name', { ...ok, tools: [{ type: 'function', parameters: {} }] }, 'tools[0].name', 'missing_required_parameter'],
  ['tool_choice required without tools', { ...ok, tool_choice: 'required' }, 'tool_choice', 'invalid_value'],
  ['tool_choice a number', { ...ok, tool_choice: 1 }, 'tool_choice', 'invalid_type'],
];

for (const [name, body, param, code] of CASES) {
  test(`400: ${name}`, async () => {
    const res = await fetch(`${srv.url}/v1/responses`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    assert.equal(res.status, 400);
    assert.match(res.headers.get('content-type'), /^application\/json/);
    assert.match(res.headers.get('x-request-id'), /^req_[0-9a-f]{32}$/);
    const json = await res.json();
    assert.deepEqual(Object.keys(json), ['error']);
    assert.deepEqual(Object.keys(json.error), ['message', 'type', 'param', 'code']);
    assert.equal(json.error.type, 'invalid_request_error');
    assert.equal(json.error.param, param);
    assert.equal(json.error.code, code);
    assert.ok(json.error.message.length > 10);
  });
}

test('boundaries are accepted (temperature 0 and 2, top_p 0 and 1, top_logprobs 20, 16 metadata pairs, 64/512 lengths)', async () => {
  const bodies = [
    { ...ok, temperature: 0, top_p: 0, top_logprobs: 0 },
    { ...ok, temperature: 2, top_p: 1, top_logprobs: 20, include: ['message.output_text.logprobs', 'some.future.value'] },
    { ...ok, metadata: { ...meta(15), [long(64)]: long(512) }, safety_identifier: long(64) },
    { ...ok, stream: true, stream_options: { include_obfuscation: false } },
    { ...ok, max_output_tokens: 1000, max_tool_calls: 1, service_tier: 'flex', truncation: 'auto', prompt_cache_retention: '24h' },
    { ...ok, max_output_tokens: 0, max_tool_calls: 0 },
    { ...ok, some_provider_field: { anything: true } },
  ];
  for (const body of bodies) {
    const res = await fetch(`${srv.url}/v1/responses`, { method: 'POST', body: JSON.stringify(body) });
    assert.equal(res.status, 200, JSON.stringify(body).slice(0, 80));
    await res.arrayBuffer();
  }
});

test('open enumerations: values the API has added, and values it may add, are accepted', async () => {
  const bodies = [
    { ...ok, prompt_cache_retention: 'in_memory' },
    { ...ok, prompt_cache_retention: 'in-memory' },
    { ...ok, prompt_cache_retention: '12h' },
    { ...ok, service_tier: 'scale' },
    { ...ok, service_tier: 'turbo', truncation: 'sometimes' },
    { ...ok, tool_choice: 'sometimes' },
    { ...ok, reasoning: { effort: 'max', summary: 'long' }, text: { verbosity: 'loud' } },
    { ...ok, input: [{ role: 'critic', content: 'x' }] },
    { ...ok, include: ['some.future.value'] },
  ];
  for (const body of bodies) {
    const res = await fetch(`${srv.url}/v1/responses`, { method: 'POST', body: JSON.stringify(body) });
    assert.equal(res.status, 200, `${JSON.stringify(body).slice(0, 120)}: ${await res.text()}`);
  }
});

test('malformed JSON body and empty body: 400 in the error shape', async () => {
  for (const body of ['{"model": "m", "input": ', '', 'not json']) {
    const res = await fetch(`${srv.url}/v1/responses`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    assert.equal(res.status, 400);
    const json = await res.json();
    assert.equal(json.error.type, 'invalid_request_error');
    assert.match(json.error.message, /could not parse the JSON body/);
  }
  const arr = await fetch(`${srv.url}/v1/responses`, { method: 'POST', body: '[1,2]' });
  assert.equal(arr.status, 400);
  assert.equal((await arr.json()).error.code, 'invalid_type');
});
