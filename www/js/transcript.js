// The conversation on screen. Messages are <article>s in #transcript (role=log,
// aria-live); an assistant message renders a Response — the library's live snapshot
// while streaming, the final Response at the end — item by item: reasoning summary,
// function calls (with the page's local result), text. Text is always textContent.

import { h, formatMs, clip, appendLightMarkdown } from './dom.js';
import { TRIP_FIELDS, TRIP_FORMAT_NAME } from './trip.js';

/** Text of a message item's output_text parts, and of its refusal parts. */
function messageParts(item) {
  let text = '';
  let refusal = '';
  for (const part of Array.isArray(item.content) ? item.content : []) {
    if (part?.type === 'output_text' && typeof part.text === 'string') text += part.text;
    else if (part?.type === 'refusal' && typeof part.refusal === 'string') refusal += part.refusal;
  }
  return { text, refusal };
}

function prettyArgs(raw) {
  try {
    return JSON.stringify(JSON.parse(raw));
  } catch {
    return raw ?? '';
  }
}

export class Transcript {
  /** @param {HTMLElement} el the #transcript log; @param {HTMLElement} welcome */
  constructor(el, welcome) {
    this.el = el;
    this.welcome = welcome;
    this.stick = true;
    el.addEventListener('scroll', () => {
      this.stick = el.scrollHeight - el.scrollTop - el.clientHeight < 64;
    }, { passive: true });
  }

  clear() {
    this.el.replaceChildren();
    this.welcome.hidden = false;
    this.stick = true;
  }

  /** Keep the newest text in view, unless the reader scrolled up. */
  follow(force = false) {
    if (force) this.stick = true;
    if (this.stick) this.el.scrollTop = this.el.scrollHeight;
  }

  #add(article) {
    this.welcome.hidden = true;
    this.el.append(article);
    this.follow(true);
    return article;
  }

  /** A user message; returns a handle to mark it "not sent" later. */
  addUser(text, attachments = []) {
    const tag = h('span', { class: 'msg-tag', hidden: true });
    const thumbs = attachments.length ? h('div', { class: 'thumbs' }, attachments.map(thumbnail)) : null;
    const el = this.#add(h('article', { class: 'msg user', 'aria-label': 'You' },
      thumbs, text ? h('div', { class: 'bubble', text }) : null, tag));
    return {
      el,
      markUnsent(reason = 'Not sent') {
        el.classList.add('unsent');
        tag.textContent = reason;
        tag.hidden = false;
      },
    };
  }

  /** A line between messages (tool round trips, new-chat notes). */
  addDivider(text) {
    return this.#add(h('div', { class: 'divider', role: 'note' }, h('span', { text })));
  }

  /** An assistant message, ready to render a streaming or finished Response. */
  addAssistant({ model, streaming, followUp, how, structured }) {
    const view = new AssistantView({ model, streaming, followUp, how, structured }, () => this.follow());
    this.#add(view.el);
    return view;
  }
}

export class AssistantView {
  constructor({ model, streaming, followUp, how, structured = false }, onChange) {
    this.onChange = onChange;
    this.parts = new Map(); // output_index -> part view
    this.structuredMode = structured;
    this.stateChip = h('span', { class: 'state-chip', text: 'sending' });
    this.card = structured ? new StructuredCard() : null;
    this.partsEl = h('div', { class: 'parts' });
    this.notices = h('div', { class: 'notices' });
    this.meta = h('footer', { class: 'meta' }, h('span', { class: 'm-pending', text: streaming ? 'Waiting for the first token…' : 'Waiting for the response…' }));
    this.el = h('article', { class: 'msg assistant', 'aria-label': 'Assistant', dataset: { state: 'pending' } },
      h('header', { class: 'msg-head' },
        h('span', { class: 'who', text: how === 'steered' ? 'Assistant · steered' : followUp ? 'Assistant · after tool' : 'Assistant' }),
        h('span', { class: 'chip chip-model', title: 'model', text: model || '(no model)' }),
        h('span', { class: 'chip chip-how', title: 'how the page called the library', text: how ?? (streaming ? 'stream' : 'create') }),
        this.stateChip),
      this.partsEl, this.notices, this.meta);
  }

