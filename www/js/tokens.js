// The input token count of the next message, before it is sent: while the user types,
// `client.countInputTokens(…)` (POST /responses/input_tokens) with what the message would be
// sent with — model, input (tool outputs not sent yet included), instructions, tools,
// reasoning, previous_response_id — debounced, the previous count aborted. Errors are shown
// quietly (a dash, the error in its tooltip): a count is a nicety, never in the way.

const DEBOUNCE_MS = 400;

export class TokenCounter {
  /** @param {{lib: object, settings: object, chat: object, el: HTMLElement}} deps */
  constructor({ lib, settings, chat, el }) {
    Object.assign(this, { lib, settings, chat, el });
    this.timer = null;
    this.controller = null;
    this.text = '';
  }

  /** The message box changed (or the settings, or the conversation): count again soon. */
  schedule(text = this.text) {
    this.text = text;
    clearTimeout(this.timer);
    this.controller?.abort();
    this.controller = null;
    if (!text.trim()) {
      this.#show(null);
      return;
    }
    this.el.dataset.state = 'pending';
    this.timer = setTimeout(() => this.#count(text), DEBOUNCE_MS);
  }

  async #count(text) {
    const s = this.settings.read();
    // The create params minus what only a response has (sampling, streaming, background).
    const { temperature, background, stream, ...params } = this.settings.params(s, this.chat.inputFor(text), this.chat.previousResponseId);
    const format = params.text?.format;
    if (format) {
      // The wire fields only (the page's validator is not part of the request).
      const { type, name, schema, strict, description } = format;
      params.text = { ...params.text, format: { type, name, schema, strict, description } };
    }
    const controller = new AbortController();
    this.controller = controller;
    try {
      const client = new this.lib.ResponsesClient({ ...this.settings.clientOptions(s), maxRetries: 0, timeout: 15000 });
      const { input_tokens: n } = await client.countInputTokens(params, { signal: controller.signal });
      if (this.controller !== controller) return; // a newer count is on its way
      this.#show({ n });
    } catch (err) {
      if (this.controller !== controller || err?.name === 'AbortError') return;
      this.#show({ err });
    }
  }

  #show(result) {
    const el = this.el;
    el.hidden = result === null;
    if (result === null) {
      delete el.dataset.state;
      delete el.dataset.tokens;
      el.textContent = '';
      el.removeAttribute('title');
    } else if (result.err) {
      el.dataset.state = 'error';
      delete el.dataset.tokens;
      el.textContent = '– tokens';
      el.title = `Could not count the input tokens (POST /responses/input_tokens): ${result.err.name ?? 'Error'}: ${result.err.message ?? result.err}`;
    } else {
      el.dataset.state = 'ok';
      el.dataset.tokens = String(result.n);
      el.textContent = `${result.n} input token${result.n === 1 ? '' : 's'}`;
      el.title = 'The input tokens of this message, counted before it is sent (client.countInputTokens)';
    }
  }
}
