// The contract of the SDK helpers (structured outputs, the tool loop, attachments, files, the names a
// user meets), line by line, as a script that runs anywhere the
// package runs (a page, a Worker): `runContract(api, baseURL)` exercises each line against the
// mock backend at baseURL and returns { line: 'ok' | 'FAILED: why' }. No Node API in here.

const PERSON = {
  type: 'object',
  properties: { name: { type: 'string' }, age: { type: 'integer' }, tags: { type: 'array', items: { type: 'string' } } },
  required: ['name', 'age', 'tags'],
  additionalProperties: false,
};
const WEATHER = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };

/** A Standard Schema v1 from a function: value → { value } or { issues }. */
const standard = (validate) => ({ '~standard': { version: 1, vendor: 'contract', validate } });

function check(cond, what) {
  if (!cond) throw new Error(what);
}
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
/** What `fn()` threw or rejected with (undefined when it did not). */
const thrown = (fn) => Promise.resolve().then(fn).then(() => undefined, (e) => e);

export const LINES = [
  'names', 'jsonSchemaFormat', 'parse output_parsed', 'OutputParseError', 'stream partialParsed', 'PartialJsonParser', 'functionTool',
  'runTools', 'run.abort', 'parsed_arguments', 'stalled body', 'inputImage', 'inputFile', 'files',
];

