// The mock Responses API under /v1: create (JSON, SSE, background), retrieve
// (JSON, or SSE replay with starting_after), cancel, delete, input_items — with
// the real API's status codes and error shapes, and faults on demand.

import { apiError, json, newId, nowSeconds } from './util.mjs';
import { parseFaults, applyPreFaults, faultHeaderError, AttemptCounter } from './faults.mjs';
import { validateCreate, validateCompact, validateInputTokens, malformedJsonError } from './validate.mjs';
import {
  normalizeInput, planAnswer, estimateTokens, messageText, turnOf, compactionContent, compactionTurns,
} from './model.mjs';
import { baseResponse, buildEvents } from './events.mjs';
import { ResponseStore, Entry } from './store.mjs';
import { SseWriter, SSE_HEADERS } from './sse.mjs';
import { ConversationStore, conversationRoutes } from './conversations.mjs';
import { FileStore, fileRoutes } from './files.mjs';
import { checkAttachments } from './attachments.mjs';

const decoder = new TextDecoder();

/**
 * @param {{delayMs: number, backgroundMs: number, maxBytes?: number}} opts
 * @returns {{handle(ctx): Promise<Response>, close(): void, store: ResponseStore, attempts: AttemptCounter}}
 */
export function createMockApi({ delayMs = 15, backgroundMs = 2000, maxBytes, maxFileBytes } = {}) {
  const store = new ResponseStore({ maxBytes });
  const attempts = new AttemptCounter();
  const runs = new Set(); // entries running now (stored or not)
  const conversations = new ConversationStore();
  const files = new FileStore({ maxBytes: maxFileBytes });

  /**
   * ctx: {method, path (after the base path, e.g. /responses), query: URLSearchParams,
   * headers: Headers, body: Uint8Array, signal: AbortSignal (the client left),
   * waitUntil(promise) (keeps background runs alive in a Worker), extra: headers for the answer}.
   * Rejects with Disconnect when a fault drops the connection.
   */
  async function handle(ctx) {
    const { faults, error } = parseFaults(ctx.headers.get('x-mock-fault'));
    if (error) return faultHeaderError(error);
    const early = await applyPreFaults(ctx.headers, faults, attempts, ctx);
    if (early) return early;

    const method = ctx.method;
    if (method === 'POST' && /^\/responses\/compact\/?$/.test(ctx.path)) return compact(ctx);
    if (method === 'POST' && /^\/responses\/input_tokens\/?$/.test(ctx.path)) return inputTokens(ctx);
    const conv = conversationRoutes(conversations, ctx);
    if (conv) return conv;
    const file = await fileRoutes(files, ctx);
    if (file) return file;
    const m = /^\/responses(?:\/([^/]+)(\/cancel|\/input_items)?)?\/?$/.exec(ctx.path);
    if (m && !m[1] && method === 'POST') return create(ctx, faults);
    if (m && m[1]) {
      let id;
      try { id = decodeURIComponent(m[1]); } catch { id = m[1]; }
      if (!m[2] && method === 'GET') return retrieve(ctx, id, faults);
      if (!m[2] && method === 'DELETE') return remove(id);
      if (m[2] === '/cancel' && method === 'POST') return cancel(id);
      if (m[2] === '/input_items' && method === 'GET') return inputItems(id, ctx.query);
    }
    return json(404, apiError(`Invalid URL (${method} /v1${ctx.path})`));
  }

  function notFound(id) {
    return json(404, apiError(`Response with id '${id}' not found.`));
  }

  /** An SSE answer fed by `entry`'s events after `after`, replayed first when `replay`. */
  function sse(ctx, entry, faults, { after = -1, replay = false } = {}) {
    let unsubscribe = () => {};
    const writer = new SseWriter(faults, { signal: ctx.signal, onCancel: () => unsubscribe() });
    // Replay and subscribe in the same tick, so no event is missed or doubled.
    if (replay && faults?.replaySeq) {
      const again = entry.events.findLast((ev) => ev.sequence_number <= after && ev.type === 'response.output_text.delta');
      if (again) writer.send(withSeq(again, faults.replaySeq, after));
    }
    if (replay) for (const ev of entry.events) if (ev.sequence_number > after) writer.send(ev);
    if (!replay || entry.running) {
      unsubscribe = entry.subscribe((ev) => (ev ? ev.sequence_number > after && writer.send(ev) : writer.end()));
    } else {
      writer.end();
    }
    return new Response(writer.stream, { status: 200, headers: SSE_HEADERS });
  }

  /** A copy of `ev` whose `sequence_number` is not a number after `after` (fault `replay-seq`). */
  function withSeq(ev, kind, after) {
    const { sequence_number: _, ...rest } = ev;
    const seq = { negative: -1, fraction: after + 0.5, string: String(after + 1), huge: 1e20, same: after }[kind];
    return kind === 'missing' ? rest : { sequence_number: seq, ...rest };
  }

  /** The body as JSON and checked by `validate`: {body} or {error: Response}. */
  function parse(ctx, validate) {
    let body;
    try {
      body = JSON.parse(decoder.decode(ctx.body));
    } catch {
      return { error: json(400, malformedJsonError()) };
    }
    const invalid = validate(body);
    return invalid ? { error: json(400, invalid) } : { body };
  }

  /**
   * What a request's input stands on: the previous response or the conversation (its items
   * come first), and the checks of the items. {prev, conv, history, input} or {error}.
   */
  function context(body, local) {
    let prev = null;
    if (body.previous_response_id != null) {
      prev = store.get(body.previous_response_id) ?? local?.get(body.previous_response_id) ?? null;
      if (!prev) {
        return { error: json(400, apiError(`Previous response with id '${body.previous_response_id}' not found.`, {
          param: 'previous_response_id', code: 'previous_response_not_found',
        })) };
      }
    }
    let conv = null;
    if (body.conversation != null) {
      const id = typeof body.conversation === 'string' ? body.conversation : body.conversation.id;
      conv = conversations.get(id);
      if (!conv) return { error: json(404, apiError(`Conversation with id '${id}' not found.`, { param: 'conversation' })) };
    }
    const input = body.input == null ? [] : normalizeInput(body.input);
    const history = prev ? prev.conversation() : conv ? structuredClone(conv.items) : [];
    const toolError = checkToolOutputs(history, input);
    if (toolError) return { error: json(400, toolError) };
    const refError = checkItemReferences(input, store);
    if (refError) return { error: refError };
    const { attachments, error } = checkAttachments(body.input, files);
    if (error) return { error };
    return { prev, conv, history, input, attachments };
  }

  async function create(ctx, faults0) {
    const faults = faults0 ?? {};
    const { body, error } = parse(ctx, validateCreate);
    if (error) return error;
    const c = context(body, ctx.local);
    if (c.error) return c.error;
    const { prev, conv, history, input, attachments } = c;

    const turn = prev ? prev.turn + 1 : turnOf(null, [...history, ...input]);
    // `generate: false` (a WebSocket warmup): the request state only, no output.
    const plan =
      body.generate === false
        ? { reasoning: null, items: [] }
        : planAnswer(body, history, input, { turn, faults, attachments, files: [...files.files.values()] });
    const background = body.background === true;
    const base = baseResponse(body, { id: newId('resp'), createdAt: nowSeconds(), background });
    const { events, final } = buildEvents(plan, base, {
      inputTokens: inputTokenCount(body, history, input),
      include: body.include ?? [],
      faults,
    });
    const entry = new Entry({
      id: base.id, body, input, history, turn, planned: events, final, background,
      stored: body.store !== false || background, size: ctx.body.length,
    });
    if (entry.stored) store.add(entry);
    ctx.local?.set(entry.id, entry);
    // The conversation gets this turn's input and output once the response is done.
    if (conv) entry.onDone = (e) => conversations.append(conv, [...input, ...e.output.filter(Boolean)]);

    const delay = faults.delay ?? delayMs;
    const pace = background
      ? (i, e) => {
        if (e.planned[i].type === 'response.in_progress') return Math.round(backgroundMs * 0.2);
        return faults.delay ?? Math.round((backgroundMs * 0.8) / Math.max(1, e.planned.length - 3));
      }
      : (i, e) => (e.subscribers.size ? delay : 0);

    if (body.stream === true) {
      const res = sse(ctx, entry, faults);
      const run = entry.run(pace, runs);
      if (background) ctx.waitUntil?.(run);
      return res;
    }
    if (background) {
      const run = entry.run(pace, runs); // emits response.created synchronously
      ctx.waitUntil?.(run);
      return json(200, entry.snapshot());
    }
    await entry.run(pace, runs);
    const err = entry.events.find((e) => e.type === 'error');
    if (err) {
      const e = err.error ?? err;
      return json(500, apiError(e.message, { type: err.error ? e.type : 'server_error', code: e.code, param: e.param }));
    }
    return json(200, entry.snapshot());
  }

  /** POST /responses/compact: the user messages, then one compaction item. */
  function compact(ctx) {
    const { body, error } = parse(ctx, validateCompact);
    if (error) return error;
    const c = context(body);
    if (c.error) return c.error;
    const items = [...c.history, ...c.input];
    const turns = turnOf(null, items) - 1;
    const users = items.filter((i) => i.type === 'message' && i.role === 'user').map((i) => structuredClone(i));
    const compaction = { id: newId('cmp'), type: 'compaction', encrypted_content: compactionContent(turns) };
    const inputTokens = inputTokenCount(body, c.history, c.input);
    const outputTokens = 32 + 4 * items.length;
    return json(200, {
      id: newId('resp'),
      object: 'response.compaction',
      created_at: nowSeconds(),
      output: [...users, compaction],
      usage: {
        input_tokens: inputTokens,
        input_tokens_details: { cached_tokens: 0 },
        output_tokens: outputTokens,
        output_tokens_details: { reasoning_tokens: 16 },
        total_tokens: inputTokens + outputTokens,
      },
    });
  }

  /** POST /responses/input_tokens: the count `usage.input_tokens` of the same request would show. */
  function inputTokens(ctx) {
    const { body, error } = parse(ctx, validateInputTokens);
    if (error) return error;
    const c = context(body);
    if (c.error) return c.error;
    return json(200, { object: 'response.input_tokens', input_tokens: inputTokenCount(body, c.history, c.input) });
  }

  function retrieve(ctx, id, faults) {
    const entry = store.get(id);
    if (!entry) return notFound(id);
    const query = ctx.query;
    if (query.get('stream') !== 'true') return json(200, entry.snapshot());
    let after = -1;
    if (query.has('starting_after')) {
      const raw = query.get('starting_after');
      if (!/^\d+$/.test(raw)) {
        return json(400, apiError(`Invalid 'starting_after': expected an integer, but got '${raw}' instead.`, { param: 'starting_after', code: 'invalid_type' }));
      }
      after = Number(raw);
    }
    return sse(ctx, entry, faults, { after, replay: true });
  }

  function remove(id) {
    const entry = store.get(id);
    if (!entry) return notFound(id);
    entry.stop();
    store.delete(id);
    return json(200, { id, object: 'response', deleted: true });
  }

  function cancel(id) {
    const entry = store.get(id);
    if (!entry) return notFound(id);
    if (!entry.background) {
      return json(400, apiError('Only responses created with background=true can be cancelled.', { param: null, code: null }));
    }
    entry.cancel();
    return json(200, entry.snapshot());
  }

  function inputItems(id, query) {
    const entry = store.get(id);
    if (!entry) return notFound(id);
    const order = query.get('order') ?? 'desc';
    if (order !== 'asc' && order !== 'desc') {
      return json(400, apiError(`Invalid value: '${order}'. Supported values are: 'asc' and 'desc'.`, { param: 'order', code: 'invalid_value' }));
    }
    const limit = query.has('limit') ? Number(query.get('limit')) : 20;
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
      return json(400, apiError(`Invalid 'limit': expected an integer between 1 and 100, but got '${query.get('limit')}' instead.`, { param: 'limit', code: 'invalid_value' }));
    }
    let items = order === 'asc' ? [...entry.input] : [...entry.input].reverse();
    const after = query.get('after');
    if (after) {
      const i = items.findIndex((it) => it.id === after);
      items = i < 0 ? [] : items.slice(i + 1);
    }
    const data = structuredClone(items.slice(0, limit));
    return json(200, {
      object: 'list',
      data,
      first_id: data[0]?.id ?? null,
      last_id: data.at(-1)?.id ?? null,
      has_more: items.length > limit,
    });
  }

  /** Stop every running response (the server closes). */
  function close() {
    for (const e of [...runs]) e.stop();
  }

  return { handle, close, store, conversations, files, attempts };
}

