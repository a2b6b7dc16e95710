// The tool loop: functionTool, client.runTools → a run: its events (every step's, in
// order), steps, finalResponse(), abort(). The calls of one response run concurrently; results go
// back as function_call_output (strings as they are, other values JSON-encoded, errors as their
// message); the loop stops without calls, after maxSteps, or at a tool without execute; execute
// and validate are never sent. Also parsed_arguments on the function calls of a snapshot.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { functionTool, jsonSchemaFormat, AbortError, ApiError, OutputParseError, ValidationError } from 'cometapi-responses';
import {
  useMock, clientFor, rejection, sleep, read, frame, collect, isError, fails, drained, finished, has,
} from './client-helpers.mjs';
import { scripted, sseAnswer, eventsOf, response, message, fnCall, schema, jsonAnswer } from './sdk-helpers.mjs';

const WEATHER = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false };

const { srv } = await useMock();

test('functionTool is the plain wire tool; execute and validate are kept off the wire', () => {
  const execute = () => 'x';
  const validate = schema((v) => v);
  const opts = { name: 'get_weather', description: 'Weather of a city', parameters: WEATHER, strict: true };
  const wire = { type: 'function', ...opts };
  const tool = functionTool({ ...opts, execute, validate });
  assert.deepStrictEqual(tool, wire);
  has(tool, { execute, validate });
  assert.deepStrictEqual(JSON.parse(JSON.stringify(tool)), wire);
  assert.deepStrictEqual(functionTool({ name: 'n' }), { type: 'function', name: 'n' });
  assert.throws(() => functionTool({}), TypeError);
  assert.throws(() => functionTool({ name: 'n', execute: 'no' }), TypeError);
  assert.throws(() => functionTool({ name: 'n', validate: {} }), /Standard Schema/);
});

test('runTools against the mock: events of every step in order, steps, the final response, the requests', async () => {
  const bodies = [];
  const client = clientFor(srv, { fetch: (url, init) => (bodies.push(JSON.parse(init.body)), fetch(url, init)) });
  const calls = [];
  const wire = { name: 'get_weather', description: 'The weather of a city', parameters: WEATHER, strict: true };
  const execute = async (args, ctx) => (calls.push({ args, ctx }), { city: args.city, celsius: 21 });
  const tool = functionTool({ ...wire, execute });
  const run = client.runTools({ model: 'mock', input: 'What is the weather in Lisbon?', tools: [tool] });
  const { events, final } = await finished(run);
  assert.equal(run.steps.length, 2);
  const [first, second] = run.steps;
  assert.strictEqual(second.response, final);
  assert.ok(!final.output.some((i) => i.type === 'function_call'), 'the answer calls no tool');
  // events: step 1's, then step 2's, each from response.created to response.completed
  const bounds = events.flatMap((e, i) => (e.type === 'response.created' || e.type === 'response.completed' ? [[e.type, e.response.id, i]] : []));
  assert.deepStrictEqual(bounds.map((b) => b.slice(0, 2)), [
    ['response.created', first.response.id],
    ['response.completed', first.response.id],
    ['response.created', final.id],
    ['response.completed', final.id],
  ]);
  assert.equal(bounds.at(-1)[2], events.length - 1);
  // the call, its output, what execute got
  const call = first.response.output.find((i) => i.type === 'function_call');
  assert.equal(calls.length, 1);
  assert.deepStrictEqual(calls[0].args, JSON.parse(call.arguments));
  assert.equal(calls[0].ctx.callId, call.call_id);
  assert.ok(calls[0].ctx.signal instanceof AbortSignal && !calls[0].ctx.signal.aborted);
  const output = JSON.stringify({ city: calls[0].args.city, celsius: 21 });
  assert.deepStrictEqual(first.toolCalls, [{ call_id: call.call_id, name: 'get_weather', arguments: call.arguments, output }]);
  assert.deepStrictEqual(second.toolCalls, []);
  assert.match(final.output_text, /get_weather returned/);
  // the requests: the tool as on the wire; the second chains to the first with the output
  assert.equal(bodies.length, 2);
  for (const b of bodies) has(b, { tools: [{ type: 'function', ...wire }], stream: true });
  assert.equal(bodies[0].input, 'What is the weather in Lisbon?');
  assert.equal(bodies[1].previous_response_id, first.response.id);
  assert.deepStrictEqual(bodies[1].input, [{ type: 'function_call_output', call_id: call.call_id, output }]);
});

