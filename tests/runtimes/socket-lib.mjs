// The consumer script of the WebSocket-mode runtime tests (Node 22/24, Bun, Deno, workerd):
// client.connect() with the runtime's own WebSocket (no constructor passed), a streamed response,
// a second turn chained by previous_response_id with store: false (connection-local memory on the
// server), two lanes at once, and a refused upgrade for a wrong key; one JSON report that
// checkSocketReport() asserts on.
import assert from 'node:assert/strict';

/** The body of the check: an async function of (ResponsesClient, baseURL, key) → the report. */
export const SOCKET_CHECK = `
async function socketCheck(ResponsesClient, baseURL, key) {
  const client = new ResponsesClient({ apiKey: key, baseURL, maxRetries: 0 });
  const socket = await client.connect({ timeout: 10000 });
  const report = { url: socket.url };
  try {
    const stream = socket.stream({ model: 'gpt-5.4', input: 'Hello over a socket', store: false });
    const types = [];
    let text = '';
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'response.output_text.delta') text += event.delta;
    }
    const first = await stream.finalResponse();
    Object.assign(report, { types, text, finalText: first.output_text, status: first.status, firstId: first.id });
    const second = await socket.create({ model: 'gpt-5.4', input: 'and then', previous_response_id: first.id, store: false });
    report.second = { status: second.status, id: second.id, text: second.output_text };
    const lane = async (streamId, input) => {
      const s = socket.stream({ model: 'gpt-5.4', input }, { streamId });
      const lanes = new Set();
      let t = '';
      for await (const e of s) {
        lanes.add(e.stream_id);
        if (e.type === 'response.output_text.delta') t += e.delta;
      }
      const r = await s.finalResponse();
      return { lanes: [...lanes], text: t, finalText: r.output_text, status: r.status };
    };
    report.lanes = await Promise.all([lane('a', 'lane alpha'), lane('b', 'lane beta')]);
  } finally {
    socket.close();
    await socket.closed;
  }
  try {
    const bad = await new ResponsesClient({ apiKey: 'sk-wrong', baseURL, maxRetries: 0 }).connect({ timeout: 10000 });
    bad.close();
    report.refused = null;
  } catch (e) {
    report.refused = e.name;
  }
  return report;
}
`;

/** A script run as `<runtime> socket.mjs <baseURL> <key>`, importing the package by name. */
export const SOCKET_SCRIPTS = {
  'socket.mjs':
    "import { ResponsesClient } from 'cometapi-responses';\n" + SOCKET_CHECK +
    'console.log(JSON.stringify(await socketCheck(ResponsesClient, process.argv[2], process.argv[3])));\n',
  // a Worker (workerd): the same check on each request, with the mock's URL and the key as bindings
  'worker.mjs':
    "import { ResponsesClient } from 'cometapi-responses';\n" + SOCKET_CHECK +
    'export default { async fetch(request, env) { return Response.json(await socketCheck(ResponsesClient, env.BASE_URL, env.KEY)); } };\n',
};

/** Asserts a report of socketCheck() for a socket to `baseURL`. */
export function checkSocketReport(r, baseURL) {
  assert.equal(r.url, `${baseURL.replace(/^http/, 'ws')}/responses`);
  assert.equal(r.types[0], 'response.created');
  assert.equal(r.types.at(-1), 'response.completed');
  assert.ok(r.types.filter((t) => t === 'response.output_text.delta').length >= 3, 'streamed in several deltas');
  assert.match(r.text, /Hello over a socket/);
  assert.equal(r.finalText, r.text);
  assert.equal(r.status, 'completed');
  // a store: false response is found again only in the connection's memory
  assert.equal(r.second.status, 'completed');
  assert.notEqual(r.second.id, r.firstId);
  assert.match(r.second.text, /and then/);
  assert.deepEqual(r.lanes.map((l) => l.lanes), [['a'], ['b']], 'each lane sees only its own events');
  assert.match(r.lanes[0].text, /lane alpha/);
  assert.match(r.lanes[1].text, /lane beta/);
  for (const l of r.lanes) {
    assert.equal(l.status, 'completed');
    assert.equal(l.finalText, l.text);
  }
  assert.equal(r.refused, 'ConnectionError', 'a wrong key: the upgrade is refused');
}