function itemText(item) {
  if (item.type === 'message') return messageText(item);
  if (item.type === 'function_call') return `${item.name}(${item.arguments})`;
  if (item.type === 'function_call_output') return typeof item.output === 'string' ? item.output : JSON.stringify(item.output);
  if (item.type === 'reasoning') return '';
  return JSON.stringify(item);
}

/** Tool outputs must answer a known call, and a pending call of the previous turn needs its output. */
function checkToolOutputs(history, input) {
  const all = [...history, ...input];
  const calls = new Set(all.filter((i) => i.type === 'function_call').map((i) => i.call_id));
  for (const o of input.filter((i) => i.type === 'function_call_output')) {
    if (!calls.has(o.call_id)) {
      return apiError(`No tool call found for function call output with call_id ${o.call_id}.`, { param: 'input' });
    }
  }
  // Every call needs its output: those of the previous response or the conversation, and
  // those the input itself carries (stateless, store: false: the history is resent).
  const answered = new Set(all.filter((i) => i.type === 'function_call_output').map((i) => i.call_id));
  for (const c of all.filter((i) => i?.type === 'function_call')) {
    if (!answered.has(c.call_id)) {
      return apiError(`No tool output found for function call ${c.call_id}.`, { param: 'input' });
    }
  }
  return null;
}

