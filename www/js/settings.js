// The settings panel: what the user chose, turned into request params and client
// options. Values are passed to the library as typed — the library validates them
// (ValidationError) before anything is sent; the page does not second-guess it. One check
// is the page's own: in Direct mode the base URL must be an absolute http(s) URL, because
// the key goes there and the library resolves a relative one against this page.

import { WEATHER_TOOL } from './weather.js';

const $ = (id) => document.getElementById(id);

/** Settings param (from a ValidationError) → the field to flag. */
const FIELD_FOR_PARAM = [
  [/^temperature/, 'temperature'],
  [/^model/, 'model'],
  [/^instructions/, 'instructions'],
  [/^reasoning/, 'reasoning'],
  [/^(tools|tool_choice)/, 'tools'],
  [/^(maxRetries|max_retries)/, 'max-retries'],
  [/^timeout/, 'timeout'],
  [/^(baseURL|base_url)/, 'base-url'],
  [/^(apiKey|api_key)/, 'api-key'],
];

export const DEFAULT_DIRECT_URL = 'https://api.cometapi.com/v1';

/**
 * A setting the page refuses before making a client: nothing is sent, the field of `param` is
 * flagged. Named like the library's ValidationError, which it throws for the same setting outside a browser.
 */
export class SettingError extends Error {
  constructor(param, message) {
    super(message);
    this.name = 'ValidationError';
    this.param = param;
  }
}

