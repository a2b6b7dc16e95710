// cometapi-responses demo: a streaming chat on the Responses API.
// The library is imported like any user would without a bundler: an import map points
// `cometapi-responses` at /pkg/browser.js, which instantiates the wasm on import.

import { Settings } from './js/settings.js';
import { Transcript } from './js/transcript.js';
import { Inspector } from './js/inspector.js';
import { Chat } from './js/chat.js';
import { SidePanel } from './js/side.js';
import { TokenCounter } from './js/tokens.js';
import { TRIP_FORMAT_NAME, TRIP_SCHEMA, tripValidator } from './js/trip.js';
import { h } from './js/dom.js';

const $ = (id) => document.getElementById(id);

const prompt = $('prompt');
const send = $('send');
const stop = $('stop');

function fatal(title, err) {
  const box = $('fatal');
  box.replaceChildren(
    h('strong', { text: title }),
    h('p', { text: `${err?.name ?? 'Error'}: ${err?.message ?? err}` }),
    h('p', { text: 'Is the package built? Run `make build` (or `make demo`), then reload.' }));
  box.hidden = false;
  send.disabled = true;
}

function autosize() {
  prompt.style.height = 'auto';
  prompt.style.height = `${Math.min(prompt.scrollHeight + 2, 240)}px`;
}

function showBackend(s) {
  const badge = $('backend');
  if (s.direct) {
    let host = s.baseURL;
    try { host = new URL(s.baseURL).host; } catch { /* shown as typed */ }
    badge.textContent = `Direct · ${host}`;
    badge.dataset.mode = 'direct';
  } else {
    badge.textContent = s.fault ? `Dev server · fault: ${s.fault}` : 'Dev server · /v1';
    badge.dataset.mode = s.fault ? 'fault' : 'server';
  }
}

function showContext(chat) {
  const el = $('context');
  if (chat.previousResponseId) {
    el.textContent = `Next message continues ${chat.previousResponseId.slice(0, 14)}…`;
    el.title = `previous_response_id: ${chat.previousResponseId}`;
  } else {
    el.textContent = 'New conversation';
    el.removeAttribute('title');
  }
}

async function main() {
  let lib;
  try {
    lib = await import('cometapi-responses');
  } catch (err) {
    fatal('The cometapi-responses package could not be loaded.', err);
    return;
  }

  const settings = new Settings();
  settings.onChange = showBackend;
  showBackend(settings.read());

  const transcript = new Transcript($('transcript'), $('welcome'));
  const inspector = new Inspector({ details: $('inspector'), list: $('events'), counts: [$('event-count'), $('event-count-top')] });
  const side = new SidePanel({
    side: $('side'),
    scrim: $('scrim'),
    close: $('close-side'),
    toggles: {
      settings: { button: $('show-settings'), panel: $('settings-panel') },
      events: { button: $('show-events'), panel: $('inspector') },
    },
  });
  const chat = new Chat({
    lib,
    settings,
    transcript,
    inspector,
    onBusy(busy) {
      const focused = document.activeElement;
      document.body.dataset.busy = String(busy);
      send.disabled = busy;
      stop.disabled = !busy;
      $('transcript').setAttribute('aria-busy', String(busy));
      // Send and Stop share a place: keep keyboard focus on whichever is shown.
      if (busy && focused === send) stop.focus();
      if (!busy && (focused === stop || focused === document.body)) prompt.focus();
    },
    onContext(c) {
      showContext(c);
      tokens.schedule(prompt.value); // the next message continues another response now
    },
    onFix: (field) => side.open('settings', { focus: field }),
  });
  const tokens = new TokenCounter({ lib, settings, chat, el: $('token-count') });
  // The SDK helpers (structured outputs, the tool loop) are used when this build has them.
  if (chat.features.structured) {
    settings.enableStructured(lib.jsonSchemaFormat(TRIP_FORMAT_NAME, TRIP_SCHEMA, {
      description: 'A short trip plan: where, how long, when, what to see.',
      validate: tripValidator,
    }));
    for (const el of document.querySelectorAll('[data-structured]')) el.hidden = false;
  }
  settings.onChange = (s) => {
    showBackend(s);
    tokens.schedule();
  };

  async function submit(text = prompt.value) {
    if (chat.busy || !text.trim()) return;
    prompt.value = '';
    autosize();
    tokens.schedule('');
    const { sent } = await chat.send(text);
    if (!sent && !prompt.value) {
      prompt.value = text; // refused before sending: give the text back
      autosize();
      tokens.schedule(text);
    }
  }

  $('composer').addEventListener('submit', (e) => {
    e.preventDefault();
    submit();
  });
  prompt.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing && !e.altKey && !e.ctrlKey && !e.metaKey) {
      e.preventDefault();
      submit();
    }
  });
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && side.isOpen && !e.defaultPrevented) {
      e.preventDefault();
      side.close();
      return;
    }
    if (e.key === 'Escape' && chat.busy && !e.defaultPrevented) {
      e.preventDefault();
      chat.stop();
    }
  });
  prompt.addEventListener('input', () => {
    autosize();
    tokens.schedule(prompt.value);
  });
  stop.addEventListener('click', () => chat.stop());
  $('new-chat').addEventListener('click', () => {
    chat.reset();
    prompt.focus();
  });
  for (const btn of document.querySelectorAll('[data-suggest]')) {
    btn.addEventListener('click', () => {
      if (btn.dataset.structured === 'true') settings.setStructured(true);
      submit(btn.dataset.suggest);
    });
  }

  // For the curious (and the browser tests): the conversation state, read-only.
  window.cometDemo = Object.freeze({
    get previousResponseId() { return chat.previousResponseId; },
    get busy() { return chat.busy; },
    get turns() { return chat.turns; },
    features: Object.freeze({ ...chat.features }),
    library: lib,
  });
  document.body.dataset.ready = 'true';
  send.disabled = false;
  prompt.focus();
}

main().catch((err) => fatal('The demo failed to start.', err));
