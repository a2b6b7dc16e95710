// The conversation controller: one user message → one or more responses, chained with
// `previous_response_id`, each rendered into its own assistant message.
//
// - With the weather tool on, `client.runTools` runs the loop: it streams each response, calls
//   the tool's `execute` (here, in the page) for each function call and sends the results back
//   until the model answers. (A library without `runTools` gets the same loop by hand: the page
//   reads the function calls, runs them and sends `function_call_output` items itself.)
// - In structured mode the response's `text.format` is the `trip_plan` JSON schema: the object
//   builds up from `stream.partialParsed`, and the final `output_parsed` is validated.
// - Otherwise one request: `client.stream()` or `client.create()`.
// - With the WebSocket transport, `client.connect()` once (no key in the page: the dev server's
//   relay adds it) and the same socket for every turn: `socket.stream()` / `socket.create()`,
//   `runTools(params, { socket })`. A message sent while an answer streams steers it
//   (`socket.steer`): the running response ends `incomplete` (reason `steered`) and its
//   successor, which the server starts by itself, arrives through `socket.on('response')`.

import { WEATHER_TOOL, runTool, weatherTool } from './weather.js';
import { clip } from './dom.js';
import { builtinTools } from './settings.js';

const MAX_TOOL_ROUNDS = 4;
const FIRST_TOKEN = /\.delta$/; // text, reasoning summary, function arguments, refusal …
const TERMINAL = /^response\.(completed|incomplete)$/;

/** What this build of the library has (a build without the SDK helpers shows none of them). */
export function features(lib) {
  const proto = lib?.ResponsesClient?.prototype ?? {};
  return {
    runTools: typeof proto.runTools === 'function' && typeof lib.functionTool === 'function',
    structured: typeof proto.parse === 'function' && typeof lib.jsonSchemaFormat === 'function',
  };
}

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

/**
 * The client could not be made with these settings, so nothing was sent: the error as thrown
 * (a SettingError, or the constructor's TypeError), with the option it refused as `param`.
 */
class ClientRefused extends Error {
  constructor(err, param) {
    super(err?.message ?? String(err), { cause: err });
    this.name = err?.name ?? 'Error';
    this.param = param ?? undefined;
  }
}

export class Chat {
  constructor({ lib, settings, transcript, inspector, onBusy, onContext, onFix }) {
    Object.assign(this, { lib, settings, transcript, inspector, onBusy, onContext, onFix });
    this.features = features(lib);
    this.previousResponseId = null;
    this.pendingOutputs = []; // function_call_output items the server has not seen yet
    this.turns = 0;
    this.busy = false;
    this.stopFn = null;
    this.stopRequested = false;
    this.socket = null; // the WebSocket transport's ResponsesSocket, reused across turns
    this.socketFor = null; // the client options it was opened with
    this.transport = 'http'; // of the running turn
    this.successors = []; // steered responses' successors not taken yet
    this.successorWaiter = null;
    this.queued = []; // steering input the server left to the client (`pending`): sent next
  }

  /**
   * Send a user message. Resolves when every request of the turn is over.
   * @returns {Promise<{sent: boolean}>} sent: false when the library refused the params
   */
  async send(text, attachments = []) {
    if (this.busy || (!text.trim() && !attachments.length)) return { sent: false };
    const s = this.settings.read();
    const user = this.transcript.addUser(text, attachments);
    this.transport = s.transport;
    this.#setBusy(true);
    try {
      let input;
      try {
        input = await this.#inputWith(s, text, attachments);
      } catch (err) {
        user.markUnsent(`Not sent: ${err?.name ?? 'Error'}: ${err?.message ?? err}`);
        return { sent: false };
      }
      // Built-in tools need stream.response (citations, code, images): one request per step.
      const r = s.tools && !s.structured && this.features.runTools && !builtinTools(s).length
        ? await this.#runTools(s, input)
        : await this.#byHand(s, input);
      if (r.notSent) user.markUnsent();
      return { sent: !r.notSent };
    } finally {
      this.#setBusy(false);
    }
  }