  setState(state, label = state) {
    this.el.dataset.state = state;
    this.stateChip.textContent = label;
  }

  /** Render a whole Response (the final one, or the library's snapshot) in output order. */
  render(response) {
    const output = Array.isArray(response?.output) ? response.output : [];
    output.forEach((item, i) => this.#renderItem(i, item));
    if (response?.id) this.el.dataset.responseId = response.id;
    this.onChange();
  }

  /**
   * One stream event. Deltas are appended as they come (O(1) each); whole items are
   * rendered when they start and end, and the final Response has the last word.
   */
  event(ev, snapshot) {
    const i = Number.isInteger(ev.output_index) ? ev.output_index : 0;
    // The built-in tools' progress, code and citations: from the library's snapshot.
    const item = snapshot?.output?.[i];
    if (ev.type === 'response.image_generation_call.partial_image') {
      this.#part(i, 'image_generation_call', () => new ImagePart()).partial(ev.partial_image_b64, ev.partial_image_index);
      this.onChange();
      return;
    }
    if (item && /^response\.(web_search_call|file_search_call|code_interpreter_call|image_generation_call|output_text\.annotation)/.test(ev.type)) {
      this.#renderItem(i, item);
      this.onChange();
      return;
    }
    switch (ev.type) {
      case 'response.created':
      case 'response.queued':
      case 'response.in_progress':
        if (ev.response?.id) this.el.dataset.responseId = ev.response.id;
        if (this.el.dataset.state === 'pending') this.setState('waiting', ev.response?.status ?? 'waiting');
        return;
      case 'response.output_item.added':
      case 'response.output_item.done':
        this.#renderItem(i, ev.item);
        break;
      case 'response.output_text.delta':
        this.#message(i).appendText(ev.delta);
        break;
      case 'response.refusal.delta':
        this.#message(i).appendRefusal(ev.delta);
        break;
      case 'response.reasoning_summary_text.delta':
        this.#reasoning(i).append(ev.summary_index ?? 0, ev.delta);
        break;
      case 'response.function_call_arguments.delta':
        this.#functionCall(i, {}).appendArgs(ev.delta);
        break;
      default:
        return;
    }
    this.onChange();
  }

  #part(i, type, make) {
    let p = this.parts.get(i);
    if (!p || p.type !== type) {
      const fresh = make();
      fresh.type = type;
      if (p) p.el.replaceWith(fresh.el);
      else {
        // Keep output order even if items were announced out of order.
        const after = [...this.parts.keys()].filter((k) => k > i).sort((a, b) => a - b)[0];
        if (after != null) this.parts.get(after).el.before(fresh.el);
        else this.partsEl.append(fresh.el);
      }
      this.parts.set(i, fresh);
      p = fresh;
    }
    return p;
  }

