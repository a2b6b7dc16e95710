// The conversation controller: one user message → one or more requests (a function
// call from the model is run locally and answered with `function_call_output`, then
// the follow-up answer streams in), chained with `previous_response_id`.

import { runTool } from './weather.js';
import { clip } from './dom.js';

const MAX_TOOL_ROUNDS = 4;
const FIRST_TOKEN = /\.delta$/; // text, reasoning summary, function arguments, refusal …

/**
 * What the error may mean, when the library cannot know it: in Direct mode the browser itself
 * calls another origin, and a server that sends no CORS headers is refused by the browser,
 * which tells the page only "Failed to fetch" (a ConnectionError).
 */
function hintFor(err, s) {
  if (!s.direct || err?.name !== 'ConnectionError') return null;
  let origin = s.baseURL;
  try { origin = new URL(s.baseURL).origin; } catch { /* shown as typed */ }
  return {
    kind: 'cors',
    text: `Direct mode: this page (${location.origin}) calls ${origin} from the browser. If that server `
      + 'sends no CORS headers (Access-Control-Allow-Origin for this origin), the browser refuses its answer '
      + 'and only says "Failed to fetch" — or the server is not reachable. Use an API that allows browser '
      + 'calls, or let the dev server proxy it: COMETAPI_KEY=… make demo (no CORS needed).',
  };
}

export class Chat {
  constructor({ lib, settings, transcript, inspector, onBusy, onContext, onFix }) {
    Object.assign(this, { lib, settings, transcript, inspector, onBusy, onContext, onFix });
    this.previousResponseId = null;
    this.pendingOutputs = []; // function_call_output items the server has not seen yet
    this.turns = 0;
    this.busy = false;
    this.stopFn = null;
    this.stopRequested = false;
  }

  /**
   * Send a user message. Resolves when every request of the turn is over.
   * @returns {Promise<{sent: boolean}>} sent: false when the library refused the params
   */
  async send(text) {
    if (this.busy || !text.trim()) return { sent: false };
    const s = this.settings.read();
    const user = this.transcript.addUser(text);
    const input = this.inputFor(text);
    this.#setBusy(true);
    try {
      let r = await this.#request(s, input, { followUp: false });
      if (r.notSent) {
        user.markUnsent();
        return { sent: false };
      }
      for (let round = 0; r.response && !this.stopRequested; round++) {
        const calls = (r.response.output ?? []).filter((i) => i?.type === 'function_call');
        if (!calls.length) break;
        this.pendingOutputs = calls.map((call) => {
          const result = runTool(call);
          r.view.toolResult(call.call_id, result);
          return { type: 'function_call_output', call_id: call.call_id, output: result.output };
        });
        if (round >= MAX_TOOL_ROUNDS) {
          this.transcript.addDivider(`Stopped after ${MAX_TOOL_ROUNDS} tool rounds; the results go with your next message.`);
          break;
        }
        r = await this.#request(s, this.pendingOutputs, { followUp: true });
      }
      return { sent: true };
    } finally {
      this.#setBusy(false);
    }
  }

  /** The `input` a message with this text would be sent with (tool outputs not sent yet first). */
  inputFor(text) {
    return this.pendingOutputs.length ? [...this.pendingOutputs, { role: 'user', content: text }] : text;
  }

  stop() {
    if (!this.busy) return;
    this.stopRequested = true;
    this.stopFn?.();
  }

  reset() {
    this.stop();
    this.previousResponseId = null;
    this.pendingOutputs = [];
    this.turns = 0;
    this.transcript.clear();
    this.inspector.clear();
    this.onContext(this);
  }