/** A client answering its n-th request with the n-th of `finals` (the last one from then on). */
const answers = (...finals) => scripted((body, n) => sseAnswer(finals[Math.min(n, finals.length - 1)], 4));

test('the calls of one response run concurrently; results: strings as they are, other values JSON, errors as messages', async () => {
  const first = response([
    fnCall('a', '{"x": 1}', 'call_a'),
    fnCall('b', '', 'call_b'),
    fnCall('c', '{"n": 2}', 'call_c'),
    fnCall('d', '{"n": 3}', 'call_d'),
    fnCall('e', '{"n": 4}', 'call_e'),
    fnCall('f', '{"bad": ', 'call_f'),
  ]);
  const { client, requests } = answers(first, response([message('done')]));
  let started = 0;
  let release;
  const allStarted = new Promise((r) => (release = r));
  const gate = async () => {
    if (++started === 2) release();
    await allStarted; // a and b each wait for the other: only a concurrent run gets past
  };
  const ran = [];
  const tools = [
    functionTool({ name: 'a', execute: async (args) => (await gate(), ran.push(['a', args]), 'plain text') }),
    functionTool({ name: 'b', execute: async (args) => (await gate(), ran.push(['b', args]), { ok: true, list: [1, 'é'] }) }),
    functionTool({ name: 'c', execute: () => 42 }),
    functionTool({ name: 'd', execute: () => { throw new RangeError('d broke'); } }),
    functionTool({ name: 'e', execute: async () => { throw 'a string'; } }),
    functionTool({ name: 'f', execute: () => assert.fail('invalid arguments are not run') }),
  ];
  const run = client.runTools({ model: 'm', input: 'go', tools });
  const timeout = sleep(5000).then(() => 'timeout');
  assert.notEqual(await Promise.race([run.finalResponse(), timeout]), 'timeout', 'the calls ran one after the other');
  assert.deepStrictEqual(ran.sort(), [['a', { x: 1 }], ['b', {}]], 'empty arguments are {}');
  const calls = run.steps[0].toolCalls;
  assert.deepStrictEqual(calls.map((c) => [c.call_id, c.output]), [
    ['call_a', 'plain text'],
    ['call_b', '{"ok":true,"list":[1,"é"]}'],
    ['call_c', '42'],
    ['call_d', 'Error: d broke'],
    ['call_e', 'Error: a string'],
    ['call_f', calls[5].output],
  ]);
  assert.match(calls[5].output, /^Error: arguments are not valid JSON: /);
  assert.ok(calls[3].error instanceof RangeError && calls[3].error.message === 'd broke');
  assert.ok(calls[4].error instanceof Error && calls[4].error.message === 'a string');
  assert.ok(calls[5].error instanceof OutputParseError && calls[5].error.text === '{"bad": ');
  assert.ok(calls.slice(0, 3).every((c) => !('error' in c)));
  // the next request carries every output, in the calls' order
  assert.deepStrictEqual(requests[1].body.input, calls.map((c) => ({ type: 'function_call_output', call_id: c.call_id, output: c.output })));
  assert.equal(requests[1].body.previous_response_id, first.id);
  // execute and validate never go out
  for (const r of requests) for (const t of r.body.tools) assert.deepStrictEqual(Object.keys(t), ['type', 'name'], 'as given, in order');
});