  #message(i) {
    const p = this.#part(i, 'message', () => new MessagePart({ raw: this.structuredMode }));
    // Structured mode: the object goes right above the JSON text it is parsed from.
    if (this.card && !this.card.el.isConnected) p.el.before(this.card.el);
    return p;
  }

  #placeCard() {
    if (this.card && !this.card.el.isConnected) this.partsEl.append(this.card.el);
  }

  #reasoning(i) {
    return this.#part(i, 'reasoning', () => new ReasoningPart());
  }

  #functionCall(i, item) {
    return this.#part(i, 'function_call', () => new FunctionCallPart(item.name));
  }

  #renderItem(i, item) {
    if (!item || typeof item !== 'object') return;
    if (item.type === 'message') this.#message(i).set(item);
    else if (item.type === 'reasoning') this.#reasoning(i).set(item);
    else if (item.type === 'function_call') this.#functionCall(i, item).set(item);
    else if (item.type === 'web_search_call' || item.type === 'file_search_call') this.#part(i, item.type, () => new SearchPart()).set(item);
    else if (item.type === 'code_interpreter_call') this.#part(i, item.type, () => new CodePart()).set(item);
    else if (item.type === 'image_generation_call') this.#part(i, item.type, () => new ImagePart()).set(item);
    else {
      const p = this.#part(i, 'other', () => ({ el: h('div', { class: 'part part-other' }) }));
      p.el.textContent = `${item.type ?? 'item'}${item.status ? ` · ${item.status}` : ''}`;
    }
  }

  /** Show the page's local result of a function call (`onlyIfMissing`: unless one is shown). */
  toolResult(callId, { ok, output }, { onlyIfMissing = false } = {}) {
    const p = [...this.parts.values()].find((x) => x.type === 'function_call' && x.el.dataset.callId === callId);
    if (!p || (onlyIfMissing && p.ran)) return;
    p.result({ ok, output });
    this.onChange();
  }

  /** Structured mode, while streaming: the object so far (`stream.partialParsed`). */
  structured(partial) {
    if (!this.card || partial === undefined) return;
    this.#placeCard();
    this.card.show(partial, 'building');
    this.onChange();
  }

  /** Structured mode, at the end: the validated `output_parsed` (null: the model refused). */
  parsed(value) {
    if (!this.card) return;
    this.#placeCard();
    if (value === null || value === undefined) this.card.refused();
    else this.card.show(value, 'valid');
    this.onChange();
  }

  /** Structured mode: the output did not parse or validate (the error is shown below). */
  parseFailed() {
    this.#placeCard();
    this.card?.invalid();
    this.onChange();
  }

  /** Finished: timings, usage, id. */
  finish(response, { ttft, total, streaming }) {
    this.render(response);
    for (const p of this.parts.values()) p.finish?.();
    const incomplete = response?.status === 'incomplete';
    this.setState(incomplete ? 'incomplete' : 'done', incomplete ? 'incomplete' : 'done');
    if (incomplete) {
      const reason = response.incomplete_details?.reason ?? 'unknown reason';
      // Steered (WebSocket mode): the server ends it here and a successor continues it.
      if (reason === 'steered') this.notice('info', 'Steered', 'Your message was added here; the answer continues below.');
      else this.notice('warn', 'Incomplete', `The answer was cut short (${reason}).`);
    }
    if (!this.parts.size) this.partsEl.append(h('div', { class: 'part part-empty', text: '(empty answer)' }));
    this.#meta(response, { ttft, total, streaming });
  }

  /** Stopped by the user: the partial answer stays, marked as stopped. */
  stopped(snapshot, { ttft, total, streaming }) {
    if (snapshot) this.render(snapshot);
    this.setState('stopped', 'stopped');
    if (!this.parts.size) this.partsEl.append(h('div', { class: 'part part-empty', text: '(stopped before any output)' }));
    this.#meta(snapshot, { ttft, total, streaming, stopped: true });
  }

  /**
   * Failed: the error inline; whatever arrived before it stays. `hint`: a sentence on what
   * may have happened; `fix`: `{ label, run }`, a button next to it.
   */
  failed(err, snapshot, { ttft, total, streaming, notSent, hint, fix }) {
    if (snapshot) this.render(snapshot);
    this.setState('error', notSent ? 'not sent' : 'error');
    this.error(err, { notSent, hint, fix });
    this.#meta(snapshot, { ttft, total, streaming, notSent });
  }

  error(err, { notSent = false, hint = null, fix = null } = {}) {
    const name = err?.name ?? 'Error';
    const facts = [];
    if (err?.status != null) facts.push(['status', err.status]);
    if (err?.code != null) facts.push(['code', err.code]);
    if (err?.type != null && name === 'ApiError') facts.push(['type', err.type]);
    if (err?.param != null) facts.push(['param', err.param]);
    if (err?.requestId) facts.push(['request', err.requestId]);
    const message = err?.message || String(err);
    // The cause only when it says more than the message (a ConnectionError's message has it).
    const causeText = err?.cause?.message;
    const cause = causeText && !message.includes(causeText) ? `Cause: ${causeText}` : null;
    const el = h('div', { class: 'notice notice-error', role: 'alert', dataset: { error: name } },
      h('div', { class: 'notice-head' },
        h('strong', { class: 'error-name', text: name }),
        ...facts.map(([k, v]) => h('span', { class: 'fact' }, h('span', { class: 'fact-k', text: k }), ' ', h('span', { class: 'fact-v', text: String(v) })))),
      h('p', { class: 'error-message', text: message }),
      cause ? h('p', { class: 'error-cause', text: cause }) : null,
      Array.isArray(err?.issues) && err.issues.length ? h('ul', { class: 'error-issues' },
        err.issues.map((i) => h('li', {}, i?.path?.length ? h('code', { text: i.path.map((p) => p?.key ?? p).join('.') }) : null,
          i?.path?.length ? ' ' : null, String(i?.message ?? i)))) : null,
      notSent ? h('p', { class: 'error-hint', text: 'Nothing was sent: the settings were checked before any request was made. Fix the setting and send again.' }) : null,
      hint ? h('p', { class: 'error-hint', dataset: { hint: hint.kind ?? '' }, text: hint.text }) : null,
      fix ? h('p', { class: 'error-fix' }, h('button', { type: 'button', class: 'btn btn-small', onclick: fix.run, text: fix.label })) : null);
    this.notices.append(el);
    this.onChange();
  }

  notice(tone, title, text) {
    const el = h('div', { class: `notice notice-${tone}` },
      h('div', { class: 'notice-head' }, h('strong', { text: title })), h('p', { text }));
    this.notices.append(el);
    this.onChange();
    return el;
  }

  /**
   * The library resumed the background stream (`after`: the last event seen before each
   * resume; the page does not see why: a dropped connection, an event it could not read …);
   * at the end, `check` says whether every event arrived once, in order.
   */
  resumed(after, check) {
    const where = after.map((n) => `#${n}`).join(', ');
    const times = after.length === 1 ? 'once' : `${after.length} times`;
    let text = `The stream was resumed ${times} (after event ${where}): the library picked up the background stream `
      + 'by itself with GET /responses/{id}?stream=true&starting_after=N.';
    if (check) {
      text += check.exact
        ? ` Every event arrived once, in order (#${check.first}–#${check.last}): the answer is whole.`
        : ' Some events arrived twice or not at all.';
    }
    this.resumeNotice?.remove();
    this.resumeNotice = this.notice(check && !check.exact ? 'warn' : 'info', 'Resumed', text);
    this.resumeNotice.dataset.resumes = String(after.length);
    if (check) this.resumeNotice.dataset.exact = String(check.exact);
  }

  #meta(response, { ttft, total, streaming, stopped, notSent }) {
    const items = [];
    if (stopped) items.push(h('span', { class: 'stopped-marker', text: 'Stopped' }));
    if (!notSent) {
      if (streaming && ttft != null) items.push(h('span', { class: 'm m-ttft', title: 'Time to first token' }, 'first token ', h('b', { text: formatMs(ttft) })));
      items.push(h('span', { class: 'm m-total', title: 'Total time, request to last byte' }, 'total ', h('b', { text: formatMs(total) })));
    }
    const u = response?.usage;
    if (u && (u.input_tokens != null || u.output_tokens != null)) {
      const r = u.output_tokens_details?.reasoning_tokens;
      items.push(h('span', { class: 'm m-usage', title: 'Tokens (usage)' },
        h('b', { text: String(u.input_tokens ?? '?') }), ' in · ', h('b', { text: String(u.output_tokens ?? '?') }), ' out',
        r ? ` (${r} reasoning)` : ''));
    }
    if (response?.id) items.push(h('code', { class: 'm m-id', title: response.id, text: clip(response.id, 18) }));
    this.meta.replaceChildren(...items);
    this.onChange(); // the footer may have grown a line: keep it in view, above the composer
  }

  /** Live timing while streaming. */
  firstToken(ttft) {
    this.setState('streaming', 'streaming');
    this.meta.replaceChildren(h('span', { class: 'm m-ttft', title: 'Time to first token' }, 'first token ', h('b', { text: formatMs(ttft) })),
      h('span', { class: 'm m-live', text: 'streaming…' }));
    this.onChange();
  }
}