  /**
   * The input of a message with attachments: `inputImage` / `inputFile` parts after the text
   * (with file search on, the files are uploaded first, so that the search can find them).
   */
  async #inputWith(s, text, attachments) {
    if (!attachments.length) return this.inputFor(text);
    if (s.builtins?.fileSearch) {
      const client = this.#client(s, () => null);
      for (const file of attachments) await client.files.create({ file, purpose: 'user_data' });
    }
    const parts = await Promise.all(attachments.map((file) => (file.type.startsWith('image/') ? this.lib.inputImage(file) : this.lib.inputFile(file))));
    const content = [{ type: 'input_text', text: text.trim() || 'What is in these attachments?' }, ...parts];
    return [...this.pendingOutputs, { role: 'user', content }];
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
    else {
      this.stopFn = null;
      // A successor nobody waits for (the turn was stopped): stop reading it.
      for (const stream of this.successors.splice(0)) stream.abort();
    }
    this.onBusy(busy);
  }

  /** Whether a message sent now steers the running answer (WebSocket transport, busy). */
  get canSteer() {
    return this.busy && this.transport === 'websocket';
  }

  /**
   * Add a message to the running answer: `socket.steer(text)`. Resolves with 'accepted' or
   * 'pending' (the server left it to the client: it goes out as the next message), or null
   * when it was refused (shown on the message).
   */
  async steer(text) {
    if (!this.canSteer || !text.trim()) return null;
    if (!this.socket) return null; // still connecting: nothing runs yet
    const user = this.transcript.addUser(text);
    user.el.classList.add('steer');
    const tag = user.el.querySelector('.msg-tag');
    const say = (t) => {
      if (tag) {
        tag.textContent = t;
        tag.hidden = false;
      }
    };
    say('Steering…');
    this.inspector.note(`socket.steer(${JSON.stringify(clip(text, 40))})`, 'muted');
    try {
      const outcome = await this.socket.steer(text);
      if (outcome === 'pending') {
        this.queued.push(text);
        say('Steer pending: sent as the next message');
      } else say('Steered into the running answer');
      this.inspector.note(`response.steer.${outcome}`, 'ok');
      return outcome;
    } catch (err) {
      user.markUnsent(`Not steered: ${err?.name ?? 'Error'}: ${err?.message ?? err}`);
      this.inspector.note(`Steer refused: ${err?.message ?? err}`, 'bad');
      return null;
    }
  }

  /** The WebSocket transport's socket: opened once, reused while the client options stay the same. */
  async #socket(s) {
    const o = this.settings.clientOptions(s);
    const key = JSON.stringify([o.baseURL, o.apiKey ?? null]);
    if (this.socket && this.socketFor === key) return this.socket;
    this.closeSocket();
    const client = this.#client(s, () => null);
    this.inspector.begin('client.connect() · WebSocket /responses');
    const socket = await client.connect({ timeout: s.timeout ?? 15_000 });
    socket.on('response', (stream) => {
      if (this.socketFor !== key) return stream.abort();
      if (this.successorWaiter) this.successorWaiter(stream);
      else this.successors.push(stream);
    });
    this.socket = socket;
    this.socketFor = key;
    this.inspector.note(`Connected: ${socket.url}`, 'ok');
    return socket;
  }

  closeSocket() {
    this.socket?.close();
    this.socket = null;
    this.socketFor = null;
  }

  /** The next steered response's successor (null if none comes: the socket closed, or a minute passed). */
  #nextSuccessor(socket) {
    if (this.successors.length) return Promise.resolve(this.successors.shift());
    return new Promise((resolve) => {
      const done = (stream) => {
        clearTimeout(timer);
        this.successorWaiter = null;
        this.stopFn = null;
        resolve(stream);
      };
      const timer = setTimeout(() => done(null), 60_000);
      this.successorWaiter = done;
      this.stopFn = () => done(null);
      socket.closed.then(() => done(null));
    });
  }

  /** A response ended because it was steered: render its successors (each may be steered again). */
  async #followSteers(s, response) {
    let last = { response };
    while (last.response?.status === 'incomplete' && last.response.incomplete_details?.reason === 'steered' && !this.stopRequested) {
      const stream = await this.#nextSuccessor(this.socket);
      if (!stream) break;
      const step = new Step(this, { ...s, streaming: true }, { followUp: true, how: 'steered' });
      step.stream = stream;
      this.stopFn = () => stream.abort();
      this.inspector.begin('socket.on(\'response\') · the steered answer continues');
      try {
        for await (const ev of stream) step.event(ev);
        const next = await stream.finalResponse();
        step.finish(next);
        this.#chain(next);
        this.onContext(this);
        last = { response: next, view: step.view };
      } catch (err) {
        return this.#failed(step, err, s, { first: false });
      }
    }
    return last;
  }

  /** Params over the socket: the mock's fault goes in `metadata` (a socket has no per-request headers). */
  #socketParams(s, params) {
    return s.fault ? { ...params, metadata: { ...params.metadata, 'x-mock-fault': s.fault } } : params;
  }

  /** A response made it: the next message continues it. */
  #chain(response) {
    if (response?.id && response.status !== 'failed') {
      this.previousResponseId = response.id;
      this.pendingOutputs = [];
      this.turns++;
    }
  }

  /**
   * A client for one turn. The page's own fetch only watches: a GET
   * …/responses/{id}?stream=true&starting_after=N is the library resuming a background stream
   * that broke off (`resumes()` gives the step that is running). Throws ClientRefused when the
   * settings make no client: nothing was sent.
   */
  #client(s, resumes) {
    const fetch = (url, init) => {
      resumes()?.saw(url, init);
      return globalThis.fetch(url, init);
    };
    let options = {};
    try {
      options = this.settings.clientOptions(s);
      return new this.lib.ResponsesClient({ ...options, fetch });
    } catch (err) {
      throw new ClientRefused(err, err?.param ?? this.#refusedOption(options));
    }
  }

  /**
   * The option the constructor refused, when its error names none (a TypeError for maxRetries
   * -1): the one without which it accepts the others.
   */
  #refusedOption(options) {
    return Object.keys(options).find((key) => {
      const { [key]: _, ...others } = options;
      try {
        new this.lib.ResponsesClient(others);
        return true;
      } catch {
        return false;
      }
    }) ?? null;
  }

  #failed(step, err, s, { first }) {
    if (err?.name === 'AbortError') {
      step.stopped();
      this.inspector.note('Stopped: the request was aborted', 'muted');
      return { view: step.view };
    }
    const notSent = first && (err instanceof ClientRefused || err?.name === 'ValidationError');
    const field = notSent ? this.settings.flag(err.param) : null;
    const fix = field && this.onFix ? { label: 'Show the setting', run: () => this.onFix(field) } : null;
    step.failed(err, { notSent, fix, hint: hintFor(err, s) });
    if (!notSent) this.inspector.note(`${err?.name ?? 'Error'}: ${err?.message ?? err}`, 'bad');
    return { view: step.view, notSent };
  }

  // ------------------------------------------------------------- the tool loop: runTools

  async #runTools(s, input) {
    const params = this.settings.params(s, input, this.previousResponseId);
    const how = 'runTools';
    let step = new Step(this, s, { followUp: false, how });
    const steps = [step];
    const stepOfCall = new Map(); // call_id → the step whose response made the call
    const executed = new Map(); // call_id → what execute returned (or the message it threw)
    const { type, ...definition } = WEATHER_TOOL; // functionTool takes the definition, adds type
    const weather = this.lib.functionTool({
      ...definition,
      // Runs in the page: the arguments arrive parsed; what it returns (or throws) goes back.
      execute: (args, { callId }) => {
        const at = stepOfCall.get(callId) ?? step;
        try {
          const output = weatherTool(args);
          executed.set(callId, output);
          at.view.toolResult(callId, { ok: true, output });
          return output;
        } catch (e) {
          executed.set(callId, String(e?.message ?? e));
          at.view.toolResult(callId, { ok: false, output: String(e?.message ?? e) });
          throw e;
        }
      },
    });
    let started = false;
    let run = null;
    const ws = s.transport === 'websocket';
    const wire = ws ? 'WebSocket response.create' : 'POST /responses';
    try {
      const client = this.#client(s, () => step.resumes);
      const socket = ws ? await this.#socket(s) : null;
      run = client.runTools(ws ? this.#socketParams(s, { ...params, tools: [weather] }) : { ...params, tools: [weather] },
        ws ? { socket, maxSteps: MAX_TOOL_ROUNDS + 1 } : { headers: this.settings.requestHeaders(s), maxSteps: MAX_TOOL_ROUNDS + 1 });
      this.stopFn = () => run.abort();
      this.inspector.begin(`runTools · step 1 · ${wire}`);
      for await (const ev of run) {
        if (ev.type === 'response.created') {
          if (started) {
            step = new Step(this, s, { followUp: true, how, t0: step.ended });
            steps.push(step);
            this.inspector.begin(`runTools · step ${steps.length} · ${wire} · function_call_output`);
          }
          started = true;
        }
        if (ev.item?.type === 'function_call' && ev.item.call_id) stepOfCall.set(ev.item.call_id, step);
        step.event(ev);
        if (TERMINAL.test(ev.type) && ev.response) {
          step.finish(ev.response);
          this.#chain(ev.response);
        }
      }
      const final = await run.finalResponse();
      if (!step.done) {
        step.finish(final);
        this.#chain(final);
      }
      // What the library sent back for each call (arguments it could not parse never reach execute).
      for (const { toolCalls } of run.steps ?? []) {
        for (const call of toolCalls ?? []) {
          const at = stepOfCall.get(call.call_id);
          if (at && call.output !== undefined) at.view.toolResult(call.call_id, { ok: !call.error, output: call.output }, { onlyIfMissing: true });
        }
      }
      // Stopped by maxSteps with calls of the last response run but not sent: they go with the next message.
      if (this.#pendingAfter(run, executed)) {
        this.transcript.addDivider(`Stopped after ${steps.length} responses (maxSteps); the results go with your next message.`);
      }
      this.onContext(this);
      if (ws) {
        const after = await this.#followSteers(s, final);
        if (after.view) return after;
      }
      return { response: final, view: step.view };
    } catch (err) {
      const r = this.#failed(step, err, s, { first: !started && steps.length === 1 });
      // Stopped (or failed) after the tool ran: its results go with the next message.
      this.#pendingAfter(run, executed);
      this.onContext(this);
      return r;
    }
  }

  /**
   * The last response that made it (`previousResponseId`) called the tool, and no later one
   * carried the results: keep them for the next message (the API wants an output for every
   * call of the response it continues). Returns whether there are such results.
   */
  #pendingAfter(run, executed) {
    const rec = (run?.steps ?? []).find((st) => st?.response?.id === this.previousResponseId);
    const calls = (rec?.response?.output ?? []).filter((i) => i?.type === 'function_call');
    if (!calls.length) return false;
    const outputs = calls.map((c) => {
      const output = rec.toolCalls?.find((t) => t.call_id === c.call_id)?.output ?? executed.get(c.call_id);
      return output === undefined ? null : { type: 'function_call_output', call_id: c.call_id, output };
    });
    if (outputs.includes(null)) return false;
    this.pendingOutputs = outputs;
    return true;
  }

  // ------------------------------------------------------------- one request, or the loop by hand

  async #byHand(s, input) {
    let r = await this.#request(s, input, { followUp: false });
    if (r.notSent || s.structured || !s.tools) return r;
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
    return r;
  }

  /** One request (streamed or not) rendered into a new assistant message. */
  async #request(s, input, { followUp }) {
    const params = this.settings.params(s, input, this.previousResponseId);
    const structured = !!params.text?.format;
    const how = structured ? (s.streaming ? 'stream · json_schema' : 'parse') : (s.streaming ? 'stream' : 'create');
    const step = new Step(this, s, { followUp, how, structured });
    const ws = s.transport === 'websocket';
    const what = `${ws ? 'WebSocket response.create' : 'POST /responses'} · ${how}${followUp ? ' · tool output' : ''}`;
    const controller = new AbortController();
    try {
      const http = this.#client(s, () => step.resumes);
      const socket = ws ? await this.#socket(s) : null;
      // Over the socket: the same calls on the ResponsesSocket (a socket has no parse(): the
      // structured answer streams and its JSON is read from the final response).
      const client = ws ? { stream: (p, o) => socket.stream(this.#socketParams(s, p), { signal: o.signal }), create: (p, o) => socket.create(this.#socketParams(s, p), { signal: o.signal }) } : http;
      const opts = { headers: this.settings.requestHeaders(s), signal: controller.signal };
      let response;
      if (s.streaming || (ws && structured)) {
        const stream = client.stream(params, opts); // throws ValidationError here, before any request
        step.stream = stream;
        this.stopFn = () => stream.abort();
        this.inspector.begin(what);
        for await (const ev of stream) {
          step.event(ev);
          if (structured) step.view.structured(stream.partialParsed);
        }
        response = await stream.finalResponse();
      } else {
        this.stopFn = () => controller.abort();
        const pending = structured ? client.parse(params, opts) : client.create(params, opts);
        this.inspector.begin(what);
        step.view.setState('waiting', 'waiting');
        response = await pending;
        this.inspector.note(`Response ${response.status} · ${response.output?.length ?? 0} output items`, 'ok');
      }
      if (structured) step.view.parsed(response.output_parsed);
      step.finish(response);
      this.#chain(response);
      this.onContext(this);
      if (ws) {
        const after = await this.#followSteers(s, response);
        if (after.view) return after;
      }
      return { response, view: step.view };
    } catch (err) {
      if (structured && err?.name === 'OutputParseError') step.view.parseFailed();
      return this.#failed(step, err, s, { first: !followUp });
    }
  }
}

