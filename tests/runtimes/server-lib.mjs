// The consumer scripts of the server-side runtime tests (Node 20/22/24, Bun, Deno): the same two
// files, an ES module and a CommonJS one, import the package by name from the consumer's own
// node_modules, stream from the mock backend, make a non-streaming create(), meet an ApiError,
// and print one JSON report that checkReport() asserts on.
import assert from 'node:assert/strict';
import { realpathSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SECRET } from './lib.mjs';

// The consumer's script: stream, then a non-streaming call, then print a JSON report.
const scriptBody = (resolveExpr) => `
const baseURL = process.argv[2];
const client = new ResponsesClient({ apiKey: '${SECRET}', baseURL });
const stream = client.stream({ model: 'gpt-5.4', input: 'Hello from a server runtime' });
const types = [];
let text = '';
for await (const event of stream) {
  types.push(event.type);
  if (event.type === 'response.output_text.delta') text += event.delta;
}
const final = await stream.finalResponse();
const created = await client.create({ model: 'gpt-5.4', input: 'Hello again' });
let apiError = null;
try {
  await new ResponsesClient({ apiKey: 'sk-wrong', baseURL, maxRetries: 0 }).create({ model: 'gpt-5.4', input: 'x' });
} catch (e) {
  apiError = { name: e.name, isApiError: e instanceof ApiError, status: e.status };
}
console.log(JSON.stringify({
  resolved: ${resolveExpr},
  types, text, finalText: final.output_text, status: final.status,
  createdText: created.output_text, apiError,
  exports: Object.keys(pkg).sort(),
}));
`;

/** esm.mjs (import) and cjs.cjs (require): run either with `<runtime> FILE <baseURL>`. */
export const CONSUMER_SCRIPTS = {
  'esm.mjs':
    "import * as pkg from 'cometapi-responses';\nimport { ResponsesClient, ApiError } from 'cometapi-responses';\n" +
    scriptBody("import.meta.resolve('cometapi-responses')"),
  'cjs.cjs':
    "const pkg = require('cometapi-responses');\nconst { ResponsesClient, ApiError } = require('cometapi-responses');\n" +
    `(async () => {${scriptBody("require.resolve('cometapi-responses')")}})().catch((e) => { console.error(e); process.exit(1); });\n`,
  // Deno's npm: specifiers (Netlify Edge, Deno Deploy), resolved from the project's node_modules
  'deno-npm.mjs':
    "import * as pkg from 'npm:cometapi-responses';\nimport { ResponsesClient, ApiError } from 'npm:cometapi-responses';\n" +
    scriptBody("import.meta.resolve('npm:cometapi-responses')"),
  // for server bundles run where there is no node_modules to resolve from
  'bundle.mjs':
    "import * as pkg from 'cometapi-responses';\nimport { ResponsesClient, ApiError } from 'cometapi-responses';\n" +
    scriptBody('null'),
};

/** Parses the one JSON line a consumer script printed (runtimes may print other lines before it). */
export function parseReport(stdout) {
  const line = stdout.trim().split('\n').at(-1);
  try {
    return JSON.parse(line);
  } catch {
    throw new Error(`the script printed no JSON report:\n${stdout}`);
  }
}

/**
 * Asserts a report: resolved from the consumer's node_modules to `entry` (the `node` condition's
 * node.js by default), streamed incrementally, create() answered, an ApiError thrown for a wrong key.
 */
export function checkReport(report, consumer, { entry = 'node.js' } = {}) {
  // bundle.mjs (a server bundle) resolves nothing at run time: consumer is null
  if (consumer !== null) {
    const resolved = report.resolved.startsWith('file:') ? fileURLToPath(report.resolved) : report.resolved;
    assert.ok(
      realpathSync(resolved).startsWith(realpathSync(join(consumer, 'node_modules'))),
      `resolved from the consumer's own node_modules: ${resolved}`,
    );
    assert.ok(resolved.endsWith(join('cometapi-responses', entry)), `the entry is ${entry}: ${resolved}`);
  }
  assert.equal(report.types[0], 'response.created');
  assert.equal(report.types.at(-1), 'response.completed');
  assert.ok(report.types.filter((t) => t === 'response.output_text.delta').length >= 3);
  assert.ok(report.text.length > 0);
  assert.equal(report.finalText, report.text);
  assert.equal(report.status, 'completed');
  assert.equal(typeof report.createdText, 'string');
  assert.ok(report.createdText.length > 0);
  assert.deepEqual(report.apiError, { name: 'ApiError', isApiError: true, status: 401 });
  for (const name of ['ResponsesClient', 'ResponseStream', 'ResponseAccumulator', 'SseParser', 'ApiError', 'ConnectionError', 'TimeoutError', 'AbortError', 'StreamError', 'ValidationError', 'init']) {
    assert.ok(report.exports.includes(name), `exports ${name}`);
  }
}
