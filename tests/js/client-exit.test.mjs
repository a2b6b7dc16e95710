// A call that ended leaves nothing behind that keeps a process alive: no timer waits for a
// deadline (the default timeout is 10 minutes) once a stream is aborted, left early, cancelled
// or done, nor while the caller holds its events and reads no more, so a script (a CLI, a test
// file, a Worker) exits when its work is over.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';

const SCRIPT = `
import { ResponsesClient } from 'cometapi-responses';
const enc = new TextEncoder();
const first = 'event: response.created\\ndata: {"type":"response.created","sequence_number":0,"response":{"id":"r","status":"in_progress","output":[]}}\\n\\n';
// a body that sends one event and then nothing, ever (a server that went quiet)
const fetch = async () => new Response(new ReadableStream({ start(c) { c.enqueue(enc.encode(first)); } }), { status: 200, headers: { 'content-type': 'text/event-stream' } });
const client = new ResponsesClient({ apiKey: 'sk-test', baseURL: 'http://127.0.0.1:9/v1', fetch, maxRetries: 0 });
const params = { model: 'm', input: 'hi' };
// left early (break)
for await (const ev of client.stream(params)) break;
// aborted with a signal while a read waits
const ac = new AbortController();
const s = client.stream(params, { signal: ac.signal });
const it = s[Symbol.asyncIterator]();
await it.next();
const pending = it.next().catch(() => 'aborted');
ac.abort();
console.log(await pending === 'aborted' ? 'aborted' : 'not aborted');
// toReadableStream() cancelled
const r = client.stream(params).toReadableStream().getReader();
await r.read();
await r.cancel();
// read once, then left alone (neither closed nor aborted): its timer fires once, with no read
// pending, and is not set again
const quiet = new ResponsesClient({ apiKey: 'sk-test', baseURL: 'http://127.0.0.1:9/v1', fetch, maxRetries: 0, timeout: 200 });
await quiet.stream(params)[Symbol.asyncIterator]().next();
// read once with the default timeout (10 minutes), then left alone: while the events are the
// caller's, the deadline's timer keeps no process alive
await client.stream(params)[Symbol.asyncIterator]().next();
// a background stream whose chunk hands out an event and then breaks (malformed data): it waits
// to resume, its deadline's timer due before the wait ends; the process waits for the resume
const ev = (o) => 'data: ' + JSON.stringify(o) + '\\n\\n';
let calls = 0;
const resumable = async () => ++calls === 1
  ? new Response(new ReadableStream({ start(c) {
      c.enqueue(enc.encode(ev({ type: 'response.created', sequence_number: 0, response: { id: 'resp_1', status: 'in_progress', output: [] } })));
      setTimeout(() => c.enqueue(enc.encode(ev({ type: 'response.output_text.delta', sequence_number: 1, item_id: 'm', output_index: 0, content_index: 0, delta: 'x' }) + 'data: {not json\\n\\n')), 300);
    } }), { headers: { 'content-type': 'text/event-stream' } })
  : new Response(ev({ type: 'response.completed', sequence_number: 2, response: { id: 'resp_1', status: 'completed', output: [] } }), { headers: { 'content-type': 'text/event-stream' } });
const bg = new ResponsesClient({ apiKey: 'sk-test', baseURL: 'http://127.0.0.1:9/v1', fetch: resumable, timeout: 400 });
for await (const e of bg.stream({ ...params, background: true })) void e;
console.log('resumed');
console.log('done');
`;

test('after a stream is left early, aborted while a read waits, its readable cancelled, or left alone past its timeout, the process exits', async () => {
  const child = spawn(process.execPath, ['--input-type=module', '-e', SCRIPT], { cwd: new URL('../../', import.meta.url), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const code = await new Promise((resolve) => {
    const t = setTimeout(() => {
      child.kill();
      resolve('still running 20 s after its work was done');
    }, 20_000);
    child.on('exit', (c) => {
      clearTimeout(t);
      resolve(c);
    });
  });
  assert.equal(code, 0, out);
  assert.match(out, /aborted\nresumed\ndone/);
});