test('validate checks (and transforms) the arguments; a failure is sent back as the output', async () => {
  const first = response([fnCall('add', '{"a": 1, "b": 2}', 'c1'), fnCall('add', '{"a": "x"}', 'c2')]);
  const { client } = answers(first, response([message('3')]));
  const numbers = schema((v) => (typeof v.a === 'number' && typeof v.b === 'number' ? { sum: v.a + v.b } : { issues: [{ message: 'a and b must be numbers', path: ['a'] }] }), { async: true });
  const got = [];
  const add = functionTool({ name: 'add', parameters: { type: 'object' }, validate: numbers, execute: (args) => (got.push(args), args.sum) });
  const run = client.runTools({ model: 'm', input: 'add', tools: [add] });
  await run.finalResponse();
  assert.deepStrictEqual(got, [{ sum: 3 }]);
  const [ok, bad] = run.steps[0].toolCalls;
  assert.equal(ok.output, '3');
  assert.equal(bad.output, 'Error: the arguments failed validation: a: a and b must be numbers');
  assert.ok(bad.error instanceof OutputParseError);
  assert.deepStrictEqual(bad.error.issues, [{ message: 'a and b must be numbers', path: ['a'] }]);
  // a plain tool object with its own `execute` works too (stripped before sending)
  const { client: c2, requests } = answers(response([fnCall('t', '{}', 'c1')]), response([message('ok')]));
  const plain = { type: 'function', name: 't', parameters: { type: 'object' }, execute: () => 'r' };
  const r2 = c2.runTools({ model: 'm', input: 'x', tools: [plain, { type: 'web_search' }] });
  await r2.finalResponse();
  assert.deepStrictEqual(requests[0].body.tools, [{ type: 'function', name: 't', parameters: { type: 'object' } }, { type: 'web_search' }]);
  assert.equal(r2.steps[0].toolCalls[0].output, 'r');
});

test('the loop stops after maxSteps responses, and at a tool without execute (the calls left pending)', async () => {
  const looping = () => scripted(() => sseAnswer(response([fnCall('t', '{}', `c${Math.random()}`)])));
  const always = looping();
  const t = functionTool({ name: 't', execute: () => 'again' });
  const run = always.client.runTools({ model: 'm', input: 'x', tools: [t] }, { maxSteps: 3 });
  const final = await run.finalResponse();
  assert.equal(always.requests.length, 3);
  assert.equal(run.steps.length, 3);
  assert.deepStrictEqual(run.steps.map((s) => s.toolCalls.length), [1, 1, 0]);
  assert.equal(final.output[0].type, 'function_call', 'the last calls are pending in the final response');
  // default: 10
  const ten = looping();
  await ten.client.runTools({ model: 'm', input: 'x', tools: [t] }).finalResponse();
  assert.equal(ten.requests.length, 10);
  // human in the loop
  const pending = scripted(() => sseAnswer(response([fnCall('t', '{}', 'c1'), fnCall('approve', '{"id": 7}', 'c2')])));
  const approve = functionTool({ name: 'approve', parameters: { type: 'object' } });
  const hitl = pending.client.runTools({ model: 'm', input: 'x', tools: [t, approve] });
  const last = await hitl.finalResponse();
  assert.equal(pending.requests.length, 1, 'no further request');
  assert.deepStrictEqual(hitl.steps[0].toolCalls, []);
  assert.deepStrictEqual(last.output.map((i) => i.call_id), ['c1', 'c2']);
  // options are checked
  assert.throws(() => t && always.client.runTools({ model: 'm', input: 'x' }, { maxSteps: 1.5 }), TypeError);
  assert.throws(() => always.client.runTools({ model: 'm', input: 'x' }, { maxSteps: 0 }), ValidationError);
  assert.throws(() => always.client.runTools({ model: 'm' }), ValidationError, 'invalid params throw at once');
  assert.throws(() => always.client.runTools('nope'), TypeError);
});

test('a run without tool calls is one step; an error of a step rejects the run', async () => {
  const { client } = scripted((body, n) => (n === 0 ? sseAnswer(response([fnCall('t', '{}', 'c1')])) : jsonAnswer({ error: { message: 'bad output', type: 'invalid_request_error' } }, 400)));
  const { stream: run, events, error } = await read(client.runTools({ model: 'm', input: 'x', tools: [functionTool({ name: 't', execute: () => 'r' })] }));
  assert.ok(error instanceof ApiError && error.status === 400, String(error));
  assert.equal(events.at(-1).type, 'response.completed');
  assert.ok((await rejection(run.finalResponse())) === error);
  const single = scripted(() => sseAnswer(response([message('hi')])));
  const r = single.client.runTools({ model: 'm', input: 'x', tools: [] });
  assert.equal((await r.finalResponse()).output_text, 'hi');
  assert.equal(r.steps.length, 1);
  assert.deepStrictEqual(await drained(r), [], 'the run was read to its end by finalResponse()');
});

