// zod 4 as a Standard Schema `validate` of jsonSchemaFormat and functionTool: transforms applied to parse()
// and finalResponse(), a rejection is an OutputParseError with zod's issues, or goes back to the model for a tool.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ResponsesClient, jsonSchemaFormat, functionTool, OutputParseError } from 'cometapi-responses';
import { installTools, useMock } from './lib.mjs';

let z;
const mock = useMock({ delayMs: 1 });
let client;
before(async () => {
  await mock.ready;
  const dir = await installTools('zod');
  ({ z } = await import(pathToFileURL(join(dir, 'node_modules', 'zod', 'index.js')).href));
  client = new ResponsesClient({ baseURL: `${mock.url}/v1`, maxRetries: 0 });
});

test('zod 4 validates and transforms structured outputs; its issues come with the OutputParseError', async () => {
  const Person = z.object({ name: z.string(), age: z.number().int() }).transform((p) => ({ ...p, label: `${p.name} (${p.age})` }));
  const schema = z.toJSONSchema(z.object({ name: z.string(), age: z.number().int() }));
  const format = jsonSchemaFormat('person', schema, { validate: Person });
  const r = await client.parse({ model: 'mock', input: 'Ada Lovelace, 36', text: { format } });
  const raw = JSON.parse(r.output_text);
  assert.deepStrictEqual(r.output_parsed, { ...raw, label: `${raw.name} (${raw.age})` });
  const stream = client.stream({ model: 'mock', input: 'Grace Hopper', text: { format } });
  for await (const ev of stream) void ev;
  const final = await stream.finalResponse();
  assert.equal(final.output_parsed.label, `${final.output_parsed.name} (${final.output_parsed.age})`);
  const Strict = z.object({ name: z.string().min(1000) });
  const e = await client.parse({ model: 'mock', input: 'x', text: { format: jsonSchemaFormat('p', schema, { validate: Strict }) } }).catch((err) => err);
  assert.ok(e instanceof OutputParseError, String(e));
  assert.deepStrictEqual(e.issues.map((i) => i.path), [['name']]);
  assert.match(e.message, /^the output failed validation: name: /);
});

test('zod 4 checks a tool\'s arguments before execute; a rejection is sent back as the output', async () => {
  const Args = z.object({ city: z.string().transform((c) => c.toUpperCase()) });
  const seen = [];
  const tool = functionTool({
    name: 'get_weather',
    parameters: z.toJSONSchema(z.object({ city: z.string() })),
    validate: Args,
    execute: (args) => (seen.push(args), `sunny in ${args.city}`),
  });
  const run = client.runTools({ model: 'mock', input: 'What is the weather in Lisbon?', tools: [tool] });
  await run.finalResponse();
  assert.deepStrictEqual(seen, [{ city: 'LISBON' }]);
  assert.equal(run.steps[0].toolCalls[0].output, 'sunny in LISBON');
  const Never = z.object({ city: z.number() });
  const rejecting = functionTool({ name: 'get_weather', parameters: { type: 'object' }, validate: Never, execute: () => assert.fail('not run') });
  const r2 = client.runTools({ model: 'mock', input: 'What is the weather in Lisbon?', tools: [rejecting] });
  await r2.finalResponse();
  const call = r2.steps[0].toolCalls[0];
  assert.match(call.output, /^Error: the arguments failed validation: city: /);
  assert.ok(call.error instanceof OutputParseError && call.error.issues.length === 1);
});