// ---------------------------------------------------------------- parts of an answer

/**
 * Structured mode: the `trip_plan` object, field by field, as it builds up while the JSON
 * streams (`partialParsed`), then the validated result (`output_parsed`).
 */
class StructuredCard {
  constructor() {
    this.status = h('span', { class: 'structured-status', text: 'waiting for the JSON…' });
    this.fields = h('dl', { class: 'structured-fields' });
    this.rows = new Map();
    for (const [key, label] of TRIP_FIELDS) {
      const dd = h('dd', { class: 'sf-pending', text: '…' });
      this.rows.set(key, dd);
      this.fields.append(h('div', { class: 'sf', dataset: { key } }, h('dt', { text: label }), dd));
    }
    this.el = h('div', { class: 'part structured', dataset: { state: 'waiting' } },
      h('div', { class: 'structured-head' },
        h('span', { class: 'structured-icon', 'aria-hidden': 'true', text: '{}' }),
        h('span', { class: 'structured-name', text: TRIP_FORMAT_NAME }),
        this.status),
      this.fields);
  }

  /** state: 'building' (partialParsed) or 'valid' (output_parsed). */
  show(value, state) {
    this.el.dataset.state = state;
    this.status.textContent = state === 'valid' ? 'output_parsed · validated' : 'building from stream.partialParsed…';
    const obj = value && typeof value === 'object' && !Array.isArray(value) ? value : {};
    for (const [key, dd] of this.rows) {
      const v = obj[key];
      dd.className = v === undefined ? 'sf-pending' : 'sf-value';
      if (v === undefined) dd.textContent = '…';
      else if (Array.isArray(v)) dd.replaceChildren(...v.map((x) => h('span', { class: 'sf-chip', text: typeof x === 'string' ? x : JSON.stringify(x) })));
      else dd.textContent = typeof v === 'string' ? v : JSON.stringify(v);
    }
  }

