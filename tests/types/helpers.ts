// The helpers and endpoints of structured outputs, the tool loop, compaction, input tokens and
// conversations: real usage compiles with the right types inferred; misuse does not (each line
// marked @ts-expect-error must fail to compile).
import {
  OutputParseError, PartialJsonParser, ResponsesClient, functionTool, jsonSchemaFormat, type CompactedResponse,
  type Conversation, type ConversationItem, type JsonValue, type ParsedResponse, type Response, type StandardSchemaV1, type ToolRun,
} from 'cometapi-responses';

interface Person {
  name: string;
  age: number;
  tags: string[];
}
// any Standard Schema (zod 4, valibot, arktype): declared here, no dependency. Input and output
// types: z.object({ name: z.string(), … }) is a StandardSchemaV1<Person, Person>.
declare const personSchema: StandardSchemaV1<Person, Person>;
// a schema that transforms: z.object({ count: z.string().transform(Number) }) (input { count:
// string }, output { count: number }); one whose input is not declared (a hand-written validator)
declare const countSchema: StandardSchemaV1<{ count: string }, { count: number }>;
declare const opaqueSchema: StandardSchemaV1<unknown, Person>;
const jsonSchema = {
  type: 'object',
  properties: { name: { type: 'string' }, age: { type: 'number' }, tags: { type: 'array', items: { type: 'string' } } },
  required: ['name', 'age', 'tags'],
  additionalProperties: false,
} as const;
// a schema typed with an interface (no index signature), as JSON Schema libraries declare them
interface JSONSchemaLike {
  type?: string;
  properties?: { [key: string]: JSONSchemaLike };
}
declare const interfaceSchema: JSONSchemaLike;

const client = new ResponsesClient({ baseURL: 'http://127.0.0.1:1/v1' });

