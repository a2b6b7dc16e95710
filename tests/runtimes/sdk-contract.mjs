// The contract of the SDK helpers (issue 14), line by line, as a script that runs anywhere the
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

export const LINES = [
  'jsonSchemaFormat',
  'parse output_parsed',
  'OutputParseError',
  'stream partialParsed',
  'PartialJsonParser',
  'functionTool',
  'runTools',
  'run.abort',
  'parsed_arguments',
];

export async function runContract(api, baseURL) {
  const { ResponsesClient, jsonSchemaFormat, functionTool, PartialJsonParser, OutputParseError, AbortError, CometApiError } = api;
  const client = new ResponsesClient({ baseURL, maxRetries: 0 });
  const results = {};
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
    let error;
    try {
      await client.parse(params(jsonSchemaFormat('person', PERSON, { validate: never })));
    } catch (e) {
      error = e;
    }
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
    let error;
    try {
      for await (const ev of run) if (ev.type === 'response.in_progress') run.abort();
    } catch (e) {
      error = e;
    }
    check(error instanceof AbortError, `iteration: ${error}`);
    let final;
    try {
      await run.finalResponse();
    } catch (e) {
      final = e;
    }
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

  return results;
}
