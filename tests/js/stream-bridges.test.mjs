// Streams from servers that bridge other models into the Responses API (LiteLLM, transformers
// serve, open-responses-server: ../shared/fixtures/bridges, real bodies read in place, never
// copied) and synthetic streams shaped like them: `stream.response` and `partialParsed` reflect
// every event handed out, and a dropped connection's StreamError carries the text delivered.
// SKIPPED without the recordings; a failure under CI=true.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync, readdirSync } from 'node:fs';
import { StreamError } from 'cometapi-responses';
import { bodyOf, has, collect, deltaText } from './client-helpers.mjs';
import { scripted } from './sdk-helpers.mjs';

const DIR = new URL('../../../shared/fixtures/bridges/', import.meta.url);
const present = existsSync(DIR) && readdirSync(DIR).some((f) => f.endsWith('.sse'));
if (!present) {
  assert.notEqual(process.env.CI, 'true', `CI=true: the bridge fixtures are required (${DIR.pathname})`);
  console.log(`SKIPPED: no bridge fixtures at ${DIR.pathname}`);
}
const FILES = present ? readdirSync(DIR).filter((f) => f.endsWith('.sse')).sort() : [];

/** A client whose fetch answers every request with `body` (a string) in chunks of `size` bytes. */
function serving(body, size = 7) {
  const bytes = new TextEncoder().encode(body);
  const chunks = [];
  for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.slice(i, i + size));
  return scripted(() => new Response(bodyOf(chunks), { headers: { 'content-type': 'text/event-stream' } }));
}

/** Reads a stream, checking the snapshot after every event; returns the events and the deltas. */
async function readChecked(stream, what) {
  const events = [];
  let deltas = '';
  let items = [];
  for await (const event of stream) {
    events.push(event);
    if (event.type === 'response.output_text.delta') deltas += event.delta;
    const snap = stream.response;
    const at = `${what}: after event ${events.length - 1} (${event.type})`;
    assert.ok(snap !== null, `${at}: a snapshot`);
    if (event.type === 'response.completed') continue;
    assert.equal(snap.output_text, deltas, `${at}: output_text is the deltas so far`);
    const ids = snap.output.map((it) => it.id);
    assert.ok(ids.length >= items.length, `${at}: an item disappeared`);
    for (const id of items) assert.ok(ids.includes(id), `${at}: item ${id} disappeared`);
    items = ids;
  }
  return { events, deltas, items };
}