  refused() {
    this.el.dataset.state = 'refused';
    this.status.textContent = 'output_parsed is null: the model refused';
  }

  invalid() {
    this.el.dataset.state = 'invalid';
    this.status.textContent = 'not a valid trip_plan (OutputParseError)';
  }
}

class MessagePart {
  /** raw: the text is JSON (structured mode), shown small under the object it builds. */
  constructor({ raw = false } = {}) {
    this.text = h('div', { class: raw ? 'text text-json' : 'text', title: raw ? 'the output text, as it streams' : null });
    this.refusal = h('div', { class: 'refusal', hidden: true });
    this.sources = h('ul', { class: 'citations', 'aria-label': 'Sources', hidden: true });
    this.el = h('div', { class: 'part part-message' }, this.text, this.refusal, this.sources);
    this.raw = '';
    this.rawRefusal = '';
  }

  appendText(delta) {
    if (typeof delta !== 'string' || !delta) return;
    this.text.append(delta); // a text node: O(1), never HTML
    this.raw += delta;
  }

  appendRefusal(delta) {
    if (typeof delta !== 'string' || !delta) return;
    if (!this.rawRefusal) this.refusal.textContent = 'Refusal: ';
    this.refusal.append(delta);
    this.rawRefusal += delta;
    this.refusal.hidden = false;
  }