/**
 * One response on screen: its assistant message, timings, resumes, and the inspector rows of
 * its events.
 */
class Step {
  constructor(chat, s, { followUp, how, structured = false, t0 = performance.now() }) {
    this.chat = chat;
    this.live = s.streaming || how === 'runTools'; // runTools streams; the switch says whether to show deltas
    this.streaming = s.streaming;
    this.view = chat.transcript.addAssistant({ model: s.model, streaming: s.streaming, followUp, how, structured });
    this.resumes = new Resumes(chat.inspector, this.view);
    this.t0 = t0;
    this.tFirst = null;
    this.done = false;
    this.ended = null;
    this.stream = null;
  }

  timings() {
    return {
      ttft: this.tFirst == null ? null : this.tFirst - this.t0,
      total: performance.now() - this.t0,
      streaming: this.live,
    };
  }

  event(ev) {
    this.resumes.event(ev);
    this.chat.inspector.add(ev);
    if (this.tFirst == null && FIRST_TOKEN.test(ev.type ?? '')) {
      this.tFirst = performance.now();
      if (this.streaming) this.view.firstToken(this.tFirst - this.t0);
    }
    // Streaming off (a tool run still streams): whole items only, no text appearing word by word.
    if (this.streaming || !FIRST_TOKEN.test(ev.type ?? '')) this.view.event(ev, this.stream?.response);
  }

  finish(response) {
    this.resumes.end();
    this.view.finish(response, this.timings());
    this.done = true;
    this.ended = performance.now();
  }

  stopped() {
    this.view.stopped(this.stream?.response ?? null, this.timings());
  }

  failed(err, { notSent, fix, hint }) {
    const snapshot = this.stream?.response ?? err?.response ?? null;
    this.view.failed(err, snapshot, { ...this.timings(), notSent, fix, hint });
  }
}

/**
 * The resumes of one streamed response, as the page sees them: the library's GET
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
    this.inspector.gap(`Stream resumed after event #${after}: GET …/responses/${clip(decodeURIComponent(m[1]), 14)}?stream=true&starting_after=${after}`);
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
