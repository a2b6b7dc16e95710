// Response, output items and params have no catch-all index signature: a misspelt field does not
// compile (the @ts-expect-error lines), and vendor fields are reached through WithVendorFields.
import type {
  FunctionTool, InputItem, OutputItem, ParseParams, Response, ResponseCreateParams, ResponseCreateParamsBase, ResponseModelAndInput, ResponseUsage,
  RunToolsParams, Tool, WithVendorFields,
} from 'cometapi-responses';
import { jsonSchemaFormat } from 'cometapi-responses';
import { ResponsesClient } from 'cometapi-responses';

declare const response: Response;
declare const item: OutputItem;

export function reading(): unknown[] {
  const out: unknown[] = [response.output_text, response.usage?.total_tokens, response.status];
  // @ts-expect-error a misspelt Response field does not compile
  out.push(response.output_txt);
  // @ts-expect-error nor a field no server sends
  out.push(response.choices);
  if (item.type === 'message') {
    for (const part of item.content) if (part.type === 'output_text') out.push(part.text, part.annotations.length);
    // @ts-expect-error a message has no `arguments`
    out.push(item.arguments);
  }
  if (item.type === 'function_call') {
    out.push(item.name, item.arguments, item.call_id);
    // @ts-expect-error misspelt
    out.push(item.call_ID);
  }
  if (item.type === 'reasoning') out.push(item.encrypted_content, item.summary.map((s) => s.text));
  if (item.type === 'shell_call') out.push(item.action.commands);
  if (item.type === 'compaction') out.push(item.encrypted_content);
  // vendor fields: visible, typed unknown
  const usage = response.usage as WithVendorFields<ResponseUsage> | null | undefined;
  out.push(usage?.cost, usage?.total_tokens);
  const vendor = response as WithVendorFields<Response>;
  const n: number = vendor.created_at; // the known fields keep their types
  out.push(n, vendor.provider_trace_id);
  return out;
}

export async function sending(client: ResponsesClient): Promise<void> {
  const input: InputItem[] = [
    { role: 'user', content: [{ type: 'input_text', text: 'hi' }, { type: 'input_image', image_url: 'https://x/y.png', detail: 'auto' }] },
    { type: 'function_call', call_id: 'c1', name: 'f', arguments: '{}' },
    { type: 'function_call_output', call_id: 'c1', output: '{"ok":true}' },
    { type: 'item_reference', id: 'msg_1' },
    { type: 'reasoning', id: 'rs_1', summary: [], encrypted_content: 'gAAA' },
  ];
  const tools: Tool[] = [
    { type: 'function', name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } }, strict: true },
    { type: 'web_search', search_context_size: 'low' },
    { type: 'mcp', server_label: 'x', server_url: 'https://mcp.example', require_approval: 'never' },
    { type: 'code_interpreter', container: { type: 'auto' } },
    { type: 'image_generation', quality: 'low' },
    { type: 'apply_patch' },
    { type: 'shell' },
  ];
  await client.create({ model: 'm', input, tools, tool_choice: { type: 'function', name: 'get_weather' }, prompt_cache_retention: 'in-memory' });

  // @ts-expect-error a misspelt parameter does not compile
  await client.create({ model: 'm', input: 'x', temprature: 1 });
  // @ts-expect-error a misspelt field of an input item
  await client.create({ model: 'm', input: [{ type: 'function_call_output', call_id: 'c', outptu: 'x' }] });
  // @ts-expect-error a tool type that does not exist
  await client.create({ model: 'm', input: 'x', tools: [{ type: 'web_serch' }] });
  // @ts-expect-error a misspelt field of a function tool
  const badTool: FunctionTool = { type: 'function', name: 'f', paramters: {} };
  // open enumerations: any string compiles (the API adds values), other types do not
  await client.create({ model: 'm', input: 'x', truncation: 'on', service_tier: 'scale', prompt_cache_retention: 'in_memory', tool_choice: 'sometimes' });
  await client.create({ model: 'm', input: 'x', prompt_cache_retention: '12h', reasoning: { effort: 'max', summary: 'long' }, text: { verbosity: 'loud' } });
  // @ts-expect-error truncation is a string
  await client.create({ model: 'm', input: 'x', truncation: 1 });
  // @ts-expect-error service_tier is a string
  await client.create({ model: 'm', input: 'x', service_tier: true });

  // a provider's own parameter, on purpose
  const params: WithVendorFields<ResponseCreateParams> = { model: 'm', input: 'x', provider: { order: ['a'] } };
  await client.create(params);
}

// model and input: both required, unless a stored prompt is given (it may carry them)
export async function storedPrompt(client: ResponsesClient): Promise<void> {
  await client.create({ prompt: { id: 'pmpt_1' } });
  await client.create({ prompt: { id: 'pmpt_1', version: '2', variables: { city: 'Lisbon' } }, input: 'and tomorrow?' });
  await client.create({ prompt: { id: 'pmpt_1' }, model: 'gpt-5.4', temperature: 0.2 });
  client.stream({ prompt: { id: 'pmpt_1' } });
  const byPrompt: ResponseCreateParams = { prompt: { id: 'pmpt_1' }, store: false };
  await client.create(byPrompt);
  const vendor: WithVendorFields<ResponseCreateParams> = { prompt: { id: 'pmpt_1' }, provider: { order: ['a'] } };
  await client.create(vendor);
  const parsed = await client.parse({ prompt: { id: 'pmpt_1' }, text: { format: jsonSchemaFormat<{ a: number }>('a', { type: 'object' }) } });
  const a: number | undefined = parsed.output_parsed?.a;
  const loop: RunToolsParams = { prompt: { id: 'pmpt_1' }, tools: [{ type: 'web_search' }] };
  client.runTools(loop);
  // the rule carries over to the other params types, and to a field left out the documented way
  const parse: ParseParams<unknown> = { prompt: { id: 'pmpt_1' }, text: { format: { type: 'json_schema', name: 'x', schema: {} } } };
  const noTools: Omit<ResponseCreateParamsBase, 'tools'> & ResponseModelAndInput = { model: 'm', input: 'x' };
  await client.create(noTools);
  const socket = await client.connect();
  await socket.warmup({ prompt: { id: 'pmpt_1' } });
  await socket.create({ model: 'm', input: 'x' });

  // @ts-expect-error without a prompt, input is required
  await client.create({ model: 'm' });
  // @ts-expect-error without a prompt, model is required
  await client.create({ input: 'x' });
  // @ts-expect-error a null prompt gives neither
  await client.create({ prompt: null });
  // @ts-expect-error a prompt needs its id
  await client.create({ prompt: { version: '1' } });
  // @ts-expect-error params of nothing
  await client.create({});
  // @ts-expect-error a misspelt parameter beside a prompt
  await client.create({ prompt: { id: 'pmpt_1' }, temprature: 1 });
  // @ts-expect-error runTools params keep the rule
  const noInput: RunToolsParams = { model: 'm', tools: [] };
  // @ts-expect-error parse params keep the rule
  await client.parse({ model: 'm', text: { format: jsonSchemaFormat('a', { type: 'object' }) } });
  // @ts-expect-error so do a socket's warmup params
  await socket.warmup({ model: 'm' });
  // @ts-expect-error a vendor field does not stand for the prompt
  const vendorOnly: WithVendorFields<ResponseCreateParams> = { model: 'm', provider: { order: ['a'] } };
  void [a, parse, noInput, vendorOnly];
}