export async function structured(): Promise<string> {
  const format = jsonSchemaFormat('person', jsonSchema, { validate: personSchema, description: 'a person' });
  const wire: { type: 'json_schema'; name: string; strict: boolean } = format; // the plain wire object
  const parsed = await client.parse({ model: 'm', input: 'who?', text: { format } });
  const person: Person | null = parsed.output_parsed; // null: the model refused
  let out = person ? `${person.name} ${person.age}` : 'refused';
  // @ts-expect-error output_parsed may be null (a refusal)
  out += parsed.output_parsed.name;
  // @ts-expect-error the parsed type is Person
  out += parsed.output_parsed?.nmae;

  // a format written by hand, or without validate: output_parsed is unknown / as declared
  const byHand = await client.parse({ model: 'm', input: 'x', text: { format: { type: 'json_schema', name: 'x', schema: { type: 'object' } } } });
  const value: unknown = byHand.output_parsed;
  const declared = await client.parse({ model: 'm', input: 'x', text: { format: jsonSchemaFormat<Person>('p', interfaceSchema, { strict: false }) } });
  out += declared.output_parsed?.tags.join(',') ?? '';
  // @ts-expect-error parse() needs a json_schema format
  await client.parse({ model: 'm', input: 'x', text: { format: { type: 'text' } } });
  // @ts-expect-error parse() needs a json_schema format
  await client.parse({ model: 'm', input: 'x' });
  // @ts-expect-error strict is a boolean
  jsonSchemaFormat('p', jsonSchema, { strict: 'yes' });

  // streaming: partialParsed while it streams, output_parsed at the end
  const stream = client.stream({ model: 'm', input: 'x', text: { format } });
  for await (const event of stream) {
    const partial = stream.partialParsed;
    if (partial) out += `${partial.name ?? ''}${partial.tags?.[0] ?? ''}${event.type}`;
    // @ts-expect-error partial values may lack any key
    out += stream.partialParsed.name;
  }
  const final: ParsedResponse<Person> = await stream.finalResponse();
  out += final.output_parsed?.name ?? '';
  // partialParsed is the JSON before validation: typed from the validator's input type,
  // output_parsed from its output type
  const countFormat = jsonSchemaFormat('c', { type: 'object', properties: { count: { type: 'string' } } }, { validate: countSchema });
  const counting = client.stream({ model: 'm', input: 'x', text: { format: countFormat } });
  for await (const _ of counting) {
    const raw: string | undefined = counting.partialParsed?.count;
    out += raw ?? '';
    // @ts-expect-error the transform has not run: the partial value is the string
    const notYet: number | undefined = counting.partialParsed?.count;
  }
  const counted: number | undefined = (await counting.finalResponse()).output_parsed?.count;
  const parsedCount: number | undefined = (await client.parse({ model: 'm', input: 'x', text: { format: countFormat } })).output_parsed?.count;
  out += `${counted} ${parsedCount}`;
  // a validator of unknown input: the partial value is unknown until checked
  const opaque = client.stream({ model: 'm', input: 'x', text: { format: jsonSchemaFormat('p', jsonSchema, { validate: opaqueSchema }) } });
  // @ts-expect-error the partial value of an undeclared input is unknown
  out += opaque.partialParsed?.name;
  const opaqueFinal: ParsedResponse<Person> = await opaque.finalResponse();
  out += opaqueFinal.output_parsed?.name ?? '';
  // a plain stream has neither
  const plain = client.stream({ model: 'm', input: 'x' });
  const nothing: undefined = plain.partialParsed;
  const plainFinal: Response = await plain.finalResponse();
  // @ts-expect-error no output_parsed on a plain stream
  out += String(plainFinal.output_parsed);

  try {
    await client.parse({ model: 'm', input: 'x', text: { format } });
  } catch (e) {
    if (e instanceof OutputParseError) out += `${e.name} ${e.text} ${e.issues?.map((i) => i.message).join() ?? 'not JSON'}`;
  }

  // partial JSON
  using parser = new PartialJsonParser();
  parser.push('{"a": [1, "he');
  out += JSON.stringify(parser.value satisfies JsonValue | undefined);
  // @ts-expect-error push takes text
  parser.push(new Uint8Array(1));
  return out;
}

export async function tools(): Promise<Response> {
  const weather = functionTool({
    name: 'get_weather',
    description: 'Current weather of a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
    strict: true,
    execute: async (args: { city: string }, { signal, callId }) => {
      signal.throwIfAborted();
      return { city: args.city, callId, celsius: 21 };
    },
  });
  const validated = functionTool({
    name: 'add_person',
    validate: personSchema,
    execute: (person) => person.name.toUpperCase(), // inferred from validate: Person
  });
  const humanInTheLoop = functionTool({ name: 'approve', parameters: { type: 'object' } });
  const run: ToolRun = client.runTools(
    { model: 'm', input: 'Weather in Lisbon?', tools: [weather, validated, humanInTheLoop, { type: 'web_search' }], store: false },
    { maxSteps: 4, concurrency: 2, signal: new AbortController().signal, timeout: 30_000 },
  );
  let text = '';
  for await (const event of run) if (event.type === 'response.output_text.delta') text += event.delta;
  for (const step of run.steps) {
    text += step.response.id;
    for (const call of step.toolCalls) text += `${call.call_id} ${call.name} ${call.arguments} ${call.output ?? 'pending'} ${call.error?.message ?? ''}`;
  }
  const why: 'incomplete' | 'no_tool_calls' | 'max_steps' | 'pending_calls' | 'no_response_id' | null = run.stopReason;
  for (const c of run.pendingCalls) text += `${why} ${c.call_id} ${c.name} ${c.arguments}`;
  run.abort();
  // @ts-expect-error concurrency is a number
  client.runTools({ model: 'm', input: 'x', tools: [weather] }, { concurrency: '2' });
  // @ts-expect-error steps are read-only
  run.steps.push({ response: await run.finalResponse(), toolCalls: [] });
  // @ts-expect-error the context has callId, not call_id
  functionTool({ name: 'f', execute: (_args, ctx) => ctx.call_id });
  // @ts-expect-error maxSteps is a number
  client.runTools({ model: 'm', input: 'x', tools: [weather] }, { maxSteps: '4' });
  // @ts-expect-error runTools needs tools
  client.runTools({ model: 'm', input: 'x' });
  // a json_schema format: the final response has output_parsed, typed
  const typed = client.runTools({ model: 'm', input: 'x', tools: [weather], text: { format: jsonSchemaFormat('person', jsonSchema, { validate: personSchema }) } });
  const person: Person | null = (await typed.finalResponse()).output_parsed;
  text += person?.name ?? '';
  // @ts-expect-error no output_parsed without a json_schema format
  text += (await run.finalResponse()).output_parsed;
  // a transforming validator: output_parsed has its output type
  const counted = client.runTools({ model: 'm', input: 'x', tools: [weather], text: { format: jsonSchemaFormat('c', { type: 'object' }, { validate: countSchema }) } });
  const count: number | undefined = (await counted.finalResponse()).output_parsed?.count;
  text += count ?? '';
  return run.finalResponse();
}

