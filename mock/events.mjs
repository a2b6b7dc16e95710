// From a plan (model.mjs) to the Responses API's objects: the Response skeleton that
// echoes the request, and the full, ordered list of stream events with
// `sequence_number` from 0, `output_index`, `content_index`, `item_id`, usage.
// Shapes follow the live recordings in fixtures/recorded/.

import { newId, newCallId, nowSeconds, base64 } from './util.mjs';
import { estimateTokens } from './model.mjs';

const clone = (v) => structuredClone(v);

function echoTool(t) {
  if (t?.type !== 'function') return t;
  return {
    type: 'function',
    description: t.description ?? null,
    name: t.name,
    parameters: t.parameters ?? null,
    strict: t.strict ?? true,
  };
}

/** The Response object as `response.created` shows it, echoing the request's parameters. */
export function baseResponse(body, { id, createdAt, background }) {
  const r = {
    id,
    object: 'response',
    created_at: createdAt,
    status: background ? 'queued' : 'in_progress',
    background: !!background,
    completed_at: null,
    error: null,
    frequency_penalty: body.frequency_penalty ?? 0.0,
    incomplete_details: null,
    instructions: body.instructions ?? null,
    max_output_tokens: body.max_output_tokens ?? null,
    max_tool_calls: body.max_tool_calls ?? null,
    model: body.model ?? 'gpt-mock',
    output: [],
    parallel_tool_calls: body.parallel_tool_calls ?? true,
    presence_penalty: body.presence_penalty ?? 0.0,
    previous_response_id: body.previous_response_id ?? null,
    prompt_cache_key: body.prompt_cache_key ?? null,
    prompt_cache_retention: body.prompt_cache_retention ?? null,
    reasoning: { effort: body.reasoning?.effort ?? null, summary: body.reasoning?.summary ?? null },
    safety_identifier: body.safety_identifier ?? null,
    service_tier: body.service_tier ?? 'auto',
    store: body.store ?? true,
    temperature: body.temperature ?? 1.0,
    text: { format: body.text?.format ?? { type: 'text' }, verbosity: body.text?.verbosity ?? 'medium' },
    tool_choice: body.tool_choice ?? 'auto',
    tools: (body.tools ?? []).map(echoTool),
    top_logprobs: body.top_logprobs ?? 0,
    top_p: body.top_p ?? 1.0,
    truncation: body.truncation ?? 'disabled',
    usage: null,
    user: body.user ?? null,
    metadata: body.metadata ?? {},
  };
  if (body.conversation != null) {
    r.conversation = { id: typeof body.conversation === 'string' ? body.conversation : body.conversation.id };
  }
  if (body.prompt != null) r.prompt = body.prompt;
  return r;
}

/**
 * Build every event of the answer, in the documented order.
 * @param {object} plan from planAnswer()
 * @param {object} base from baseResponse()
 * @param {{inputTokens: number, include?: string[], faults?: object}} opts
 * @returns {{events: object[], final: object}} final: the terminal Response
 */