/** `url` as typed is an absolute http(s) URL (not `host/v1`, not `//host/v1`, not `/v1`). */
function isAbsoluteHttp(url) {
  if (!/^https?:\/\//i.test(url)) return false;
  try {
    return new URL(url).host !== '';
  } catch {
    return false;
  }
}

export class Settings {
  constructor() {
    this.form = $('settings');
    this.fault = $('fault');
    this.onChange = () => {};
    /** The `text.format` of structured mode (from `jsonSchemaFormat`), when the library has it. */
    this.structuredFormat = null;
    this.form.addEventListener('input', (e) => {
      e.target.removeAttribute('aria-invalid');
      this.#sync();
    });
    this.form.addEventListener('change', () => this.#sync());
    this.form.addEventListener('submit', (e) => e.preventDefault());
    // The mock answers any model name; a real upstream needs a real one.
    $('direct').addEventListener('change', () => {
      const model = $('model');
      if ($('direct').checked && model.value.trim() === 'mock') model.value = 'gpt-5.4';
      else if (!$('direct').checked && model.value.trim() === 'gpt-5.4') model.value = 'mock';
    });
    /** What `background` was before a fault preset turned it on (null: no such preset chosen). */
    this.backgroundBefore = null;
    // Changed by hand while such a preset is chosen: that is what leaving it gives back.
    $('background').addEventListener('change', () => {
      if (this.backgroundBefore !== null) this.backgroundBefore = $('background').checked;
    });
    this.fault.addEventListener('change', () => {
      this.#faultBackground();
      this.#sync();
    });
    this.#applyUrl(new URLSearchParams(location.search));
    this.#sync();
  }

  /**
   * `?fault=…` (x-mock-fault), `?model=`, `?stream=0`, `?background=1`, `?tools=0`,
   * `?structured=1`, `?retries=N`, `?transport=websocket`.
   */
  #applyUrl(q) {
    const fault = q.get('fault');
    if (fault) {
      if (![...this.fault.options].some((o) => o.value === fault)) {
        this.fault.append(new Option(fault, fault));
      }
      this.fault.value = fault;
      $('developer').open = true;
    }
    if (q.get('background') === '1') $('background').checked = true;
    this.#faultBackground();
    if (q.has('model')) $('model').value = q.get('model');
    if (q.get('stream') === '0') $('streaming').checked = false;
    if (q.get('tools') === '0') $('tools').checked = false;
    if (q.get('structured') === '1') $('structured').checked = true;
    if (q.has('retries')) $('max-retries').value = q.get('retries');
    if (['ws', 'websocket'].includes(q.get('transport'))) $('transport').value = 'websocket';
  }

  /**
   * A fault preset that needs a background response (auto-resume, `data-background`) turns
   * `background` on while it is chosen; choosing another preset gives back what it was.
   */
  #faultBackground() {
    const wants = this.fault.selectedOptions[0]?.dataset.background === 'true';
    const box = $('background');
    if (wants && this.backgroundBefore === null) {
      this.backgroundBefore = box.checked;
      box.checked = true;
    } else if (!wants && this.backgroundBefore !== null) {
      box.checked = this.backgroundBefore;
      this.backgroundBefore = null;
    }
  }

  /** The library has jsonSchemaFormat: offer structured mode with this format. */
  enableStructured(format) {
    this.structuredFormat = format;
    $('structured-row').hidden = false;
    this.#sync();
  }

  /** Turn structured mode on or off (a suggestion does). */
  setStructured(on) {
    $('structured').checked = on && this.structuredFormat !== null;
    this.#sync();
  }

  #sync() {
    const direct = $('direct').checked;
    $('direct-fields').hidden = !direct;
    $('model-hint').textContent = direct ? 'as the API at the base URL names it' : 'the mock answers to any name';
    // Structured mode answers with the schema's JSON; the weather tool is for the chat mode.
    const structured = this.structuredFormat !== null && $('structured').checked;
    $('tools').disabled = structured;
    $('tool-choice-row').hidden = !$('tools').checked || structured;
    // Background responses are streamed here (a non-streamed one would have to be polled);
    // the WebSocket protocol has no `background`.
    $('background').disabled = !$('streaming').checked || $('transport').value === 'websocket';
    this.onChange(this.read());
  }

  read() {
    const num = (id) => {
      const v = $(id).value.trim();
      return v === '' ? undefined : Number(v);
    };
    const direct = $('direct').checked;
    const timeoutS = num('timeout');
    return {
      model: $('model').value.trim(),
      instructions: $('instructions').value.trim(),
      temperature: num('temperature'),
      effort: $('reasoning').value,
      streaming: $('streaming').checked,
      transport: $('transport').value === 'websocket' ? 'websocket' : 'http',
      background: $('streaming').checked && $('background').checked && $('transport').value !== 'websocket',
      structured: this.structuredFormat !== null && $('structured').checked,
      tools: $('tools').checked,
      toolChoice: $('tool-choice').value,
      builtins: {
        webSearch: $('tool-web-search').checked,
        fileSearch: $('tool-file-search').checked,
        code: $('tool-code').checked,
        image: $('tool-image').checked,
      },
      maxRetries: num('max-retries'),
      timeout: timeoutS === undefined ? undefined : timeoutS * 1000,
      fault: direct ? '' : this.fault.value,
      direct,
      baseURL: direct ? ($('base-url').value.trim() || DEFAULT_DIRECT_URL) : `${location.origin}/v1`,
      apiKey: direct ? $('api-key').value.trim() || undefined : undefined,
    };
  }

  /** Request params for one turn. */
  params(s, input, previousResponseId) {
    const p = { model: s.model, input };
    if (s.instructions) p.instructions = s.instructions;
    if (s.temperature !== undefined) p.temperature = s.temperature;
    if (s.background) p.background = true;
    if (s.effort) p.reasoning = { effort: s.effort, summary: 'auto' };
    if (s.structured) p.text = { format: this.structuredFormat };
    else if (s.tools) {
      p.tools = [WEATHER_TOOL];
      if (s.toolChoice && s.toolChoice !== 'auto') p.tool_choice = s.toolChoice;
    }
    const builtins = builtinTools(s);
    if (builtins.length) {
      p.tools = [...(p.tools ?? []), ...builtins.map(([tool]) => tool)];
      const include = builtins.map(([, inc]) => inc).filter(Boolean);
      if (include.length) p.include = include;
    }
    if (previousResponseId) p.previous_response_id = previousResponseId;
    return p;
  }

  /**
   * Options for `new ResponsesClient(…)`. The key stays in memory, in this object only.
   * Throws a SettingError (param baseURL) in Direct mode when the base URL is not an
   * absolute http(s) URL: the key is sent only to the base URL as typed.
   */
  clientOptions(s) {
    if (s.direct && !isAbsoluteHttp(s.baseURL)) {
      throw new SettingError('baseURL', `Direct mode needs an absolute http:// or https:// base URL (such as ${DEFAULT_DIRECT_URL}), `
        + `got ${JSON.stringify(s.baseURL)}: the key goes only to the base URL, and a relative one would point at this page or another host.`);
    }
    const o = { baseURL: s.baseURL };
    if (s.apiKey) o.apiKey = s.apiKey;
    if (s.maxRetries !== undefined) o.maxRetries = s.maxRetries;
    if (s.timeout !== undefined) o.timeout = s.timeout;
    return o;
  }

  /**
   * Per-request options: the mock's fault header when one is chosen, with a key of this
   * request, so that the mock counts the attempts of this request (its retries reuse
   * these headers), not every request since the server started.
   */
  requestHeaders(s) {
    if (!s.fault) return undefined;
    const key = `demo-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
    return { 'x-mock-fault': s.fault, 'x-mock-fault-key': key };
  }

  /** Flag the field a ValidationError points at; returns its label text, if any. */
  flag(param) {
    if (!param) return null;
    const hit = FIELD_FOR_PARAM.find(([re]) => re.test(String(param)));
    const el = hit && $(hit[1]);
    if (!el) return null;
    el.setAttribute('aria-invalid', 'true');
    const details = el.closest('details');
    if (details) details.open = true;
    for (let d = details?.parentElement?.closest('details'); d; d = d.parentElement?.closest('details')) d.open = true;
    return el;
  }
}

/** The built-in tools switched on: [tool, the `include` that shows its results]. */
export function builtinTools(s) {
  const b = s.builtins ?? {};
  const out = [];
  if (b.webSearch) out.push([{ type: 'web_search_preview' }, 'web_search_call.action.sources']);
  if (b.fileSearch) out.push([{ type: 'file_search', vector_store_ids: [] }, 'file_search_call.results']);
  if (b.code) out.push([{ type: 'code_interpreter', container: { type: 'auto' } }, 'code_interpreter_call.outputs']);
  if (b.image) out.push([{ type: 'image_generation', partial_images: 2 }, null]);
  return out;
}