  #setBusy(busy) {
    this.busy = busy;
    if (busy) this.stopRequested = false;
    else this.stopFn = null;
    this.onBusy(busy);
  }

  /** One request (streamed or not) rendered into a new assistant message. */
  async #request(s, input, { followUp }) {
    const params = this.settings.params(s, input, this.previousResponseId);
    const view = this.transcript.addAssistant({ model: params.model, streaming: s.streaming, followUp });
    const t0 = performance.now();
    let tFirst = null;
    const timings = () => ({
      ttft: tFirst == null ? null : tFirst - t0,
      total: performance.now() - t0,
      streaming: s.streaming,
    });
    const what = `POST /responses · ${s.streaming ? 'stream' : 'create'}${followUp ? ' · tool output' : ''}`;

    let client;
    let stream = null;
    const controller = new AbortController();
    const resumes = new Resumes(this.inspector, view);
    try {
      // The page's own fetch only watches: a GET …/responses/{id}?stream=true&starting_after=N
      // is the library resuming a background stream whose connection dropped.
      const fetch = (url, init) => {
        resumes.saw(url, init);
        return globalThis.fetch(url, init);
      };
      client = new this.lib.ResponsesClient({ ...this.settings.clientOptions(s), fetch });
      const opts = { headers: this.settings.requestHeaders(s), signal: controller.signal };
      let response;
      if (s.streaming) {
        stream = client.stream(params, opts); // throws ValidationError here, before any request
        this.stopFn = () => stream.abort();
        this.inspector.begin(what);
        for await (const ev of stream) {
          resumes.event(ev);
          this.inspector.add(ev);
          if (tFirst == null && FIRST_TOKEN.test(ev.type ?? '')) {
            tFirst = performance.now();
            view.firstToken(tFirst - t0);
          }
          view.event(ev);
        }
        response = await stream.finalResponse();
        resumes.end();
      } else {
        this.stopFn = () => controller.abort();
        const pending = client.create(params, opts);
        this.inspector.begin(what);
        view.setState('waiting', 'waiting');
        response = await pending;
        this.inspector.note(`Response ${response.status} · ${response.output?.length ?? 0} output items`, 'ok');
      }
      view.finish(response, timings());
      if (response.id && response.status !== 'failed') {
        this.previousResponseId = response.id;
        this.pendingOutputs = [];
        this.turns++;
      }
      this.onContext(this);
      return { response, view };
    } catch (err) {
      const snapshot = stream?.response ?? null;
      if (err?.name === 'AbortError') {
        view.stopped(snapshot, timings());
        this.inspector.note('Stopped: the request was aborted', 'muted');
        return { view };
      }
      const notSent = err?.name === 'ValidationError' && !followUp;
      const field = notSent ? this.settings.flag(err.param) : null;
      const fix = field && this.onFix ? { label: 'Show the setting', run: () => this.onFix(field) } : null;
      view.failed(err, snapshot, { ...timings(), notSent, fix, hint: hintFor(err, s) });
      if (!notSent) this.inspector.note(`${err?.name ?? 'Error'}: ${err?.message ?? err}`, 'bad');
      return { view, notSent };
    }
  }
}

/**
 * The resumes of one streamed request, as the page sees them: the library's GET
 * …?stream=true&starting_after=N requests (through the page's fetch), and the sequence
 * numbers of the events it hands out (each once, in order, if the resume is exact).
 */
class Resumes {
  constructor(inspector, view) {
    Object.assign(this, { inspector, view });
    this.after = []; // starting_after of each resume
    this.seqs = [];
  }

  saw(url, init) {
    if ((init?.method ?? 'GET').toUpperCase() !== 'GET') return;
    let u;
    try { u = new URL(String(url)); } catch { return; }
    const m = /\/responses\/([^/]+)$/.exec(u.pathname);
    if (!m || u.searchParams.get('stream') !== 'true') return;
    const after = Number(u.searchParams.get('starting_after') ?? -1);
    this.after.push(after);
    this.inspector.gap(`Connection lost after event #${after} — resumed: GET …/responses/${clip(decodeURIComponent(m[1]), 14)}?stream=true&starting_after=${after}`);
    this.view.resumed(this.after);
  }

  event(ev) {
    if (Number.isInteger(ev?.sequence_number)) this.seqs.push(ev.sequence_number);
  }

  /** The stream ended: say whether every event arrived once, in order. */
  end() {
    if (!this.after.length) return;
    const exact = this.seqs.every((n, i) => i === 0 || n === this.seqs[i - 1] + 1);
    this.view.resumed(this.after, { exact, first: this.seqs[0], last: this.seqs.at(-1) });
  }
}
