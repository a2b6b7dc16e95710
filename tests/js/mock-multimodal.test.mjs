// The mock with images, files and the built-in tools: attachments (data URLs, URLs, file ids) checked
// as the API checks them and named in the answer; the Files endpoints; web_search, file_search,
// code_interpreter and image_generation streamed as the recordings show them; the client's snapshot.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ResponsesClient, inputImage, inputFile } from 'cometapi-responses';
import { createMock } from '../../mock/index.mjs';
import { inProcessMock, has, apiError } from './client-helpers.mjs';
import { png } from '../../mock/builtin.mjs';
import { dimensions, sniff } from '../../mock/attachments.mjs';

const { mock, BASE, call, ok, post, streamed } = inProcessMock();
const b64 = (bytes) => Buffer.from(bytes).toString('base64');
const PNG = png(2, 3, (x, y) => [x * 100, y * 80, 7]);
const JPEG = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0, 4, 0, 0, 0xff, 0xc0, 0, 11, 8, 0, 4, 0, 5, 1, 1, 0x11, 0, 0xff, 0xd9]);
const PDF = new TextEncoder().encode('%PDF-1.4\n% a tiny test document about llamas\n');
const textOf = (r) => r.output.filter((o) => o.type === 'message').flatMap((o) => o.content).map((p) => p.text).join('');
const user = (...content) => [{ role: 'user', content: [{ type: 'input_text', text: 'What are these?' }, ...content] }];
/** A multipart form of these fields (a file as [Blob, filename]). */
function form(fields) {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) f.append(k, ...[v].flat());
  return f;
}
async function upload(bytes, filename, type, purpose = 'user_data') {
  const file = [new Blob([bytes], { type }), filename];
  const res = await call('/files', { method: 'POST', body: form({ purpose, file }) });
  assert.equal(res.status, 200);
  return res.json();
}

describe('attachments', () => {
  test('data URLs, URLs and file ids are named with their MIME type, size and (PNG, JPEG) dimensions', async () => {
    const file = await upload(PDF, 'llamas.pdf', 'application/pdf');
    const r = await ok({
      model: 'm',
      input: user(
        { type: 'input_image', image_url: `data:image/png;base64,${b64(PNG)}` },
        { type: 'input_image', image_url: `data:image/jpeg;base64,${b64(JPEG)}`, detail: 'low' },
        { type: 'input_file', filename: 'report.pdf', file_data: `data:application/pdf;base64,${b64(PDF)}` },
        { type: 'input_image', image_url: 'https://example.com/cat.png' },
        { type: 'input_file', file_id: file.id },
      ),
    });
    const text = textOf(r);
    for (const named of [`image/png, ${PNG.length} bytes, 2×3`, `image/jpeg, ${JPEG.length} bytes, 5×4`, `report.pdf (application/pdf, ${PDF.length} bytes)`,
      'an image at https://example.com/cat.png', `llamas.pdf (application/pdf, ${PDF.length} bytes)`]) assert.ok(text.includes(named), text);
  });

  test('the client helpers and the mock agree: what inputImage / inputFile make arrives intact', async () => {
    const parts = [await inputImage(new Blob([PNG])), await inputFile(new File([PDF], 'a.pdf'))];
    const text = textOf(await ok({ model: 'm', input: user(...parts) }));
    assert.ok(text.includes(`image/png, ${PNG.length} bytes, 2×3`) && text.includes(`a.pdf (application/pdf, ${PDF.length} bytes)`), text);
  });

  test('refused as the API refuses them: bad base64, a non-image type or bytes, an unknown file id', async () => {
    const cases = [
      [{ type: 'input_image', image_url: 'data:image/png;base64,!!!!' }, 400, 'input[0].content[1].image_url', 'invalid_value'],
      [{ type: 'input_image', image_url: `data:text/plain;base64,${b64(PNG)}` }, 400, 'input[0].content[1].image_url', 'invalid_value'],
      [{ type: 'input_image', image_url: `data:image/png;base64,${b64(PDF)}` }, 400, 'input[0].content[1].image_url', 'invalid_image_format'],
      [{ type: 'input_image', image_url: 'ftp://example.com/a.png' }, 400, 'input[0].content[1].image_url', 'invalid_value'],
      [{ type: 'input_file', file_data: 'data:application/pdf;base64,%%%' }, 400, 'input[0].content[1].file_data', 'invalid_value'],
      [{ type: 'input_file', file_id: 'file-nope' }, 404, 'input[0].content[1].file_id', null],
      [{ type: 'input_image', file_id: 'file-nope' }, 404, 'input[0].content[1].file_id', null],
    ];
    for (const [part, status, param, code] of cases) {
      apiError(await post({ model: 'm', input: user(part) }), status, { param, code }, JSON.stringify(part));
    }
    // never stricter: an image/* type the mock cannot decode, with image bytes, passes
    assert.equal((await post({ model: 'm', input: user({ type: 'input_image', image_url: `data:image/x-other;base64,${b64(PNG)}` }) })).status, 200);
  });
});