  set(item) {
    this.#citations(item);
    const { text, refusal } = messageParts(item);
    if (text !== this.raw && (text || item.status === 'completed')) {
      this.text.textContent = text;
      this.raw = text;
    }
    if (refusal && refusal !== this.rawRefusal) {
      this.refusal.textContent = `Refusal: ${refusal}`;
      this.rawRefusal = refusal;
      this.refusal.hidden = false;
    }
  }

  /** The message's citations as links (http/https only) and file names; text nodes, never HTML. */
  #citations(item) {
    const notes = (Array.isArray(item?.content) ? item.content : []).flatMap((p) => (Array.isArray(p?.annotations) ? p.annotations : []));
    const rows = [];
    for (const a of notes) {
      if (a?.type === 'url_citation' && safeUrl(a.url)) {
        rows.push(h('li', {}, h('a', { href: safeUrl(a.url), target: '_blank', rel: 'noopener noreferrer nofollow', text: a.title || a.url })));
      } else if (a?.type === 'file_citation' || a?.type === 'container_file_citation') {
        rows.push(h('li', { class: 'file-cite', text: `File: ${a.filename ?? a.file_id ?? 'file'}` }));
      }
    }
    if (rows.length === this.sources.childElementCount) return;
    this.sources.replaceChildren(...rows);
    this.sources.hidden = rows.length === 0;
  }
}

/** An http(s) URL as its normalised text, else null (no javascript:, data: or relative links). */
function safeUrl(url) {
  try {
    const u = new URL(String(url));
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.href : null;
  } catch {
    return null;
  }
}

/** An attachment in the composer or a user message: an image thumbnail, or the file's name. */
export function thumbnail(file) {
  if (file.type?.startsWith('image/')) {
    const url = URL.createObjectURL(file);
    return h('img', { class: 'thumb', src: url, alt: file.name || 'image', title: `${file.name} · ${file.size} bytes` });
  }
  return h('span', { class: 'thumb thumb-file', title: `${file.name} · ${file.size} bytes`, text: `PDF ${file.name || 'file'}` });
}

/** A web or file search call: what it searched for and its status. */
class SearchPart {
  constructor() {
    this.el = h('div', { class: 'part part-tool' });
  }

  set(item) {
    const what = item.type === 'web_search_call' ? 'Web search' : 'File search';
    const query = item.action?.query ?? item.queries?.[0];
    this.el.textContent = `${what} · ${item.status ?? 'in_progress'}${query ? ` · “${query}”` : ''}`;
    this.el.dataset.status = item.status ?? '';
  }
}

/** A code interpreter call: its code as it streams, then its logs. */
class CodePart {
  constructor() {
    this.head = h('div', { class: 'tool-head', text: 'Code interpreter' });
    this.code = h('pre', { class: 'code' });
    this.logs = h('pre', { class: 'logs', hidden: true });
    this.el = h('div', { class: 'part part-code' }, this.head, this.code, this.logs);
  }

  set(item) {
    this.head.textContent = `Code interpreter · ${item.status ?? 'in_progress'}`;
    if (typeof item.code === 'string' && item.code !== this.code.textContent) this.code.textContent = item.code;
    const logs = (Array.isArray(item.outputs) ? item.outputs : []).filter((o) => o?.type === 'logs').map((o) => o.logs).join('');
    this.logs.textContent = logs;
    this.logs.hidden = !logs;
  }
}

/** An image generation call: partial images as they arrive, then the result. */
class ImagePart {
  constructor() {
    this.head = h('div', { class: 'tool-head', text: 'Image generation' });
    this.img = h('img', { class: 'generated', alt: 'generated image', hidden: true });
    this.el = h('div', { class: 'part part-image' }, this.head, this.img);
  }