/** An event stream that sends `head` and then waits until `signal` aborts. */
function hanging(head, signal) {
  const body = new ReadableStream({
    start(c) {
      c.enqueue(new TextEncoder().encode(head));
      signal.addEventListener('abort', () => c.error(new DOMException('aborted', 'AbortError')));
    },
  });
  return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
}

test('abort() during a stream, during the tools, by the signal, or by leaving the loop: AbortError, no further request', async () => {
  const created = eventsOf(response([message('never')])).slice(0, 2).map((e) => frame(e)).join('');
  // during the stream
  // the default retries: the retry layer must not send the request again after an abort
  const { client: c, requests: log } = scripted((body, n, init) => hanging(created, init.signal), { maxRetries: 2 });
  const run = c.runTools({ model: 'm', input: 'x', tools: [] });
  const { events, error } = await collect(run, (e, seen) => { if (seen.length === 2) run.abort(); });
  isError(error, AbortError);
  await fails(run.finalResponse(), AbortError);
  assert.deepStrictEqual(events.map((e) => e.type), ['response.created', 'response.in_progress']);
  assert.equal(log.length, 1);
  // during the tools: their signal aborts, the run rejects at once
  const tools = scripted(() => sseAnswer(response([fnCall('slow', '{}', 'c1')])));
  let toolSignal;
  const slow = functionTool({ name: 'slow', execute: (args, { signal }) => new Promise((resolve, reject) => {
    toolSignal = signal;
    signal.addEventListener('abort', () => setTimeout(() => reject(new Error('stopped')), 50));
  }) });
  const r2 = tools.client.runTools({ model: 'm', input: 'x', tools: [slow] });
  const p2 = r2.finalResponse();
  while (!toolSignal) await sleep(5);
  const t0 = Date.now();
  r2.abort();
  await fails(p2, AbortError);
  assert.ok(Date.now() - t0 < 40, 'not waiting for the tool');
  assert.equal(toolSignal.aborted, true);
  await sleep(80);
  assert.equal(tools.requests.length, 1);
  // the signal option, already aborted: nothing is sent
  const none = scripted(() => sseAnswer(response([message('x')])));
  const r3 = none.client.runTools({ model: 'm', input: 'x', tools: [] }, { signal: AbortSignal.abort() });
  await fails(r3.finalResponse(), AbortError);
  assert.equal(none.requests.length, 0);
  // the signal option, aborted later
  const later = new AbortController();
  const r4 = tools.client.runTools({ model: 'm', input: 'x', tools: [slow] }, { signal: later.signal, timeout: 5000 });
  const p4 = r4.finalResponse();
  await sleep(30);
  later.abort();
  await fails(p4, AbortError);
  // leaving the loop early
  const loop = scripted(() => sseAnswer(response([fnCall('t', '{}', 'c1')])));
  const r5 = loop.client.runTools({ model: 'm', input: 'x', tools: [functionTool({ name: 't', execute: () => 'r' })] });
  for await (const ev of r5) if (ev.type === 'response.in_progress') break;
  await fails(r5.finalResponse(), AbortError);
  await sleep(20);
  assert.equal(loop.requests.length, 1);
  r5.abort(); // no-op once over
});

test('function calls in a snapshot get parsed_arguments: best effort while streaming, exact when done', async () => {
  const args = '{"city": "Lisbon", "days": [1, 2], "unit": "c"}';
  const { client } = scripted(() => sseAnswer(response([fnCall('get_weather', args, 'c1')]), 2));
  const stream = client.stream({ model: 'm', input: 'x' });
  const values = [];
  for await (const ev of stream) {
    const item = stream.response.output[0];
    if (ev.type === 'response.function_call_arguments.delta') {
      values.push(structuredClone(item.parsed_arguments)); // the snapshot changes in place
    } else if (ev.type === 'response.output_item.added') {
      assert.equal(item.parsed_arguments, undefined, 'no value before the arguments start');
    }
  }
  assert.deepStrictEqual(values[0], {}, 'after `{"`');
  assert.ok(values.some((v) => v.city === 'Lisb'), 'a string as its prefix');
  assert.ok(values.every((v) => v.city === undefined || 'Lisbon'.startsWith(v.city)));
  assert.ok(values.every((v) => v.days === undefined || [[], [1], [1, 2]].some((d) => JSON.stringify(d) === JSON.stringify(v.days))));
  has((await stream.finalResponse()).output[0], { parsed_arguments: JSON.parse(args), arguments: args });
});

