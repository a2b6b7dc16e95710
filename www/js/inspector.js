// The event inspector: every stream event as it arrives (sequence number, type and a
// short preview), grouped per request, inside a collapsible <details>.

import { h, clip } from './dom.js';

const MAX_ROWS = 1500;

function kind(type) {
  if (type === 'error' || type.endsWith('.failed')) return 'bad';
  if (/^response\.(created|queued|in_progress|completed|incomplete)$/.test(type)) return 'life';
  if (type.endsWith('.delta')) return 'delta';
  if (type.endsWith('.done') || type.endsWith('.added')) return 'item';
  return 'other';
}

function preview(ev) {
  if (typeof ev.delta === 'string') return JSON.stringify(clip(ev.delta, 32));
  if (ev.response?.status) return ev.response.status;
  if (ev.item?.type) return ev.item.type + (ev.item.name ? ` ${ev.item.name}` : '');
  if (ev.part?.type) return ev.part.type;
  if (ev.type === 'error') return ev.error?.code ?? ev.code ?? '';
  return '';
}

export class Inspector {
  /** @param {{details: HTMLDetailsElement, list: HTMLOListElement, counts: HTMLElement[]}} els */
  constructor({ details, list, counts }) {
    this.details = details;
    this.list = list;
    this.countEls = counts;
    this.count = 0;
  }

  /** A header row for a new request. */
  begin(label) {
    this.#append(h('li', { class: 'ev-group' }, label));
  }

  /** One stream event. */
  add(ev) {
    const type = typeof ev?.type === 'string' ? ev.type : '(no type)';
    const seq = Number.isInteger(ev?.sequence_number) ? `#${ev.sequence_number}` : '·';
    this.#append(h('li', { class: `ev ev-${kind(type)}`, dataset: { type } },
      h('span', { class: 'ev-seq', text: seq }),
      h('span', { class: 'ev-type', text: type }),
      h('span', { class: 'ev-preview', text: preview(ev ?? {}) })));
    this.count++;
    this.#showCount();
  }

  /** A row between two events: the stream was resumed there. */
  gap(text) {
    this.#append(h('li', { class: 'ev-note ev-note-resume', role: 'note', text }));
  }

  /** A row for how the request ended when it was not a normal completion. */
  note(text, tone = 'bad') {
    this.#append(h('li', { class: `ev-note ev-note-${tone}`, text }));
  }

  clear() {
    this.list.replaceChildren();
    this.count = 0;
    this.#showCount();
  }

  #showCount() {
    for (const el of this.countEls) el.textContent = String(this.count);
  }

  #append(li) {
    const list = this.list;
    const atEnd = list.scrollHeight - list.scrollTop - list.clientHeight < 24;
    list.append(li);
    while (list.childElementCount > MAX_ROWS) list.firstElementChild.remove();
    if (atEnd) list.scrollTop = list.scrollHeight;
  }
}