export async function runContract(api, baseURL) {
  const { ResponsesClient, jsonSchemaFormat, functionTool, PartialJsonParser, OutputParseError, AbortError, TimeoutError, CometApiError } = api;
  const client = new ResponsesClient({ baseURL, maxRetries: 0 });
  const results = {};
  /** Runs one line of the contract: its result is 'ok' or 'FAILED: why'. */
  const line = async (name, fn) => {
    try {
      await fn();
      results[name] = 'ok';
    } catch (e) {
      results[name] = `FAILED: ${e && (e.stack || e.message)}`;
    }
  };
  const params = (format) => ({ model: 'mock', input: 'Ada Lovelace', text: { format } });
  const adult = standard((v) => ({ value: { ...v, adult: v.age >= 18 } }));

  await line('names', async () => {
    const wrong = Object.entries(api).filter(([k, v]) => v.name !== k).map(([k]) => k);
    check(wrong.length === 0, `exports named otherwise: ${wrong}`);
    const run = client.runTools({ model: 'mock', input: 'hi', tools: [] });
    run.abort();
    await thrown(() => run.finalResponse());
    const seen = [client.conversations, client.conversations.items, client.files, run].map((o) => o.constructor.name);
    check(same(seen, ['Conversations', 'ConversationItems', 'Files', 'ToolRun']), `classes ${seen}`);
  });

  await line('jsonSchemaFormat', () => {
    const f = jsonSchemaFormat('person', PERSON, { validate: adult });
    check(same(f, { type: 'json_schema', name: 'person', schema: PERSON, strict: true }), `wire object ${JSON.stringify(f)}`);
    check(Object.keys(f).join() === 'type,name,schema,strict', 'validate is not an enumerable key');
    check(jsonSchemaFormat('p', PERSON, { strict: false }).strict === false, 'strict: false');
  });

  await line('parse output_parsed', async () => {
    const r = await client.parse(params(jsonSchemaFormat('person', PERSON, { validate: adult })));
    check(same(r.output_parsed, { ...JSON.parse(r.output_text), adult: false }), `output_parsed ${JSON.stringify(r.output_parsed)}`);
  });

  await line('OutputParseError', async () => {
    const never = standard(() => ({ issues: [{ message: 'rejected', path: ['name'] }] }));
    const error = await thrown(() => client.parse(params(jsonSchemaFormat('person', PERSON, { validate: never }))));
    check(error instanceof OutputParseError && error instanceof CometApiError && error instanceof Error, `class: ${error}`);
    check(error.name === 'OutputParseError', `name ${error.name}`);
    check(error.issues?.[0]?.message === 'rejected' && typeof error.text === 'string', 'issues and text');
  });

  await line('stream partialParsed', async () => {
    const stream = client.stream(params(jsonSchemaFormat('person', PERSON)));
    check(stream.partialParsed === undefined, 'undefined before any text');
    let text = '';
    const seen = new Set();
    for await (const ev of stream) {
      if (ev.type !== 'response.output_text.delta') continue;
      text += ev.delta;
      const p = new PartialJsonParser();
      p.push(text);
      check(same(stream.partialParsed, p.value), `after ${text}: ${JSON.stringify(stream.partialParsed)}`);
      p.free();
      seen.add(JSON.stringify(stream.partialParsed));
    }
    check(seen.size > 5, `the value grew ${seen.size} times`);
    const final = await stream.finalResponse();
    check(same(final.output_parsed, JSON.parse(final.output_text)), 'finalResponse().output_parsed');
  });

  await line('PartialJsonParser', () => {
    const p = new PartialJsonParser();
    p.push('{"__proto__": {"x": 1}, "s": "ab');
    check(Object.hasOwn(p.value, '__proto__') && p.value.s === 'ab' && ({}).x === undefined, 'best effort, __proto__ own');
    p.push('c", "n": [1, 2.5e1, -0]}');
    check(same(p.value, JSON.parse('{"__proto__": {"x": 1}, "s": "abc", "n": [1, 25, 0]}')) && Object.is(p.value.n[2], -0), 'complete');
    const n = new PartialJsonParser();
    n.push('42');
    n.finish();
    check(n.value === 42, 'a root number at finish');
    p.free();
    n.free();
  });

  const calls = [];
  const weather = functionTool({
    name: 'get_weather',
    description: 'The weather of a city',
    parameters: WEATHER,
    strict: false,
    execute: async (args, { signal, callId }) => {
      calls.push({ args, callId, signal });
      return { city: args.city, celsius: 21 };
    },
  });

  await line('functionTool', () => {
    check(same(weather, { type: 'function', name: 'get_weather', description: 'The weather of a city', parameters: WEATHER, strict: false }), 'wire tool');
    check(typeof weather.execute === 'function' && !Object.keys(weather).includes('execute'), 'execute kept off the wire');
  });

  await line('runTools', async () => {
    const run = client.runTools({ model: 'mock', input: 'What is the weather in Lisbon?', tools: [weather] }, { maxSteps: 4 });
    const types = [];
    for await (const ev of run) types.push(ev.type);
    const final = await run.finalResponse();
    check(run.steps.length === 2, `${run.steps.length} steps`);
    check(types.filter((t) => t === 'response.completed').length === 2 && types.at(-1) === 'response.completed', 'every step\'s events');
    const [call] = run.steps[0].toolCalls;
    check(calls.length === 1 && call.call_id === calls[0].callId && same(calls[0].args, JSON.parse(call.arguments)), 'execute(args, { callId })');
    check(calls[0].signal instanceof AbortSignal, 'a signal');
    check(call.output === JSON.stringify({ city: calls[0].args.city, celsius: 21 }), `output ${call.output}`);
    check(run.steps[1].response === final && /get_weather returned/.test(final.output_text), 'the final response');
  });

  await line('run.abort', async () => {
    const run = client.runTools({ model: 'mock', input: 'What is the weather in Lisbon?', tools: [weather] });
    const error = await thrown(async () => {
      for await (const ev of run) if (ev.type === 'response.in_progress') run.abort();
    });
    check(error instanceof AbortError, `iteration: ${error}`);
    const final = await thrown(() => run.finalResponse());
    check(final instanceof AbortError, `finalResponse: ${final}`);
  });

  await line('parsed_arguments', async () => {
    const stream = client.stream({ model: 'mock', input: 'call the weather tool', tools: [weather] });
    let partial = 0;
    for await (const ev of stream) {
      if (ev.type === 'response.function_call_arguments.delta' && stream.response.output.at(-1).parsed_arguments !== undefined) partial++;
    }
    const item = (await stream.finalResponse()).output.at(-1);
    check(partial > 0, 'best effort while streaming');
    check(same(item.parsed_arguments, JSON.parse(item.arguments)), 'exact when done');
  });

  // A body that stalls after its first events: the idle timeout ends the pending read, and so does
  // an abort (this runtime's own fetch body and reader), well before the stall would end.
  await line('stalled body', async () => {
    const stall = { headers: { 'x-mock-fault': 'stall-after=2:20000' } };
    const aborter = new AbortController();
    for (const [Class, opts] of [[TimeoutError, { ...stall, timeout: 500 }], [AbortError, { ...stall, signal: aborter.signal }]]) {
      const t0 = Date.now();
      const timer = Class === AbortError ? setTimeout(() => aborter.abort(), 500) : undefined;
      const events = [];
      const error = await thrown(async () => {
        for await (const ev of client.stream({ model: 'mock', input: 'stall' }, opts)) events.push(ev.type);
      });
      clearTimeout(timer);
      check(error instanceof Class, `${Class.name}: ${error}`);
      check(events.length === 2 && Date.now() - t0 < 10000, `${Class.name}: ${events.length} events, ${Date.now() - t0} ms`);
    }
  });

  // Attachments and the Files API (no Buffer here: a page and a Worker encode with btoa or toBase64)
  const { inputImage, inputFile, ValidationError } = api;
  const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 2, 0, 0, 0, 3, 8, 2, 0, 0, 0]);
  const PDF = new TextEncoder().encode('%PDF-1.4\n% contract\n');
  const decode = (url) => Uint8Array.from(atob(url.slice(url.indexOf(',') + 1)), (c) => c.charCodeAt(0));
  const refused = async (p, param) => {
    const e = await thrown(() => p);
    check(e !== undefined, 'not refused');
    check(e instanceof ValidationError && e.param === param, `refused with ${e}`);
  };

  await line('inputImage', async () => {
    const a = await inputImage(PNG);
    check(a.type === 'input_image' && a.detail === 'auto' && a.image_url.startsWith('data:image/png;base64,'), JSON.stringify(a).slice(0, 80));
    check(same([...decode(a.image_url)], [...PNG]), 'base64 is exact');
    const b = await inputImage(new Blob([PNG], { type: 'image/png' }), { detail: 'low' });
    check(b.image_url === a.image_url && b.detail === 'low', 'a Blob');
    check(same(await inputImage('https://example.com/a.png'), { type: 'input_image', image_url: 'https://example.com/a.png', detail: 'auto' }), 'a URL');
    check(same(await inputImage({ fileId: 'file-1' }), { type: 'input_image', file_id: 'file-1', detail: 'auto' }), 'a file id');
    await refused(inputImage(PDF), 'image');
    await refused(inputImage(PNG, { maxBytes: 3 }), 'image');
  });

  await line('inputFile', async () => {
    const f = await inputFile(PDF);
    check(f.filename === 'file.pdf' && f.file_data.startsWith('data:application/pdf;base64,'), JSON.stringify(f).slice(0, 80));
    check(same([...decode(f.file_data)], [...PDF]), 'base64 is exact');
    check((await inputFile(PDF, { filename: 'a.pdf' })).filename === 'a.pdf', 'filename');
    check(same(await inputFile({ fileId: 'file-2' }), { type: 'input_file', file_id: 'file-2' }), 'a file id');
  });

  await line('files', async () => {
    const up = await client.files.create({ file: new Blob([PDF], { type: 'application/pdf' }), filename: 'c.pdf', purpose: 'user_data' });
    check(up.object === 'file' && up.bytes === PDF.length && up.filename === 'c.pdf', JSON.stringify(up));
    check((await client.files.retrieve(up.id)).id === up.id, 'retrieve');
    check((await client.files.list({ purpose: 'user_data' })).data.some((f) => f.id === up.id), 'list');
    const content = await client.files.content(up.id);
    check(same([...new Uint8Array(await content.arrayBuffer())], [...PDF]), 'content');
    const r = await client.create({ model: 'mock', input: [{ role: 'user', content: [{ type: 'input_text', text: 'what?' }, await inputImage(PNG), await inputFile({ fileId: up.id })] }] });
    check(r.output_text.includes(`image/png, ${PNG.length} bytes, 2×3`) && r.output_text.includes(`c.pdf (application/pdf, ${PDF.length} bytes)`), r.output_text.slice(0, 200));
    check((await client.files.delete(up.id)).deleted === true, 'delete');
  });

  return results;
}
