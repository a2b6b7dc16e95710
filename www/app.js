// cometapi-responses demo: a streaming chat on the Responses API.
// The library is imported like any user would without a bundler: an import map points
// `cometapi-responses` at /pkg/browser.js, which instantiates the wasm on import.

import { Settings } from './js/settings.js';
import { Transcript, thumbnail } from './js/transcript.js';
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
const steer = $('steer');

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
  if (s.transport === 'websocket') badge.textContent += ' · WebSocket';
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
      steer.hidden = !chat.canSteer;
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

  // Attachments: images and PDFs from the button, drag-and-drop or paste, shown in the composer
  // until sent (then in the user's message); the library turns them into content parts.
  let attached = [];
  const tray = $('attachments');
  function showAttached() {
    tray.replaceChildren(...attached.map((file, k) => h('span', { class: 'attachment' }, thumbnail(file),
      h('button', { type: 'button', class: 'remove', title: `Remove ${file.name}`, 'aria-label': `Remove ${file.name}`, text: '×',
        onclick: () => { attached.splice(k, 1); showAttached(); } }))));
    tray.hidden = attached.length === 0;
  }
  function attach(files) {
    const wanted = [...files].filter((f) => f.type.startsWith('image/') || f.type === 'application/pdf');
    if (!wanted.length) return false;
    attached = [...attached, ...wanted];
    showAttached();
    return true;
  }
  $('attach').addEventListener('click', () => $('attach-input').click());
  $('attach-input').addEventListener('change', (e) => {
    attach(e.target.files ?? []);
    e.target.value = '';
  });
  const composer = $('composer');
  composer.addEventListener('dragover', (e) => {
    if ([...(e.dataTransfer?.types ?? [])].includes('Files')) {
      e.preventDefault();
      composer.dataset.drop = 'true';
    }
  });
  composer.addEventListener('dragleave', () => delete composer.dataset.drop);
  composer.addEventListener('drop', (e) => {
    delete composer.dataset.drop;
    if (e.dataTransfer?.files?.length) {
      e.preventDefault();
      attach(e.dataTransfer.files);
    }
  });
  prompt.addEventListener('paste', (e) => {
    if (e.clipboardData?.files?.length && attach(e.clipboardData.files)) e.preventDefault();
  });

  // While an answer streams over the WebSocket, a message steers it (socket.steer).
  async function steerWith(text = prompt.value) {
    if (!chat.canSteer || !chat.socket || !text.trim()) return;
    prompt.value = '';
    autosize();
    tokens.schedule('');
    await chat.steer(text);
  }

  async function submit(text = prompt.value) {
    if (chat.canSteer && !attached.length) {
      await steerWith(text);
      return;
    }
    if (chat.busy || (!text.trim() && !attached.length)) return;
    const files = attached;
    attached = [];
    showAttached();
    prompt.value = '';
    autosize();
    tokens.schedule('');
    const { sent } = await chat.send(text, files);
    // Steering input the server left to the client (`pending`) goes out as the next message.
    if (sent && chat.queued.length) {
      submit(chat.queued.splice(0).join('\n\n'));
      return;
    }
    if (!sent && !prompt.value) {
      prompt.value = text; // refused before sending: give the text (and the files) back
      autosize();
      tokens.schedule(text);
      if (!attached.length) {
        attached = files;
        showAttached();
      }
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
  steer.addEventListener('click', () => {
    steerWith();
    prompt.focus();
  });
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
    get socket() { return chat.socket; },
    features: Object.freeze({ ...chat.features }),
    library: lib,
  });
  document.body.dataset.ready = 'true';
  send.disabled = false;
  prompt.focus();
}

main().catch((err) => fatal('The demo failed to start.', err));
