// Shared helpers of the sdk-*.test.mjs files (not a test file itself): Responses and their streams
// built from their output items, a custom fetch that answers from a script and records every
// request, and hand-made Standard Schema validators (no dependency).
import { ResponsesClient } from 'cometapi-responses';
import { frame } from './client-helpers.mjs';

const assistant = (id, content) => ({ id, type: 'message', status: 'completed', role: 'assistant', content });
export const message = (text, id = 'msg_1') => assistant(id, [{ type: 'output_text', text, annotations: [] }]);
export const refusal = (text = "I can't help with that.") => assistant('msg_r', [{ type: 'refusal', refusal: text }]);
export const fnCall = (name, args, callId, id = `fc_${callId}`) => ({ id, type: 'function_call', status: 'completed', arguments: args, call_id: callId, name });

let responses = 0;
/** A completed Response with these output items. */
export const response = (output, extra = {}) => ({
  id: `resp_${++responses}`,
  object: 'response',
  created_at: 1,
  status: 'completed',
  model: 'm',
  output,
  error: null,
  incomplete_details: null,
  ...extra,
});

/** Splits text into pieces of `n` characters (code points). */
export const pieces = (text, n = 3) => text.match(new RegExp(`.{1,${n}}`, 'gsu')) ?? [];

/** The event stream that builds `final` item by item (texts and arguments in small deltas). */
export function eventsOf(final, n = 3) {
  let seq = 0;
  const ev = (type, fields) => ({ type, sequence_number: seq++, ...fields });
  const start = { ...final, status: 'in_progress', output: [] };
  const events = [ev('response.created', { response: start }), ev('response.in_progress', { response: start })];
  final.output.forEach((item, i) => {
    const at = { item_id: item.id, output_index: i };
    if (item.type === 'message') {
      events.push(ev('response.output_item.added', { output_index: i, item: { ...item, status: 'in_progress', content: [] } }));
      item.content.forEach((part, j) => {
        const key = part.type === 'refusal' ? 'refusal' : 'text';
        const kind = part.type === 'refusal' ? 'refusal' : 'output_text';
        events.push(ev('response.content_part.added', { ...at, content_index: j, part: { ...part, [key]: '' } }));
        for (const delta of pieces(part[key], n)) events.push(ev(`response.${kind}.delta`, { ...at, content_index: j, delta }));
        events.push(ev(`response.${kind}.done`, { ...at, content_index: j, [key]: part[key] }));
        events.push(ev('response.content_part.done', { ...at, content_index: j, part }));
      });
    } else if (item.type === 'function_call') {
      events.push(ev('response.output_item.added', { output_index: i, item: { ...item, status: 'in_progress', arguments: '' } }));
      for (const delta of pieces(item.arguments, n)) events.push(ev('response.function_call_arguments.delta', { ...at, delta }));
      events.push(ev('response.function_call_arguments.done', { ...at, arguments: item.arguments }));
    } else {
      events.push(ev('response.output_item.added', { output_index: i, item }));
    }
    events.push(ev('response.output_item.done', { output_index: i, item }));
  });
  events.push(ev('response.completed', { response: final }));
  return events;
}

export const sseText = (events) => events.map((e) => frame(e)).join('');

export const sseAnswer = (final, n) =>
  new Response(sseText(eventsOf(final, n)), { headers: { 'content-type': 'text/event-stream' } });
export const jsonAnswer = (body, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

/**
 * A client whose fetch answers from `answer(body, n, init)` (n: 0-based request count) and
 * records every request ({ url, method, body, text: the body as sent, signal }) in `requests`.
 */
export function scripted(answer, opts = {}) {
  const requests = [];
  const fetch = async (url, init) => {
    const body = init.body === undefined ? undefined : JSON.parse(init.body);
    requests.push({ url, method: init.method, body, text: init.body, signal: init.signal });
    return answer(body, requests.length - 1, init);
  };
  return { client: new ResponsesClient({ apiKey: 'sk-test', baseURL: 'http://mock.invalid/v1', maxRetries: 0, fetch, ...opts }), requests };
}

/** A Standard Schema v1 (as zod / valibot implement it) from a check: `check(value)` → value or issues. */
export function schema(check, { async = false } = {}) {
  return {
    '~standard': {
      version: 1,
      vendor: 'test',
      validate(value) {
        const out = check(value);
        const result = Array.isArray(out?.issues) ? { issues: out.issues } : { value: out };
        return async ? Promise.resolve(result) : result;
      },
    },
  };
}

/** A person validator: `name` a string, `age` an integer; transforms to add `adult`. */
export const personSchema = (opts) =>
  schema((v) => {
    const issues = [];
    if (typeof v?.name !== 'string') issues.push({ message: 'expected a string', path: ['name'] });
    if (!Number.isInteger(v?.age)) issues.push({ message: 'expected an integer', path: [{ key: 'age' }] });
    return issues.length ? { issues } : { ...v, adult: v.age >= 18 };
  }, opts);