  #show(b64, format = 'png') {
    if (typeof b64 !== 'string' || !/^[A-Za-z0-9+/=]+$/.test(b64)) return;
    this.img.src = `data:image/${/^[a-z]+$/.test(format) ? format : 'png'};base64,${b64}`;
    this.img.hidden = false;
  }

  partial(b64, index) {
    this.head.textContent = `Image generation · partial image ${Number(index) + 1}`;
    this.el.dataset.partials = String(Number(index) + 1);
    this.#show(b64);
  }

  set(item) {
    if (item.result) {
      this.head.textContent = `Image generation · ${item.status ?? 'completed'}`;
      this.el.dataset.final = 'true';
      this.#show(item.result, item.output_format);
    } else if (!this.el.dataset.partials) {
      this.head.textContent = `Image generation · ${item.status ?? 'in_progress'}`;
    }
  }
}

class ReasoningPart {
  constructor() {
    this.label = h('span', { text: 'Thinking…' });
    this.body = h('div', { class: 'reasoning-text' });
    this.el = h('details', { class: 'part part-reasoning', open: true }, h('summary', {}, this.label), this.body);
    this.raw = [];
  }

  append(index, delta) {
    if (typeof delta !== 'string' || !delta) return;
    while (this.body.childElementCount <= index) this.body.append(h('p'));
    this.raw[index] = (this.raw[index] ?? '') + delta;
    // Summaries are short: re-render this paragraph so **titles** look right while streaming.
    const para = this.body.children[index];
    para.replaceChildren();
    appendLightMarkdown(para, this.raw[index]);
  }

  /** Whole summary: rendered with **bold** / `code` as elements (text only). */
  set(item) {
    const summary = (Array.isArray(item.summary) ? item.summary : [])
      .map((s) => (typeof s?.text === 'string' ? s.text : ''));
    if (!summary.some(Boolean) && this.raw.some(Boolean)) return; // item.added: keep the deltas
    this.raw = summary;
    this.body.replaceChildren(...summary.filter(Boolean).map((s) => {
      const para = h('p');
      appendLightMarkdown(para, s);
      return para;
    }));
  }

  finish() {
    const any = this.raw.some(Boolean);
    this.label.textContent = any ? 'Reasoning summary' : 'Reasoned (no summary shared)';
    this.el.open = false;
  }
}

class FunctionCallPart {
  constructor(name) {
    this.status = h('span', { class: 'tool-status', text: 'model is writing the call…' });
    this.name = h('span', { class: 'tool-name', text: name ?? 'function' });
    this.args = h('code', { class: 'tool-args' });
    this.out = h('div', { class: 'tool-result', hidden: true });
    this.el = h('div', { class: 'part tool-call' },
      h('div', { class: 'tool-head' },
        h('span', { class: 'tool-icon', 'aria-hidden': 'true', text: 'ƒ' }),
        this.name,
        this.status),
      h('div', { class: 'tool-row' }, h('span', { class: 'tool-label', text: 'call' }), this.args),
      this.out);
    this.raw = '';
    this.ran = false;
  }

  appendArgs(delta) {
    if (typeof delta !== 'string' || !delta) return;
    this.args.append(delta);
    this.raw += delta;
  }

  set(item) {
    if (item.name) { this.name.textContent = item.name; this.el.dataset.name = item.name; }
    if (item.call_id) this.el.dataset.callId = item.call_id;
    const raw = typeof item.arguments === 'string' ? item.arguments : '';
    if (raw && (raw !== this.raw || item.status === 'completed')) {
      this.args.textContent = prettyArgs(raw);
      this.raw = raw;
    }
    if (item.status === 'completed' && !this.ran) this.status.textContent = 'called';
  }

  result({ ok, output }) {
    this.ran = true;
    this.el.classList.add(ok ? 'tool-ok' : 'tool-failed');
    this.status.textContent = ok ? 'ran in your browser' : 'failed in your browser';
    this.out.replaceChildren(
      h('span', { class: 'tool-label', text: 'output' }),
      h('div', { class: 'tool-output', text: output }));
    this.out.hidden = false;
  }
}