for (const file of FILES) {
  test(`${file}: stream.response reflects every event; the final response is the terminal one`, async () => {
    const body = readFileSync(new URL(file, DIR), 'utf8');
    const { client } = serving(body);
    const stream = client.stream({ model: 'm', input: 'hi' });
    const { events, items } = await readChecked(stream, file);
    const final = await stream.finalResponse();
    const terminal = events.at(-1);
    assert.equal(terminal.type, 'response.completed');
    // parsed_arguments is the client's own field on function calls.
    assert.deepEqual(final.output.map(({ parsed_arguments, ...it }) => it), terminal.response.output);
    for (const id of items) assert.ok(final.output.some((it) => it.id === id), `${file}: streamed item ${id} is in the final output`);
  });

  test(`${file}: a connection dropped before the terminal event: StreamError.response holds the text delivered`, async () => {
    const body = readFileSync(new URL(file, DIR), 'utf8');
    const cut = body.slice(0, body.search(/data: \{[^\n]*"type": ?"response\.completed"/));
    const { client } = serving(cut);
    const stream = client.stream({ model: 'm', input: 'hi' });
    const { events, error: err } = await collect(stream);
    const deltas = deltaText(events);
    assert.ok(err instanceof StreamError, String(err));
    assert.ok(err.response !== null && err.response !== undefined, 'a snapshot is attached');
    assert.equal(err.response.output_text, deltas);
    if (file.startsWith('litellm') || file.startsWith('ors')) assert.ok(deltas.length > 0);
  });
}

/** A bridge-style json_schema stream: no response.created, no announcements, no sequence numbers, a new item_id per delta. */
function litellmStyle(text, { terminal = true } = {}) {
  const deltas = [];
  for (let i = 0; i < text.length; i += 4) deltas.push(text.slice(i, i + 4));
  let out = deltas
    .map((d, n) => `data: ${JSON.stringify({ type: 'response.output_text.delta', item_id: `chatcmpl-${n}`, output_index: 0, content_index: 0, delta: d })}\n\n`)
    .join('');
  if (terminal) {
    const message = { type: 'message', id: 'chatcmpl-0', status: 'stop', role: 'assistant', content: [{ type: 'output_text', text, annotations: [] }] };
    out += `data: ${JSON.stringify({ type: 'response.completed', response: { id: 'resp_1', object: 'chat.completion', status: 'completed', output: [message] } })}\n\ndata: [DONE]\n\n`;
  }
  return out;
}

const jsonSchema = { type: 'json_schema', name: 'p', schema: { type: 'object', properties: { name: { type: 'string' }, tags: { type: 'array' } } } };

test('a bridge-style json_schema stream: partialParsed grows with every delta, output_parsed at the end', async () => {
  const text = JSON.stringify({ name: 'Ada Lovelace', tags: ['math', 'poetry', 'engines'] });
  const { client } = serving(litellmStyle(text), 5);
  const stream = client.stream({ model: 'm', input: 'hi', text: { format: jsonSchema } });
  let sofar = '';
  const seen = [];
  for await (const event of stream) {
    if (event.type !== 'response.output_text.delta') continue;
    sofar += event.delta;
    assert.equal(stream.response.output_text, sofar);
    seen.push(JSON.stringify(stream.partialParsed));
  }
  assert.ok(seen[0] === undefined || seen[0] === '{}', `first: ${seen[0]}`);
  assert.ok(seen.includes(JSON.stringify({ name: 'Ada' })), `partialParsed grew during the stream: ${seen.join(' | ')}`);
  assert.ok(new Set(seen).size > 5, 'many distinct partial values');
  assert.deepEqual((await stream.finalResponse()).output_parsed, JSON.parse(text));
});

test('synthetic: a reused output_index keeps the first item; deltas with no announcement and no sequence numbers build the snapshot', async () => {
  const ev = (o) => `data: ${JSON.stringify(o)}\n\n`;
  const fc = { type: 'function_call', id: 'fc_1', call_id: 'c1', name: 'f', arguments: '{"a":1}', status: 'completed' };
  const body =
    ev({ type: 'response.output_item.added', output_index: 0, item: fc }) +
    ev({ type: 'response.output_item.done', output_index: 0, item: fc }) +
    ev({ type: 'response.output_item.added', output_index: 0, item: { type: 'message', id: 'msg_1', role: 'assistant', content: [] } }) +
    ev({ type: 'response.output_text.delta', item_id: 'msg_1', output_index: 0, delta: 'Hel' }) +
    ev({ type: 'response.output_text.delta', item_id: 'other', output_index: 0, delta: 'lo' }) +
    ev({ type: 'response.function_call_arguments.delta', item_id: 'fc_2', output_index: 1, delta: '{"b"' });
  const { client } = serving(body, 3);
  const stream = client.stream({ model: 'm', input: 'hi' });
  const snaps = [];
  const { error: err } = await collect(stream, () => {
    snaps.push(stream.response.output.map((it) => `${it.type}:${it.id}`).join(','));
  });
  assert.deepEqual(snaps, [
    'function_call:fc_1',
    'function_call:fc_1',
    'function_call:fc_1,message:msg_1',
    'function_call:fc_1,message:msg_1',
    'function_call:fc_1,message:msg_1',
    'function_call:fc_1,message:msg_1,function_call:fc_2',
  ]);
  assert.ok(err instanceof StreamError);
  has(err.response, { status: 'in_progress', output_text: 'Hello' });
  assert.equal(err.response.output[2].arguments, '{"b"');
});
