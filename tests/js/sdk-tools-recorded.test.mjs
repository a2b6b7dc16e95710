// A runTools run driven end to end by the four recorded responses of one real `store: false`
// tool loop (../shared/fixtures/recorded/openai_reasoning_encrypted_step1..4.sse, third-party
// data read in place, never copied), replayed by a custom fetch. Checks every request the loop
// sends: the whole history each time (the user's input, every output item as it came —
// reasoning with its encrypted_content, function calls without the client's parsed_arguments —
// and every function_call_output), `include: ['reasoning.encrypted_content']` merged in, no
// previous_response_id. SKIPPED without the recordings; a failure under CI=true.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { functionTool } from 'cometapi-responses';
import { scripted } from './sdk-helpers.mjs';
import { has, finished } from './client-helpers.mjs';

const DIR = new URL('../../../shared/fixtures/recorded/', import.meta.url);
const FILES = [1, 2, 3, 4].map((i) => new URL(`openai_reasoning_encrypted_step${i}.sse`, DIR));
const present = FILES.every((f) => existsSync(f));
if (!present) {
  assert.notEqual(process.env.CI, 'true', `CI=true: the recorded fixtures are required (${DIR.pathname})`);
  console.log(`SKIPPED: no recorded fixtures at ${DIR.pathname} (the shared third-party recordings are not part of this repository)`);
}

/** The `data:` JSON of every event of an SSE file. */
const eventsIn = (text) => text.split('\n').filter((l) => l.startsWith('data: ')).map((l) => JSON.parse(l.slice(6)));

test('a store:false run replays the recorded loop: the whole history with encrypted reasoning, every request', { skip: !present }, async () => {
  const bodies = FILES.map((f) => readFileSync(f, 'utf8'));
  const recorded = bodies.map(eventsIn);
  const finals = recorded.map((evs) => evs.at(-1).response);
  const { client, requests } = scripted((body, n) => {
    assert.ok(n < bodies.length, 'no more requests than recorded responses');
    return new Response(bodies[n], { headers: { 'content-type': 'text/event-stream' } });
  });
  const ops = { add: (a, b) => a + b, subtract: (a, b) => a - b, multiply: (a, b) => a * b, divide: (a, b) => a / b };
  const calculator = functionTool({
    name: 'calculator',
    description: finals[0].tools[0].description,
    parameters: finals[0].tools[0].parameters,
    strict: true,
    execute: ({ a, b, op }) => ops[op](a, b),
  });
  const input = 'Use the calculator, one operation per step: (12 + 7) * 3 * 10.';
  const thinking = { effort: 'high', summary: 'detailed' };
  const include = ['message.output_text.logprobs'];
  const params = { model: 'gpt-5.1-codex-max', input, tools: [calculator], reasoning: thinking, store: false, include };
  const run = client.runTools(params);
  const { events, final } = await finished(run);

  // every event of every recorded response, in order
  assert.deepStrictEqual(events, recorded.flat());
  assert.equal(final.output_text, 'The final result is **570**.');
  assert.equal(run.steps.length, 4);
  assert.deepStrictEqual(run.steps.map((s) => s.toolCalls.map((c) => c.output)), [['19'], ['57'], ['570'], []]);
  assert.deepStrictEqual(run.steps.map((s) => s.response.id), finals.map((f) => f.id));

  // the requests
  assert.equal(requests.length, 4);
  const reasoning = finals[0].output[0];
  assert.equal(reasoning.type, 'reasoning');
  assert.ok(reasoning.encrypted_content.length > 100);
  const wireTool = { type: 'function', name: 'calculator', description: calculator.description, parameters: calculator.parameters, strict: true };
  let history = [{ type: 'message', role: 'user', content: input }];
  requests.forEach(({ body: req }, i) => {
    assert.deepStrictEqual(req.include, ['message.output_text.logprobs', 'reasoning.encrypted_content'], `request ${i}: include`);
    assert.equal('previous_response_id' in req, false, `request ${i}`);
    has(req, { store: false, stream: true, tools: [wireTool], reasoning: params.reasoning }, `request ${i}`);
    if (i === 0) {
      assert.equal(req.input, input);
      return;
    }
    const step = run.steps[i - 1];
    for (const item of finals[i - 1].output) {
      const { parsed_arguments, ...asSent } = item;
      if (item.type === 'function_call') assert.ok(step.response.output.find((o) => o.id === item.id).parsed_arguments, 'the snapshot has parsed_arguments');
      history.push(asSent);
    }
    for (const c of step.toolCalls) history.push({ type: 'function_call_output', call_id: c.call_id, output: c.output });
    assert.deepStrictEqual(req.input, history, `request ${i}: the whole history`);
    assert.equal(req.input[1].encrypted_content, reasoning.encrypted_content, `request ${i}: the encrypted reasoning`);
  });
  assert.ok(requests.every((r) => !JSON.stringify(r.body).includes('parsed_arguments')));
});
