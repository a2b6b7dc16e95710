// The mock Responses API under /v1: create (JSON, SSE, background), retrieve
// (JSON, or SSE replay with starting_after), cancel, delete, input_items — with
// the real API's status codes and error shapes, and faults on demand.

import { apiError, sendJson, newId, nowSeconds } from './http.mjs';
import { parseFaults, applyPreFaults, sendFaultHeaderError, AttemptCounter } from './faults.mjs';
import { validateCreate, malformedJsonError } from './validate.mjs';
import { normalizeInput, planAnswer, estimateTokens, messageText } from './model.mjs';
import { baseResponse, buildEvents } from './events.mjs';
import { ResponseStore, Entry } from './store.mjs';
import { SseWriter } from './sse.mjs';

/**
 * @param {{delayMs: number, backgroundMs: number, signal: AbortSignal}} opts
 * @returns {{handle(req, res, ctx): Promise<void>, store: ResponseStore, attempts: AttemptCounter}}
 */
export function createMockApi({ delayMs = 15, backgroundMs = 2000, signal } = {}) {
  const store = new ResponseStore({ signal });
  const attempts = new AttemptCounter();

  /** ctx: {path (after /v1), query: URLSearchParams, body: Buffer} */
  async function handle(req, res, ctx) {
    const { faults, error } = parseFaults(req.headers['x-mock-fault']);
    if (error) return sendFaultHeaderError(res, error);
    if (await applyPreFaults(req, res, faults, attempts)) return;

    const m = /^\/responses(?:\/([^/]+)(\/cancel|\/input_items)?)?\/?$/.exec(ctx.path);
    const method = req.method;
    if (m && !m[1] && method === 'POST') return create(req, res, ctx, faults);
    if (m && m[1]) {
      let id;
      try { id = decodeURIComponent(m[1]); } catch { id = m[1]; }
      if (!m[2] && method === 'GET') return retrieve(res, id, ctx.query, faults);
      if (!m[2] && method === 'DELETE') return remove(res, id);
      if (m[2] === '/cancel' && method === 'POST') return cancel(res, id);
      if (m[2] === '/input_items' && method === 'GET') return inputItems(res, id, ctx.query);
    }
    return sendJson(res, 404, apiError(`Invalid URL (${method} /v1${ctx.path})`));
  }

  function notFound(res, id) {
    return sendJson(res, 404, apiError(`Response with id '${id}' not found.`));
  }

  async function create(req, res, ctx, faults0) {
    const faults = faults0 ?? {};
    let body;
    try {
      body = JSON.parse(ctx.body.toString('utf8'));
    } catch {
      return sendJson(res, 400, malformedJsonError());
    }
    const invalid = validateCreate(body);
    if (invalid) return sendJson(res, 400, invalid);

    let prev = null;
    if (body.previous_response_id != null) {
      prev = store.get(body.previous_response_id);
      if (!prev) {
        return sendJson(res, 400, apiError(`Previous response with id '${body.previous_response_id}' not found.`, {
          param: 'previous_response_id', code: 'previous_response_not_found',
        }));
      }
    }
    const input = normalizeInput(body.input);
    const history = prev ? prev.conversation() : [];
    const toolError = checkToolOutputs(history, input, prev);
    if (toolError) return sendJson(res, 400, toolError);

    const turn = prev ? prev.turn + 1 : 1;
    const plan = planAnswer(body, history, input, { turn, faults });
    const background = body.background === true;
    const base = baseResponse(body, { id: newId('resp'), createdAt: nowSeconds(), background });
    const inputText = [body.instructions ?? '', ...[...history, ...input].map(itemText)].join('\n');
    const { events, final } = buildEvents(plan, base, {
      inputTokens: estimateTokens(inputText) + 8 * (history.length + input.length),
      include: body.include ?? [],
      faults,
    });
    const entry = new Entry({
      id: base.id, body, input, history, turn, planned: events, final, background,
      stored: body.store !== false || background, size: ctx.body.length,
    });
    if (entry.stored) store.add(entry);

    const delay = faults.delay ?? delayMs;
    const pace = background
      ? (i, e) => {
        if (e.planned[i].type === 'response.in_progress') return Math.round(backgroundMs * 0.2);
        return faults.delay ?? Math.round((backgroundMs * 0.8) / Math.max(1, e.planned.length - 3));
      }
      : (i, e) => (e.subscribers.size ? delay : 0);

    if (body.stream === true) {
      const writer = new SseWriter(res, faults);
      const unsubscribe = entry.subscribe((ev) => (ev ? writer.send(ev) : writer.end()));
      res.on('close', unsubscribe); // nobody watching: the run finishes at once
      entry.run(pace, signal);
      return;
    }
    if (background) {
      entry.run(pace, signal); // emits response.created synchronously
      return sendJson(res, 200, entry.snapshot());
    }
    await entry.run(pace, signal);
    if (entry.events.some((e) => e.type === 'error')) {
      const err = entry.events.find((e) => e.type === 'error');
      const e = err.error ?? err;
      return sendJson(res, 500, apiError(e.message, { type: err.error ? e.type : 'server_error', code: e.code, param: e.param }));
    }
    return sendJson(res, 200, entry.snapshot());
  }

  function retrieve(res, id, query, faults) {
    const entry = store.get(id);
    if (!entry) return notFound(res, id);
    if (query.get('stream') !== 'true') return sendJson(res, 200, entry.snapshot());
    let after = -1;
    if (query.has('starting_after')) {
      const raw = query.get('starting_after');
      if (!/^\d+$/.test(raw)) {
        return sendJson(res, 400, apiError(`Invalid 'starting_after': expected an integer, but got '${raw}' instead.`, { param: 'starting_after', code: 'invalid_type' }));
      }
      after = Number(raw);
    }
    const writer = new SseWriter(res, faults);
    // Replay and subscribe in the same tick, so no event is missed or doubled.
    for (const ev of entry.events) if (ev.sequence_number > after) writer.send(ev);
    if (entry.running) {
      const unsubscribe = entry.subscribe((ev) => (ev ? ev.sequence_number > after && writer.send(ev) : writer.end()));
      res.on('close', unsubscribe);
    } else {
      writer.end();
    }
  }

  function remove(res, id) {
    const entry = store.get(id);
    if (!entry) return notFound(res, id);
    if (entry.running) entry.controller.abort();
    store.delete(id);
    return sendJson(res, 200, { id, object: 'response', deleted: true });
  }

  function cancel(res, id) {
    const entry = store.get(id);
    if (!entry) return notFound(res, id);
    if (!entry.background) {
      return sendJson(res, 400, apiError('Only responses created with background=true can be cancelled.', { param: null, code: null }));
    }
    entry.cancel();
    return sendJson(res, 200, entry.snapshot());
  }

  function inputItems(res, id, query) {
    const entry = store.get(id);
    if (!entry) return notFound(res, id);
    const order = query.get('order') ?? 'desc';
    if (order !== 'asc' && order !== 'desc') {
      return sendJson(res, 400, apiError(`Invalid value: '${order}'. Supported values are: 'asc' and 'desc'.`, { param: 'order', code: 'invalid_value' }));
    }
    const limit = query.has('limit') ? Number(query.get('limit')) : 20;
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
      return sendJson(res, 400, apiError(`Invalid 'limit': expected an integer between 1 and 100, but got '${query.get('limit')}' instead.`, { param: 'limit', code: 'invalid_value' }));
    }
    let items = order === 'asc' ? [...entry.input] : [...entry.input].reverse();
    const after = query.get('after');
    if (after) {
      const i = items.findIndex((it) => it.id === after);
      items = i < 0 ? [] : items.slice(i + 1);
    }
    const data = structuredClone(items.slice(0, limit));
    return sendJson(res, 200, {
      object: 'list',
      data,
      first_id: data[0]?.id ?? null,
      last_id: data.at(-1)?.id ?? null,
      has_more: items.length > limit,
    });
  }

  return { handle, store, attempts };
}

function itemText(item) {
  if (item.type === 'message') return messageText(item);
  if (item.type === 'function_call') return `${item.name}(${item.arguments})`;
  if (item.type === 'function_call_output') return typeof item.output === 'string' ? item.output : JSON.stringify(item.output);
  if (item.type === 'reasoning') return '';
  return JSON.stringify(item);
}

/** Tool outputs must answer a known call, and a pending call of the previous turn needs its output. */
function checkToolOutputs(history, input, prev) {
  const calls = new Set([...history, ...input].filter((i) => i.type === 'function_call').map((i) => i.call_id));
  for (const o of input.filter((i) => i.type === 'function_call_output')) {
    if (!calls.has(o.call_id)) {
      return apiError(`No tool call found for function call output with call_id ${o.call_id}.`, { param: 'input' });
    }
  }
  if (prev) {
    const answered = new Set([...history, ...input].filter((i) => i.type === 'function_call_output').map((i) => i.call_id));
    for (const c of prev.output.filter((i) => i?.type === 'function_call')) {
      if (!answered.has(c.call_id)) {
        return apiError(`No tool output found for function call ${c.call_id}.`, { param: 'input' });
      }
    }
  }
  return null;
}
