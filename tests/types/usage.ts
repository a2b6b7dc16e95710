// Compiled with `tsc --noEmit` against pkg/index.d.ts (tests/js/types.test.mjs): the public
// types must accept real usage and reject misuse (the @ts-expect-error lines).
import {
  AbortError, ApiError, ResponseAccumulator, ResponsesClient, ResponseStream, SseParser,
  StreamError, ValidationError, type Response, type ResponseCreateParams, type ResponseStreamEvent, type WithVendorFields,
} from 'cometapi-responses';

const client = new ResponsesClient({ apiKey: 'sk', baseURL: 'http://127.0.0.1:1/v1', maxRetries: 1, timeout: 1000 });

async function main(): Promise<string> {
  // a provider's own parameter: through WithVendorFields, on purpose
  const params: WithVendorFields<ResponseCreateParams> = {
    model: 'gpt-5.4', input: [{ role: 'user', content: 'hi' }], temperature: 0.5, metadata: { a: 'b' },
    tools: [{ type: 'function', name: 'f', parameters: { type: 'object' } }], provider_specific_field: 1,
  };
  const stream: ResponseStream = client.stream(params, { signal: new AbortController().signal });
  stream.on('response.output_text.delta', (e) => void (e.delta satisfies string));
  let text = '';
  for await (const event of stream) {
    if (event.type === 'response.output_text.delta') text += event.delta;
    else if (event.type === 'response.function_call_arguments.done') text += event.arguments;
    else if (event.type === 'response.completed') text += event.response.output_text;
    // typed, though `error` and `response.failed` never come here: the loop throws an ApiError instead
    else if (event.type === 'error') text += event.error?.message ?? event.message ?? '';
    void (event.sequence_number satisfies number | undefined);
  }
  void (await stream.finalResponse() satisfies Response).usage?.total_tokens;

  try {
    await client.create({ model: 'm', input: 'x' });
  } catch (e) {
    if (e instanceof ApiError) text += `${e.status} ${e.code} ${e.requestId}`;
    if (e instanceof ValidationError) text += e.param;
    if (e instanceof StreamError) text += e.response?.id ?? '';
  }

  const acc = new ResponseAccumulator();
  const ev: ResponseStreamEvent = { type: 'keepalive' };
  acc.push(ev);
  const snapshot: Response | null = acc.response;

  const events = new SseParser().feed(new Uint8Array([100, 97, 116, 97, 58, 10, 10]));
  text += events.map((e) => `${e.event}${e.data}${e.lastEventId}`).join('');

  const body: ReadableStream<Uint8Array> = stream.toReadableStream();
  ResponseStream.fromReadableStream(body);
  ResponseStream.fromReadableStream(body, { signal: new AbortController().signal });
  await stream.ready();
  const routed: globalThis.Response = await stream.toResponse({ headers: { 'x-route': '1' } });
  // toResponse's headers: anything `new Headers()` takes
  await stream.toResponse({ headers: new Headers({ 'x-route': '1' }) });
  await stream.toResponse({ headers: [['x-route', '1']] });
  // @ts-expect-error not a headers init
  await stream.toResponse({ headers: 42 });
  ResponseStream.fromResponse(routed, { signal: undefined });
  stream.on('error', (e) => void e.message).on('abort', (e: AbortError) => void e.name);
  // @ts-expect-error an abort handler gets an AbortError, not an event
  stream.on('abort', (e: ResponseStreamEvent) => void e);

  // a custom fetch: called with the URL as a string and an init
  new ResponsesClient({ fetch: async (url: string, init?: RequestInit) => new globalThis.Response(`${url} ${init?.method}`) });
  new ResponsesClient({ fetch: (url, init) => fetch(url, { ...init, keepalive: true }) });
  new ResponsesClient({ fetch });
  // @ts-expect-error a fetch resolves with a Response
  new ResponsesClient({ fetch: async (url: string) => url });

  // headers: a plain object of strings, or a Headers (options of the client and of each call)
  const withHeaders = new ResponsesClient({ headers: new Headers({ 'x-team': 'a' }) });
  await withHeaders.create({ model: 'm', input: 'x' }, { headers: new Headers([['x-trace', '1']]) });
  await withHeaders.retrieve('resp_1', { headers: { 'x-trace': '1' } });
  await withHeaders.conversations.items.list('conv_1', { headers: new Headers(), limit: 1 });
  // @ts-expect-error an array of pairs is not taken (a TypeError at run time)
  new ResponsesClient({ headers: [['x-team', 'a']] });
  // @ts-expect-error nor in a call's options
  await withHeaders.retrieve('resp_1', { headers: [['x-trace', '1']] });

  // @ts-expect-error model is required
  client.stream({ input: 'x' });
  // @ts-expect-error temperature is a number
  client.stream({ model: 'm', input: 'x', temperature: 'hot' });
  // @ts-expect-error unknown option of the library (camelCase options are checked)
  new ResponsesClient({ apiKey: 'k', retries: 3 });
  // @ts-expect-error streams are made by the client
  new ResponseStream();
  // @ts-expect-error a provider's field in a literal is a typo until said otherwise (WithVendorFields)
  client.stream({ model: 'm', input: 'x', provider_specific_field: 1 });
  {
    using disposable = new ResponseAccumulator();
  }
  return text;
}