export async function endpoints(): Promise<string> {
  const compacted: CompactedResponse = await client.compact({ model: 'gpt-5.4', input: [{ role: 'user', content: 'long story' }] });
  let out = `${compacted.object} ${compacted.output.length} ${compacted.usage.total_tokens}`;
  const count = await client.countInputTokens({ model: 'gpt-5.4', input: 'How many tokens?' });
  out += `${count.input_tokens satisfies number} ${count.object satisfies 'response.input_tokens'}`;
  // @ts-expect-error a misspelt parameter
  await client.countInputTokens({ model: 'm', inptu: 'x' });

  const conv: Conversation = await client.conversations.create({ items: [{ role: 'user', content: 'hi' }], metadata: { topic: 'demo' } });
  await client.conversations.create();
  await client.conversations.retrieve(conv.id, { timeout: 1000 });
  await client.conversations.update(conv.id, { metadata: { topic: 'x' } });
  const deleted = await client.conversations.delete(conv.id);
  out += `${deleted.deleted} ${deleted.object}`;
  const added = await client.conversations.items.create(conv.id, { items: [{ role: 'user', content: 'more' }] }, { include: ['reasoning.encrypted_content'] });
  const page = await client.conversations.items.list(conv.id, { after: added.last_id ?? undefined, limit: 10, order: 'asc', include: ['message.output_text.logprobs'] });
  for (const item of page.data) out += item.type === 'message' ? item.role : item.type;
  // a stored item always has its id (README: items.retrieve(conv.id, page.data[0].id))
  await client.conversations.items.retrieve(conv.id, page.data[0].id);
  await client.conversations.items.delete(conv.id, page.data[0].id);
  for (const item of page.data) if (item.type === 'function_call_output' || item.type === 'compaction') out += item.id satisfies string;
  const one: ConversationItem = await client.conversations.items.retrieve(conv.id, 'msg_1');
  // a response's stored input items have ids too
  for (const item of (await client.inputItems('resp_1')).data) out += item.id satisfies string;
  out += one.type;
  const after: Conversation = await client.conversations.items.delete(conv.id, 'msg_1');
  out += after.id;
  // @ts-expect-error update needs { metadata }
  await client.conversations.update(conv.id, {});
  // @ts-expect-error order is 'asc' | 'desc'
  await client.conversations.items.list(conv.id, { order: 'up' });
  // @ts-expect-error items.create needs the items
  await client.conversations.items.create(conv.id, {});

  // resuming a background stream after a reload: id + last sequence_number
  const resumed = client.retrieveStream('resp_1', { startingAfter: 41 });
  for await (const event of resumed) out += String(event.sequence_number);
  return out;
}
