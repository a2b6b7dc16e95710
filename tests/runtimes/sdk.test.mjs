// The SDK helpers' contract (sdk-contract.mjs) in headless Chromium and in workerd (miniflare);
// every line must say "ok" in both. Then zod 4 (pinned in tests/runtimes/tools/zod) as a Standard
// Schema `validate` of jsonSchemaFormat and functionTool, in Node: transforms applied to parse() and
// finalResponse(), a rejection is an OutputParseError with zod's issues, or goes back to the model for a tool.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ResponsesClient, jsonSchemaFormat, functionTool, OutputParseError } from 'cometapi-responses';
import { bundleWorker, freshConsumer, installTools, launchChromium, modulePage, routePages, startWorker, useMock, using, waitDone, watchPage } from './lib.mjs';
import { LINES } from './sdk-contract.mjs';

const CONTRACT = readFileSync(new URL('./sdk-contract.mjs', import.meta.url), 'utf8');

const mock = useMock({ delayMs: 2 });
let z;
let client;
before(async () => {
  await mock.ready;
  const dir = await installTools('zod');
  ({ z } = await import(pathToFileURL(join(dir, 'node_modules', 'zod', 'index.js')).href));
  client = new ResponsesClient({ baseURL: `${mock.url}/v1`, maxRetries: 0 });
});

function assertAllOk(results, where) {
  assert.deepStrictEqual(Object.keys(results), LINES, `${where}: every line ran`);
  for (const [name, r] of Object.entries(results)) assert.equal(r, 'ok', `${where}: ${name}`);
}

const PAGE = `import * as api from 'cometapi-responses';
import { runContract } from '/runtime-test/sdk-contract.mjs';
window.__results = await runContract(api, '/v1');
document.getElementById('status').textContent = 'done';`;

test('every line of the contract works in Chromium (pkg/browser.js, a plain module page)', async () => {
  await using(await launchChromium(), async (browser) => {
    const tab = await browser.newPage();
    const problems = watchPage(tab);
    const html = modulePage({ 'cometapi-responses': '/pkg/browser.js' }, PAGE);
    await routePages(tab, mock.url, { '/runtime-test/sdk.html': html, '/runtime-test/sdk-contract.mjs': CONTRACT });
    await tab.goto(`${mock.url}/runtime-test/sdk.html`);
    await waitDone(tab, problems);
    assertAllOk(await tab.evaluate(() => window.__results), 'Chromium');
    assert.deepStrictEqual(problems, []);
  });
});

test('every line of the contract works in workerd (a Worker bundled as wrangler does, miniflare)', async () => {
  const worker = `import * as api from 'cometapi-responses';
import { runContract } from './sdk-contract.mjs';
export default { async fetch(request, env) { return Response.json(await runContract(api, env.BASE_URL)); } };
`;
  const dir = await freshConsumer('sdk-worker', { 'src/index.js': worker, 'src/sdk-contract.mjs': CONTRACT });
  await using(await startWorker(await bundleWorker(dir, 'src/index.js'), { BASE_URL: `${mock.url}/v1` }), async (mf) => {
    const res = await mf.dispatchFetch('http://worker.test/');
    assert.equal(res.status, 200);
    assertAllOk(await res.json(), 'workerd');
  });
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