export function buildEvents(plan, base, { inputTokens, include = [], faults = {} }) {
  const events = [];
  let seq = 0;
  const push = (type, fields) => { const ev = { type, sequence_number: seq++, ...fields }; events.push(ev); return ev; };
  const lifecycle = (type, patch = {}) => push(type, { response: { ...clone(base), ...clone(patch) } });

  lifecycle('response.created');
  if (base.background) lifecycle('response.queued', { status: 'queued' });
  lifecycle('response.in_progress', { status: 'in_progress' });

  if (faults.errorEvent) {
    const error = {
      type: 'server_error',
      code: 'server_error',
      message: 'The mock server emitted an error event on request (x-mock-fault: error-event).',
      param: null,
    };
    // Flat: the error's fields beside `type: "error"` (its own `type` would overwrite it).
    if (faults.errorEvent === 'flat') push('error', { code: error.code, message: error.message, param: error.param });
    else push('error', { error });
    if (faults.errorEvent === 'failed') {
      const final = { ...clone(base), status: 'failed', error: { code: error.code, message: error.message } };
      push('response.failed', { response: clone(final) });
      return { events, final };
    }
    return { events, final: { ...clone(base), status: 'failed', error: { code: error.code, message: error.message } } };
  }

  // Output token budget: max_output_tokens, or half the answer for the `incomplete` fault.
  const plannedTokens = plan.items.reduce((n, it) => n + (it.chunks ?? []).reduce((m, c) => m + estimateTokens(c), 0), 0) +
    (plan.reasoning ?? []).reduce((n, t) => n + estimateTokens(t), 0);
  let budget = base.max_output_tokens ?? Infinity;
  if (faults.incomplete) budget = Math.max(1, Math.floor(plannedTokens / 2));
  // `failed` fault: stop after half of the deltas of the last item.
  let used = 0;
  let reasoningTokens = 0;
  let cut = false;
  const output = [];
  const spend = (text) => { used += estimateTokens(text); return used > budget; };

  if (plan.reasoning) {
    const index = output.length;
    const item = { id: newId('rs'), type: 'reasoning', summary: [] };
    if (include.includes('reasoning.encrypted_content')) {
      item.encrypted_content = base64(`mock reasoning for ${base.id}`);
    }
    output.push(item);
    push('response.output_item.added', { output_index: index, item: clone(item) });
    plan.reasoning.forEach((summary, si) => {
      const part = { type: 'summary_text', text: '' };
      push('response.reasoning_summary_part.added', { item_id: item.id, output_index: index, summary_index: si, part: clone(part) });
      item.summary.push(part);
      for (const delta of chunkSummary(summary)) {
        part.text += delta;
        reasoningTokens += estimateTokens(delta);
        spend(delta);
        push('response.reasoning_summary_text.delta', { item_id: item.id, output_index: index, summary_index: si, delta });
      }
      push('response.reasoning_summary_text.done', { item_id: item.id, output_index: index, summary_index: si, text: part.text });
      push('response.reasoning_summary_part.done', { item_id: item.id, output_index: index, summary_index: si, part: clone(part) });
    });
    reasoningTokens += 16; // the "hidden" thinking a real model would bill
    push('response.output_item.done', { output_index: index, item: clone(item) });
  }

  for (let k = 0; k < plan.items.length && !cut; k++) {
    const p = plan.items[k];
    const index = output.length;
    const isLast = k === plan.items.length - 1;
    const failAt = faults.failed && isLast ? Math.max(1, Math.floor(p.chunks.length / 2)) : Infinity;
    if (p.kind in BUILTIN) {
      BUILTIN[p.kind](p, index, { output, push, include, base });
      continue;
    }
    if (p.kind === 'function_call') {
      const item = { id: newId('fc'), type: 'function_call', status: 'in_progress', arguments: '', call_id: newCallId(), name: p.name };
      output.push(item);
      push('response.output_item.added', { output_index: index, item: clone(item) });
      for (let i = 0; i < p.chunks.length; i++) {
        if (i === failAt) return failedEnd();
        item.arguments += p.chunks[i];
        push('response.function_call_arguments.delta', { item_id: item.id, output_index: index, delta: p.chunks[i] });
        if (spend(p.chunks[i])) { cut = true; break; }
      }
      push('response.function_call_arguments.done', { item_id: item.id, output_index: index, arguments: item.arguments });
      item.status = cut ? 'incomplete' : 'completed';
      push('response.output_item.done', { output_index: index, item: clone(item) });
    } else {
      const item = { id: newId('msg'), type: 'message', status: 'in_progress', content: [], role: 'assistant' };
      output.push(item);
      push('response.output_item.added', { output_index: index, item: clone(item) });
      const part = { type: 'output_text', annotations: [], logprobs: [], text: '' };
      item.content.push(part);
      push('response.content_part.added', { item_id: item.id, output_index: index, content_index: 0, part: { ...clone(part) } });
      for (let i = 0; i < p.chunks.length; i++) {
        if (i === failAt) return failedEnd();
        part.text += p.chunks[i];
        push('response.output_text.delta', { item_id: item.id, output_index: index, content_index: 0, delta: p.chunks[i], logprobs: [] });
        if (spend(p.chunks[i])) { cut = true; break; }
      }
      for (const [k, annotation] of (cut ? [] : p.annotations ?? []).entries()) {
        part.annotations.push(clone(annotation));
        push('response.output_text.annotation.added', { item_id: item.id, output_index: index, content_index: 0, annotation_index: k, annotation: clone(annotation) });
      }
      push('response.output_text.done', { item_id: item.id, output_index: index, content_index: 0, text: part.text, logprobs: [] });
      push('response.content_part.done', { item_id: item.id, output_index: index, content_index: 0, part: clone(part) });
      item.status = cut ? 'incomplete' : 'completed';
      push('response.output_item.done', { output_index: index, item: clone(item) });
    }
  }

  const usage = {
    input_tokens: inputTokens,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: used + (plan.reasoning ? 16 : 0),
    output_tokens_details: { reasoning_tokens: reasoningTokens },
    total_tokens: inputTokens + used + (plan.reasoning ? 16 : 0),
  };
  const final = {
    ...clone(base),
    status: cut ? 'incomplete' : 'completed',
    completed_at: cut ? null : nowSeconds(),
    incomplete_details: cut ? { reason: 'max_output_tokens' } : null,
    output: clone(output),
    service_tier: base.service_tier === 'auto' ? 'default' : base.service_tier,
    usage,
  };
  push(cut ? 'response.incomplete' : 'response.completed', { response: clone(final) });
  return { events, final };

  function failedEnd() {
    const final = {
      ...clone(base),
      status: 'failed',
      error: { code: 'server_error', message: 'The mock server failed this response on request (x-mock-fault: failed).' },
      output: clone(output),
    };
    push('response.failed', { response: clone(final) });
    return { events, final };
  }
}

