// The Conversations API of the mock: conversations with metadata and an ordered list of
// items (create, retrieve, update, delete; items create, list, retrieve, delete), shapes
// as the API's. A response that names a conversation gets its items prepended to its
// input, and its input and output items appended once it completes (api.mjs).

import { apiError, json, newId, nowSeconds } from './util.mjs';
import { normalizeInput } from './model.mjs';
import {
  validateConversationCreate, validateConversationUpdate, validateItemsCreate, validateListQuery,
} from './validate.mjs';

const decoder = new TextDecoder();

export class ConversationStore {
  /** @param {{max?: number, maxItems?: number}} [o] at most `max` conversations of `maxItems` items */
  constructor({ max = 1000, maxItems = 10000 } = {}) {
    this.max = max;
    this.maxItems = maxItems;
    /** @type {Map<string, {id: string, created_at: number, metadata: object, items: object[]}>} */
    this.conversations = new Map();
  }

  get(id) { return this.conversations.get(id); }

  create({ items = [], metadata = {} } = {}) {
    const conv = { id: newId('conv', 48), created_at: nowSeconds(), metadata: metadata ?? {}, items: [] };
    this.append(conv, items);
    this.conversations.set(conv.id, conv);
    if (this.conversations.size > this.max) this.conversations.delete(this.conversations.keys().next().value);
    return conv;
  }

  /** Add stored items (already normalised, with ids) at the end, keeping at most maxItems. */
  append(conv, items) {
    conv.items.push(...structuredClone(items));
    if (conv.items.length > this.maxItems) conv.items.splice(0, conv.items.length - this.maxItems);
  }
}

/** The Conversation object as the API shows it. */
export function conversationObject(conv) {
  return { id: conv.id, object: 'conversation', created_at: conv.created_at, metadata: structuredClone(conv.metadata) };
}

/** An item as shown, with `include` applied (encrypted reasoning only when asked for). */
function shown(item, include) {
  const out = structuredClone(item);
  if (out.type === 'reasoning' && !include.includes('reasoning.encrypted_content')) delete out.encrypted_content;
  return out;
}

const includes = (query) => [...query.getAll('include'), ...query.getAll('include[]')];

function parseBody(body) {
  try {
    return { value: JSON.parse(decoder.decode(body)) };
  } catch {
    return { error: json(400, apiError("We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)")) };
  }
}

/**
 * The /conversations routes. Returns a Response, or null when `path` is not one of them.
 * @param {ConversationStore} store
 * @param {{method: string, path: string, query: URLSearchParams, body: Uint8Array}} ctx
 */
export function conversationRoutes(store, ctx) {
  const m = /^\/conversations(?:\/([^/]+)(?:\/(items)(?:\/([^/]+))?)?)?\/?$/.exec(ctx.path);
  if (!m) return null;
  const decode = (s) => { try { return decodeURIComponent(s); } catch { return s; } };
  const [, rawId, items, rawItem] = m;
  const method = ctx.method;
  if (!rawId) return method === 'POST' ? create(ctx) : null;
  const id = decode(rawId);
  const conv = store.get(id);
  const missing = () => json(404, apiError(`Conversation with id '${id}' not found.`, { param: 'conversation_id' }));
  if (!items) {
    if (!['GET', 'POST', 'DELETE'].includes(method)) return null;
    if (!conv) return missing();
    if (method === 'GET') return json(200, conversationObject(conv));
    if (method === 'DELETE') {
      store.conversations.delete(id);
      return json(200, { id, object: 'conversation.deleted', deleted: true });
    }
    const { value, error } = parseBody(ctx.body);
    if (error) return error;
    const invalid = validateConversationUpdate(value);
    if (invalid) return json(400, invalid);
    conv.metadata = value.metadata ?? {};
    return json(200, conversationObject(conv));
  }
  if (!rawItem) {
    if (method !== 'GET' && method !== 'POST') return null;
    if (!conv) return missing();
    return method === 'GET' ? list(conv, ctx.query) : addItems(conv, ctx);
  }
  if (method !== 'GET' && method !== 'DELETE') return null;
  if (!conv) return missing();
  const itemId = decode(rawItem);
  const at = conv.items.findIndex((it) => it.id === itemId);
  if (at < 0) return json(404, apiError(`Item with id '${itemId}' not found.`, { param: 'item_id' }));
  if (method === 'GET') {
    const invalid = validateListQuery(ctx.query);
    if (invalid) return json(400, invalid);
    return json(200, shown(conv.items[at], includes(ctx.query)));
  }
  conv.items.splice(at, 1);
  return json(200, conversationObject(conv));

  function create({ body }) {
    const { value, error } = body.length ? parseBody(body) : { value: {} };
    if (error) return error;
    const invalid = validateConversationCreate(value);
    if (invalid) return json(400, invalid);
    const conv2 = store.create({ items: normalizeInput(value.items ?? []), metadata: value.metadata ?? {} });
    return json(200, conversationObject(conv2));
  }

  function addItems(c, { body, query }) {
    const invalidQuery = validateListQuery(query);
    if (invalidQuery) return json(400, invalidQuery);
    const { value, error } = parseBody(body);
    if (error) return error;
    const invalid = validateItemsCreate(value);
    if (invalid) return json(400, invalid);
    const added = normalizeInput(value.items);
    store.append(c, added);
    const data = added.map((it) => shown(it, includes(query)));
    return json(200, { object: 'list', data, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null, has_more: false });
  }

  function list(c, query) {
    const invalid = validateListQuery(query);
    if (invalid) return json(400, invalid);
    const order = query.get('order') ?? 'desc';
    const limit = query.has('limit') ? Number(query.get('limit')) : 20;
    let all = order === 'asc' ? [...c.items] : [...c.items].reverse();
    const after = query.get('after');
    if (after) {
      const i = all.findIndex((it) => it.id === after);
      if (i < 0) return json(404, apiError(`Item with id '${after}' not found.`, { param: 'after' }));
      all = all.slice(i + 1);
    }
    const data = all.slice(0, limit).map((it) => shown(it, includes(query)));
    return json(200, { object: 'list', data, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null, has_more: all.length > limit });
  }
}