test('finalResponse() asked before a for await in the same task: the loop still gets every event', async () => {
  const answer = (b, n) => sseAnswer(n === 0 ? response([fnCall('t', '{"city":"Lisbon"}', 'c1')]) : response([message('It is sunny in Lisbon.')]));
  const tool = functionTool({ name: 't', execute: () => 'sunny' });
  const alone = await collect(scripted(answer).client.runTools({ model: 'm', input: 'x', tools: [tool] }));
  const run = scripted(answer).client.runTools({ model: 'm', input: 'x', tools: [tool] });
  const final = run.finalResponse();
  const { events } = await collect(run);
  assert.deepEqual(events.map((e) => e.type), alone.events.map((e) => e.type));
  assert.equal((await final).output_text, 'It is sunny in Lisbon.');
});

test('a json_schema run: text beside function calls goes on with the loop; a final text that does not parse rejects with the stop reason and steps set', async () => {
  const format = jsonSchemaFormat('a', { type: 'object' });
  const tool = functionTool({ name: 't', execute: () => 'sunny' });
  const withCall = response([message('Let me look that up.'), fnCall('t', '{}', 'c1')]);
  const cut = response([message('{"answer": "Lis')], { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } });
  const run = (last) => scripted((b, n) => sseAnswer(n === 0 ? withCall : last)).client.runTools({ model: 'm', input: 'x', tools: [tool], text: { format } });
  const good = run(response([message('{"answer":"Lisbon"}')]));
  has(await good.finalResponse(), { output_parsed: { answer: 'Lisbon' } });
  assert.equal(good.steps.length, 2);
  const bad = run(cut);
  const e = await fails(bad.finalResponse(), OutputParseError, { text: '{"answer": "Lis' });
  assert.equal(bad.stopReason, 'no_tool_calls');
  assert.equal(bad.steps.length, 2);
  assert.equal(bad.steps[1].response.status, 'incomplete');
  assert.equal(e, await rejection(bad.finalResponse()));
});

test('a bridge that announces parallel calls at one index with one placeholder id (the OpenAI Agents SDK): every call runs, though its terminal event has no output', async () => {
  const F = '__fake_id__';
  const call = (i, city) => ({ id: F, type: 'function_call', call_id: `call_${i}`, name: 'get_weather', arguments: JSON.stringify({ city }) });
  const cities = ['Lisbon', 'Porto', 'Faro'];
  const step1 = [
    { type: 'response.created', response: { id: 'resp_1', object: 'response', status: 'in_progress', output: [] } },
    ...cities.flatMap((city, i) => [
      { type: 'response.output_item.added', output_index: 0, item: { ...call(i, city), arguments: '' } },
      { type: 'response.function_call_arguments.delta', output_index: 0, item_id: F, delta: call(i, city).arguments },
      { type: 'response.output_item.done', output_index: 0, item: call(i, city) },
    ]),
    { type: 'response.completed', response: { id: 'resp_1', object: 'response', status: 'completed' } },
  ];
  const step2 = [{ type: 'response.completed', response: response([message('Sunny everywhere.')], { id: 'resp_2' }) }];
  const sse = (events) => new Response(events.map((e) => `data: ${JSON.stringify(e)}\n\n`).join(''));
  const { client, requests } = scripted((body, i) => sse([step1, step2][i]));
  const ran = [];
  const tool = functionTool({ name: 'get_weather', parameters: WEATHER, execute: ({ city }) => (ran.push(city), `sunny in ${city}`) });
  const run = client.runTools({ model: 'm', input: 'Weather in Lisbon, Porto and Faro?', tools: [tool] });
  for await (const e of run);
  assert.equal((await run.finalResponse()).output_text, 'Sunny everywhere.');
  assert.deepEqual(ran.sort(), [...cities].sort());
  assert.deepEqual(requests[1].body.input.map((i) => i.call_id).sort(), ['call_0', 'call_1', 'call_2']);
});