describe('Files', () => {
  test('create, retrieve, list, content, delete', async () => {
    const f = await upload(PDF, 'doc.pdf', 'application/pdf', 'assistants');
    assert.match(f.id, /^file-/);
    assert.deepEqual({ ...f, id: 0, created_at: 0 }, {
      id: 0, object: 'file', bytes: PDF.length, created_at: 0, expires_at: null, filename: 'doc.pdf',
      purpose: 'assistants', status: 'processed', status_details: null,
    });
    assert.deepEqual(await (await call(`/files/${f.id}`)).json(), f);
    const g = await upload(PNG, 'p.png', 'image/png', 'vision');
    const list = await (await call('/files?purpose=vision')).json();
    assert.equal(list.object, 'list');
    assert.ok(list.data.every((x) => x.purpose === 'vision') && list.data.some((x) => x.id === g.id));
    const page = await (await call('/files?limit=1&order=desc')).json();
    assert.deepEqual([page.data.length, page.data[0].id, page.has_more], [1, g.id, true]);
    assert.equal((await (await call(`/files?limit=1&order=desc&after=${g.id}`)).json()).data[0].id, f.id);
    const content = await call(`/files/${f.id}/content`);
    assert.equal(content.headers.get('content-type'), 'application/pdf');
    assert.deepEqual(new Uint8Array(await content.arrayBuffer()), PDF);
    assert.deepEqual(await (await call(`/files/${f.id}`, { method: 'DELETE' })).json(), { id: f.id, object: 'file', deleted: true });
    const gone = await call(`/files/${f.id}`);
    assert.equal(gone.status, 404);
    assert.equal((await gone.json()).error.message, `No such File object: ${f.id}`);
    assert.equal((await call(`/files/${f.id}/content`)).status, 404);
  });

  test('errors: no file, no purpose, not multipart, bad list query', async () => {
    let r = await call('/files', { method: 'POST', body: form({ purpose: 'user_data' }) });
    assert.deepEqual([r.status, (await r.json()).error.param], [400, 'file']);
    r = await call('/files', { method: 'POST', body: form({ file: [new Blob([PDF]), 'a.pdf'] }) });
    assert.deepEqual([r.status, (await r.json()).error.param], [400, 'purpose']);
    r = await call('/files', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.equal(r.status, 400);
    r = await call('/files?order=up');
    assert.deepEqual([r.status, (await r.json()).error.param], [400, 'order']);
  });

  test('the store is bounded: the oldest files go first', async () => {
    const small = createMock({ delayMs: 0, maxFileBytes: 100 });
    const up = async (n) => {
      const body = form({ purpose: 'user_data', file: [new Blob([new Uint8Array(40)]), `${n}.bin`] });
      return (await small.fetch(new Request(`${BASE}/files`, { method: 'POST', body }))).json();
    };
    const [a, b, c] = [await up(1), await up(2), await up(3)];
    const status = async (id) => (await small.fetch(new Request(`${BASE}/files/${id}`))).status;
    assert.deepEqual([await status(a.id), await status(b.id), await status(c.id)], [404, 200, 200]);
  });
});

describe('built-in tools', () => {
  const types = (events) => events.map((e) => e.type);

  test('web_search: in_progress → searching → completed, then url_citation annotations on example domains', async () => {
    for (const type of ['web_search', 'web_search_preview']) {
      const events = await streamed({ model: 'm', input: 'tallest mountain', tools: [{ type }], include: ['web_search_call.action.sources'] });
      const t = types(events);
      const at = t.indexOf('response.web_search_call.in_progress');
      assert.deepEqual(t.slice(at - 1, at + 4), ['response.output_item.added', 'response.web_search_call.in_progress', 'response.web_search_call.searching', 'response.web_search_call.completed', 'response.output_item.done']);
      const done = events[at + 3].item;
      assert.deepEqual([done.type, done.status, done.action.type, done.action.query], ['web_search_call', 'completed', 'search', 'tallest mountain']);
      assert.ok(done.action.sources.every((s) => /^https:\/\/example\.(com|org)\//.test(s.url)));
      const notes = events.filter((e) => e.type === 'response.output_text.annotation.added');
      assert.equal(notes.length, 2);
      const final = events.at(-1).response;
      const text = textOf(final);
      for (const [k, n] of notes.entries()) {
        has(n, { annotation_index: k });
        has(n.annotation, { type: 'url_citation' });
        assert.match(n.annotation.url, /^https:\/\/example\.(com|org)\//);
        assert.equal(Array.from(text).slice(n.annotation.start_index, n.annotation.end_index).join(''), n.annotation.title);
      }
      assert.deepEqual(final.output.at(-1).content[0].annotations, notes.map((n) => n.annotation));
      assert.ok(t.indexOf('response.output_text.annotation.added') < t.indexOf('response.output_text.done'));
    }
  });

  test('file_search over the uploaded files; results only when include asks', async () => {
    const f = await upload(PDF, 'llamas.pdf', 'application/pdf');
    const plain = await ok({ model: 'm', input: 'tell me about llamas', tools: [{ type: 'file_search', vector_store_ids: ['vs_1'] }] });
    const call0 = plain.output.find((o) => o.type === 'file_search_call');
    assert.deepEqual([call0.status, call0.queries, call0.results], ['completed', ['tell me about llamas'], null]);
    const withResults = await ok({ model: 'm', input: 'tell me about llamas', tools: [{ type: 'file_search', vector_store_ids: ['vs_1'] }], include: ['file_search_call.results'] });
    const results = withResults.output.find((o) => o.type === 'file_search_call').results;
    assert.ok(results.some((x) => x.file_id === f.id && x.filename === 'llamas.pdf' && x.text.includes('llamas')));
    assert.ok(withResults.output.at(-1).content[0].annotations.some((a) => a.type === 'file_citation' && a.file_id === f.id));
  });

  test('code_interpreter: code deltas, done, interpreting, completed; logs in outputs when included', async () => {
    const events = await streamed({ model: 'm', input: 'count my words please', tools: [{ type: 'code_interpreter', container: { type: 'auto' } }], include: ['code_interpreter_call.outputs'] });
    const t = types(events).filter((x) => x.includes('code_interpreter'));
    assert.equal(t[0], 'response.code_interpreter_call.in_progress');
    assert.ok(t.filter((x) => x === 'response.code_interpreter_call_code.delta').length > 1);
    assert.deepEqual(t.slice(-3), ['response.code_interpreter_call_code.done', 'response.code_interpreter_call.interpreting', 'response.code_interpreter_call.completed']);
    const code = events.filter((e) => e.type === 'response.code_interpreter_call_code.delta').map((e) => e.delta).join('');
    const item = events.at(-1).response.output.find((o) => o.type === 'code_interpreter_call');
    has(item, { code, outputs: [{ type: 'logs', logs: '4 words, 21 characters\n' }] });
    const without = await ok({ model: 'm', input: 'x', tools: [{ type: 'code_interpreter', container: { type: 'auto' } }] });
    assert.equal(without.output[0].outputs, null);
  });

  test('image_generation: partial_images drafts, then the result; all real 64×64 PNGs', async () => {
    const events = await streamed({ model: 'm', input: 'a red fox', tools: [{ type: 'image_generation', partial_images: 2 }] });
    const partials = events.filter((e) => e.type === 'response.image_generation_call.partial_image');
    assert.deepEqual(partials.map((e) => e.partial_image_index), [0, 1]);
    const item = events.at(-1).response.output.find((o) => o.type === 'image_generation_call');
    const images = [...partials.map((e) => e.partial_image_b64), item.result].map((s) => new Uint8Array(Buffer.from(s, 'base64')));
    for (const img of images) {
      assert.equal(sniff(img), 'image/png');
      assert.deepEqual(dimensions(img), [64, 64]);
    }
    assert.notDeepEqual(images[0], images[2]);
    const t = types(events).filter((x) => x.includes('image_generation'));
    assert.deepEqual([t[0], t[1], t.at(-1)], ['response.image_generation_call.in_progress', 'response.image_generation_call.generating', 'response.image_generation_call.completed']);
    assert.ok((await ok({ model: 'm', input: 'a fox', tools: [{ type: 'image_generation' }] })).output[0].result);
  });

  test('tool_choice and max_tool_calls are honoured', async () => {
    const tools = [{ type: 'web_search' }, { type: 'code_interpreter', container: { type: 'auto' } }, { type: 'image_generation' }];
    const kinds = (r) => r.output.filter((o) => o.type !== 'message').map((o) => o.type);
    assert.deepEqual(kinds(await ok({ model: 'm', input: 'x', tools })), ['web_search_call', 'code_interpreter_call', 'image_generation_call']);
    assert.deepEqual(kinds(await ok({ model: 'm', input: 'x', tools, tool_choice: 'none' })), []);
    assert.deepEqual(kinds(await ok({ model: 'm', input: 'x', tools, tool_choice: { type: 'image_generation' } })), ['image_generation_call']);
    assert.deepEqual(kinds(await ok({ model: 'm', input: 'x', tools, max_tool_calls: 1 })), ['web_search_call']);
    assert.deepEqual(kinds(await ok({ model: 'm', input: 'x', tools, max_tool_calls: 0 })), []);
  });
});

test("the client's snapshot folds annotations, code and images; partial images are handed out", async () => {
  const client = new ResponsesClient({ baseURL: BASE, apiKey: 'k', fetch: (u, init) => mock.fetch(new Request(u, init)) });
  const tools = [{ type: 'web_search_preview' }, { type: 'code_interpreter', container: { type: 'auto' } }, { type: 'image_generation', partial_images: 3 }];
  const stream = client.stream({ model: 'm', input: 'hi there', include: ['code_interpreter_call.outputs'], tools });
  const partials = [];
  let sawCode = false;
  for await (const e of stream) {
    if (e.type === 'response.image_generation_call.partial_image') partials.push(e.partial_image_b64);
    if (e.type === 'response.code_interpreter_call_code.delta') sawCode ||= stream.response.output[1].code.length > 0;
    if (e.type === 'response.output_text.annotation.added') assert.equal(stream.response.output.at(-1).content[0].annotations[e.annotation_index].url, e.annotation.url);
  }
  const final = await stream.finalResponse();
  assert.ok(sawCode);
  assert.equal(partials.length, 3);
  assert.equal(final.output[0].type, 'web_search_call');
  assert.match(final.output[1].code, /print\(/);
  assert.equal(final.output[1].outputs[0].logs, '2 words, 8 characters\n');
  assert.equal(sniff(Buffer.from(final.output[2].result, 'base64')), 'image/png');
  assert.equal(final.output[3].content[0].annotations.length, 2);
  assert.match(final.output_text, /Example Domain/);
});
