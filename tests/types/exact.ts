// Every optional member takes a possibly-undefined value (`name?: T | undefined`, as openai-node
// declares them), also under `exactOptionalPropertyTypes: true` (tsconfig.exact.json), where
// `name?: T` alone refuses `undefined`. The runtime takes `undefined` as absent.
import {
  ResponsesClient, ResponseStream, functionTool, type ClientOptions, type ResponseCreateParams, type RunnableFunctionTool,
} from 'cometapi-responses';

// as @types/node declares it (not a dependency here)
declare const process: { env: { [name: string]: string | undefined } };
declare const maybeSignal: AbortSignal | undefined;
declare const t: number | undefined;
declare const maybeSteps: number | undefined;
declare const maybeDescription: string | undefined;
declare const maybeExecute: ((args: { city: string }) => string) | undefined;
declare const body: ReadableStream<Uint8Array>;

// the README's first line
const client = new ResponsesClient({ apiKey: process.env.COMETAPI_KEY });
const options: ClientOptions = { apiKey: process.env.COMETAPI_KEY, baseURL: process.env.COMETAPI_BASE_URL, fetch: undefined };

export async function exact(params: ResponseCreateParams): Promise<string> {
  const stream: ResponseStream = client.stream({ ...params, temperature: t }, { signal: maybeSignal });
  const fromBody = ResponseStream.fromReadableStream(body, { signal: maybeSignal, maxEventSize: undefined });
  const made = await client.create({ model: 'm', input: 'x', max_output_tokens: t, tools: undefined }, { timeout: t, maxRetries: t });

  const tool = functionTool({ name: 'get_weather', description: maybeDescription, execute: maybeExecute });
  // a tool with typed arguments is a RunnableFunctionTool (`execute` keeps a method's variance)
  const tools: RunnableFunctionTool[] = [tool];
  const run = client.runTools({ model: 'm', input: 'x', tools }, { maxSteps: maybeSteps, concurrency: undefined, signal: maybeSignal });

  // @ts-expect-error a required member stays required: no model without a prompt
  await client.create({ model: undefined, input: 'x' });
  // @ts-expect-error undefined, not null, where the API takes no null
  client.runTools({ model: 'm', input: 'x', tools }, { maxSteps: null });
  return `${stream.response?.id} ${fromBody.response?.id} ${made.id} ${(await run.finalResponse()).id} ${options.apiKey}`;
}