/** Summaries stream a few words per delta, like the text. */
function chunkSummary(text) {
  const words = text.match(/\s*\S+|\s+/g) ?? [];
  const out = [];
  for (let i = 0; i < words.length; i += 2) out.push(words.slice(i, i + 2).join(''));
  return out;
}

/**
 * The built-in tools' items and events, as the recordings show them: added (in_progress), the
 * tool's status events (code deltas, partial images), done (completed, with what `include` asks).
 */
const BUILTIN = {
  web_search_call(p, index, { output, push, include }) {
    const item = { id: newId('ws'), type: 'web_search_call', status: 'in_progress' };
    output.push(item);
    push('response.output_item.added', { output_index: index, item: clone(item) });
    for (const s of ['in_progress', 'searching', 'completed']) push(`response.web_search_call.${s}`, { item_id: item.id, output_index: index });
    item.status = 'completed';
    item.action = { type: 'search', query: p.query };
    if (include.includes('web_search_call.action.sources')) item.action.sources = p.results.map((r) => ({ type: 'url', url: r.url }));
    push('response.output_item.done', { output_index: index, item: clone(item) });
  },
  file_search_call(p, index, { output, push, include }) {
    const item = { id: newId('fs'), type: 'file_search_call', status: 'in_progress', queries: [], results: null };
    output.push(item);
    push('response.output_item.added', { output_index: index, item: clone(item) });
    for (const s of ['in_progress', 'searching', 'completed']) push(`response.file_search_call.${s}`, { item_id: item.id, output_index: index });
    item.status = 'completed';
    item.queries = [p.query];
    if (include.includes('file_search_call.results')) item.results = clone(p.results);
    push('response.output_item.done', { output_index: index, item: clone(item) });
  },
  code_interpreter_call(p, index, { output, push, include }) {
    const item = { id: newId('ci'), type: 'code_interpreter_call', status: 'in_progress', code: '', container_id: newId('cntr', 48), outputs: [] };
    output.push(item);
    push('response.output_item.added', { output_index: index, item: clone(item) });
    push('response.code_interpreter_call.in_progress', { output_index: index, item_id: item.id });
    for (const delta of p.chunks) {
      item.code += delta;
      push('response.code_interpreter_call_code.delta', { output_index: index, item_id: item.id, delta });
    }
    push('response.code_interpreter_call_code.done', { output_index: index, item_id: item.id, code: item.code });
    push('response.code_interpreter_call.interpreting', { output_index: index, item_id: item.id });
    push('response.code_interpreter_call.completed', { output_index: index, item_id: item.id });
    item.status = 'completed';
    item.outputs = include.includes('code_interpreter_call.outputs') ? [{ type: 'logs', logs: p.logs }] : null;
    push('response.output_item.done', { output_index: index, item: clone(item) });
  },
  image_generation_call(p, index, { output, push }) {
    const item = { id: newId('ig'), type: 'image_generation_call', status: 'in_progress' };
    output.push(item);
    push('response.output_item.added', { output_index: index, item: clone(item) });
    push('response.image_generation_call.in_progress', { output_index: index, item_id: item.id });
    push('response.image_generation_call.generating', { output_index: index, item_id: item.id });
    p.partials.forEach((b64, k) => push('response.image_generation_call.partial_image', {
      output_index: index, item_id: item.id, partial_image_index: k, partial_image_b64: b64,
    }));
    push('response.image_generation_call.completed', { output_index: index, item_id: item.id });
    Object.assign(item, {
      status: 'completed', background: 'opaque', output_format: 'png', quality: 'low', size: '64x64',
      result: p.result, revised_prompt: `A mock picture of: ${p.prompt}`,
    });
    push('response.output_item.done', { output_index: index, item: clone(item) });
  },
};
