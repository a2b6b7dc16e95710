// The event union: each event type narrows to its exact fields; misspelt type names and fields do
// not compile (the @ts-expect-error lines: tsc fails if one of them compiles), and an event this
// version does not list is still handled without losing the narrowing.
import type { EventOfType, ResponseStreamEvent, ResponseStreamEventType, UnknownResponseEvent, WithVendorFields } from 'cometapi-responses';
import { ApiError, ResponsesClient, type ConnectionError, type StreamError, type TimeoutError } from 'cometapi-responses';

declare const e: ResponseStreamEvent;

export function narrowing(): string[] {
  const out: string[] = [];
  if (e.type === 'response.shell_call_command.delta') {
    out.push(e.delta, String(e.command_index), String(e.output_index));
    // @ts-expect-error shell_call_command events carry no item_id
    out.push(e.item_id);
  }
  if (e.type === 'response.shell_call_command.added' || e.type === 'response.shell_call_command.done') out.push(e.command);
  if (e.type === 'response.shell_call_output_content.delta') out.push(e.delta.stdout ?? '', e.delta.stderr ?? '', e.item_id);
  if (e.type === 'response.shell_call_output_content.done') {
    for (const o of e.output) out.push(o.stdout, o.stderr, o.outcome.type === 'exit' ? String(o.outcome.exit_code) : 'timeout');
  }
  if (e.type === 'response.apply_patch_call_operation_diff.delta') out.push(e.delta, e.item_id);
  if (e.type === 'response.apply_patch_call_operation_diff.done') out.push(e.diff);
  if (e.type === 'response.audio.delta' || e.type === 'response.audio.transcript.delta') out.push(e.delta);
  if (e.type === 'response.audio.done' || e.type === 'response.audio.transcript.done') out.push(e.type);
  if (e.type === 'response.output_text.delta') out.push(e.delta, e.item_id, String(e.content_index), e.obfuscation ?? '');
  if (e.type === 'response.output_text.done') out.push(e.text);
  if (e.type === 'response.refusal.done') out.push(e.refusal);
  if (e.type === 'response.function_call_arguments.done') out.push(e.arguments, e.name ?? '');
  if (e.type === 'response.custom_tool_call_input.done') out.push(e.input);
  if (e.type === 'response.code_interpreter_call_code.done') out.push(e.code);
  if (e.type === 'response.reasoning_summary_text.delta') out.push(e.delta, String(e.summary_index));
  if (e.type === 'response.reasoning_summary_part.added') out.push(e.part.text);
  if (e.type === 'response.output_text.annotation.added' && e.annotation.type === 'url_citation') out.push(e.annotation.url);
  if (e.type === 'response.image_generation_call.partial_image') out.push(e.partial_image_b64, String(e.partial_image_index));
  if (e.type === 'response.output_item.added' && e.item.type === 'function_call') out.push(e.item.call_id, e.item.arguments);
  if (e.type === 'response.output_item.done' && e.item.type === 'apply_patch_call' && e.item.operation.type !== 'delete_file') out.push(e.item.operation.diff);
  if (e.type === 'response.completed') out.push(e.response.id, e.response.status, e.response.output_text ?? '');
  if (e.type === 'response.web_search_call.searching' || e.type === 'response.mcp_list_tools.failed') out.push(e.item_id);
  if (e.type === 'keepalive') out.push(String(e.sequence_number));
  // `error` in both shapes: nested (as sent) and flat (as documented)
  if (e.type === 'error') {
    out.push(e.error?.message ?? e.message ?? '');
    if (e.error) out.push(e.error.type ?? '', e.error.code ?? '');
    else out.push(e.message, e.code ?? '', e.param ?? '');
  }

  // @ts-expect-error a misspelt event type does not compile
  if (e.type === 'response.output_text.detla') out.push('never');
  // @ts-expect-error no template combinations: file_search has no "interpreting" status event
  if (e.type === 'response.file_search_call.interpreting') out.push('never');
  // @ts-expect-error no template combinations: web_search has no "failed" status event
  if (e.type === 'response.web_search_call.failed') out.push('never');
  // @ts-expect-error code_interpreter has no "searching" status event
  if (e.type === 'response.code_interpreter_call.searching') out.push('never');
  if (e.type === 'response.output_text.delta') {
    // @ts-expect-error a misspelt field does not compile
    out.push(e.detla);
  }
  if (e.type === 'response.function_call_arguments.delta') {
    // @ts-expect-error a delta event has no `arguments`
    out.push(e.arguments);
  }

  // an event this version does not list: compare the type as a string, read fields as vendor fields
  if ((e.type as string) === 'response.vendor_thing.delta') {
    const vendor = e as WithVendorFields<UnknownResponseEvent>;
    out.push(String(vendor.vendor_field));
  }
  switch (e.type) {
    case 'response.output_text.delta':
      out.push(e.delta);
      break;
    default:
      out.push(e.type); // every other type, known or not, is a string
  }
  return out;
}

// the type list: exact names, and the handler of `on` gets the event of its name
const names: ResponseStreamEventType[] = [
  'response.audio.delta', 'response.audio.transcript.done', 'response.shell_call_command.added', 'response.shell_call_output_content.done',
  'response.apply_patch_call_operation_diff.done', 'response.mcp_call.failed', 'response.image_generation_call.generating', 'keepalive', 'error',
];
// @ts-expect-error not an event type
const notAName: ResponseStreamEventType = 'response.output_text.updated';

const delta: EventOfType<'response.shell_call_command.delta'>['delta'] = 'ls';

export function handlers(client: ResponsesClient): void {
  const stream = client.stream({ model: 'm', input: 'x' });
  stream.on('response.shell_call_output_content.delta', (ev) => void ev.delta.stdout);
  stream.on('response.audio.delta', (ev) => void ev.delta.length);
  // a failure is the error itself (the wire `error` and `response.failed` events are never handed
  // out)
  stream.on('error', (e) => void (e instanceof ApiError ? e.requestId : e.message));
  stream.on('error', (e: ApiError | ConnectionError | TimeoutError | StreamError) => void e.name);
  // @ts-expect-error not an ApiError only
  stream.on('error', (e: ApiError) => void e.requestId);
  // @ts-expect-error nor is the error event (on('error') gets the error itself)
  stream.on('error', (ev: ResponseStreamEvent) => void ev.type);
  stream.on('*', (ev) => void ev.type);
  // @ts-expect-error on() takes known event names only (or '*')
  stream.on('response.output_text.detla', () => {});
  // @ts-expect-error the handler gets the event of that name
  stream.on('response.audio.done', (ev) => void ev.delta);
}