/** The input token estimate, one for `usage.input_tokens` and `/responses/input_tokens`. */
function inputTokenCount(body, history, input) {
  const text = [body.instructions ?? '', ...[...history, ...input].map(itemText)].join('\n');
  return estimateTokens(text) + 8 * (history.length + input.length);
}

/**
 * Items of the input that point at stored items: a reasoning item without its
 * `encrypted_content` (or an item_reference) must name an item of a stored response, as
 * the API answers (404) for items of `store: false` responses; encrypted content must be
 * the mock's own.
 * @returns {Response|null}
 */
function checkItemReferences(input, store) {
  for (const item of input) {
    if (item.type === 'compaction' && !compactionTurns(item.encrypted_content)) {
      return json(400, apiError(`The encrypted content for item ${item.id ?? '(no id)'} could not be verified.`, { param: 'input', code: 'invalid_encrypted_content' }));
    }
    const byRef = item.type === 'item_reference' || (item.type === 'reasoning' && item.encrypted_content == null);
    if (item.type === 'reasoning' && item.encrypted_content != null && !validEncrypted(item.encrypted_content)) {
      return json(400, apiError(`The encrypted content for item ${item.id ?? '(no id)'} could not be verified.`, { param: 'input', code: 'invalid_encrypted_content' }));
    }
    if (byRef && !store.findItem(item.id)) {
      return json(404, apiError(`Item with id '${item.id}' not found. Items are not persisted when \`store\` is set to false. Try again with \`store\` set to true, or remove this item from your input.`, { param: 'input' }));
    }
  }
  return null;
}

/** The mock's encrypted reasoning: base64 of "mock reasoning for resp_…". */
function validEncrypted(text) {
  try {
    return typeof text === 'string' && /^mock reasoning for resp_[0-9a-f]{50}$/.test(atob(text));
  } catch {
    return false;
  }
}
