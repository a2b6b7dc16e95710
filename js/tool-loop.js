// The tool loop: functionTool (a function tool whose code stays off the wire) and ToolRun. The
// core's RawToolLoop decides every step (which request comes next, when it stops, what goes back
// to the model, the store:false history); this file runs each step's stream and the tools, and
// reports back.
import { RawToolLoop, ToolResult } from './cometapi_responses.js';
import { AbortError, OutputParseError, call } from './errors.js';
import { redactText } from './redact.js';
import { hidden, ignore, isObject, jsonText, named, onAbort, optionsOf, signalOf } from './shared.js';
import { checkSchema, validated, validatorOf } from './structured.js';

/** A function tool for runTools: the wire definition, with `execute` and `validate` kept off the wire. */
export const functionTool = /* @__PURE__ */ named('functionTool', function (definition) {
  if (!isObject(definition) || typeof definition.name !== 'string') throw new TypeError('functionTool({ name, … }): name must be a string');
  const { name, description, parameters, strict, execute, validate } = definition;
  if (execute !== undefined && typeof execute !== 'function') throw new TypeError('functionTool: execute must be a function');
  const tool = { type: 'function', name };
  for (const [k, v] of Object.entries({ description, parameters, strict })) if (v !== undefined) tool[k] = v;
  hidden(tool, 'execute', execute);
  hidden(tool, 'validate', checkSchema(validate, 'functionTool: validate'));
  return tool;
});

/**
 * A tool loop: `start(params, options, validate)` opens each step's stream (the client's);
 * `redact(text)` redacts the client's key from the errors the loop makes. The core decides
 * every step; this runs the streams and the tools.
 */
export const ToolRun = /* @__PURE__ */ named('ToolRun', class ToolRun {
  #raw;
  #start;
  #wire;
  #options;
  #validate;
  #redact;
  #tools = new Map();
  #controller = new AbortController();
  /** The user's signal, listened to from the first read; removes its listener. */
  #signal;
  #unlisten = ignore;
  /** No next() runs the loop (not begun, or paused at an event): abort() ends the run itself. */
  #idle = true;
  #stream;
  #events;
  #steps = [];
  #concurrency;
  #stopReason = null;
  #pending = [];
  #final = null;
  #error = null;
  #iterating = false;
  #finalPromise = null;
  #ended;
  #endedResolve;

  /** @internal From ResponsesClient.runTools(). */
  constructor(params, opts, start, redact) {
    if (!isObject(params)) throw new TypeError('runTools(params): params must be an object');
    const { maxSteps, concurrency, signal, socket: _socket, ...requestOptions } = optionsOf(opts);
    signalOf(signal);
    const names = [];
    let wire = params;
    if (Array.isArray(params.tools)) {
      const tools = params.tools.map((tool) => {
        if (!isObject(tool)) return tool;
        const { execute, validate, ...onWire } = tool;
        if (tool.type === 'function' && typeof execute === 'function' && !this.#tools.has(tool.name)) {
          this.#tools.set(tool.name, { execute, validate: checkSchema(validate, `the validate of tool ${tool.name}`) });
          names.push(tool.name);
        }
        return execute === undefined && validate === undefined ? tool : onWire;
      });
      wire = { ...params, tools };
    }
    this.#start = start;
    this.#redact = redact;
    this.#wire = wire;
    this.#options = { ...requestOptions, signal: this.#controller.signal };
    this.#validate = validatorOf(params);
    const body = jsonText(wire, (message) => new TypeError(message));
    // The core checks `concurrency` (a value that is not a number goes as NaN: refused).
    const limit = typeof concurrency === 'number' || concurrency === undefined ? concurrency : NaN;
    if (maxSteps !== undefined && !(Number.isInteger(maxSteps) && maxSteps >= 0 && maxSteps <= 0xffffffff)) throw new TypeError(`maxSteps must be an integer ≥ 1, got ${String(maxSteps)}`);
    this.#raw = call(() => new RawToolLoop(body, JSON.stringify(names), maxSteps, limit));
    this.#concurrency = this.#raw.concurrency();
    // Over a WebSocket the connection holds the history: later steps send only the new items.
    if (opts?.socket != null) this.#raw.over_socket();
    try {
      this.#stream = this.#next();
    } catch (e) {
      this.#raw.free();
      throw e;
    }
    this.#ended = new Promise((resolve) => (this.#endedResolve = resolve));
    this.#events = this.#generate();
    this.#signal = signal;
  }

  /** The stream of the next request: the params as given, with the core's changes (their key order kept). */
  #next() {
    const params = { ...this.#wire };
    for (const [key, value] of JSON.parse(this.#raw.next_request())) {
      if (value === null) delete params[key];
      else params[key] = value;
    }
    return this.#start(params, this.#options, this.#validate);
  }

  /** One entry per response so far: { response, toolCalls: [{ call_id, name, arguments, output, error? }] }. */
  get steps() {
    return this.#steps;
  }

  /** Why the run stopped (the core's reason: 'no_tool_calls', 'incomplete', …); null until then. */
  get stopReason() {
    return this.#stopReason;
  }

  /** Once the run stopped: the function calls of the final response that did not run ({ call_id, name, arguments }). */
  get pendingCalls() {
    return this.#pending;
  }

  [Symbol.asyncIterator]() {
    this.#iterating = true;
    return this;
  }

  next() {
    return this.#events.next();
  }

  /** Leaving a `for await` loop early stops the run. */
  async return() {
    this.#abort(new AbortError('the tool run was closed before its end'));
    await this.#events.return(undefined);
    this.#end();
    return { done: true, value: undefined };
  }

  /** Stops everything: the current request and the running tools; no further request. */
  abort() {
    this.#abort(new AbortError('the tool run was aborted'));
    // Nothing runs the loop to its end: it ends now (its memory, the listener; the next read
    // gets the AbortError from the stream).
    if (this.#idle) {
      this.#stream.free();
      this.#end();
    }
  }

  #abort(error) {
    if (this.#raw === null) return;
    this.#error ??= error;
    this.#controller.abort(this.#error);
  }

  /** The last Response (reads the run to its end if nobody iterates it). */
  finalResponse() {
    this.#finalPromise ??= (async () => {
      await null; // the rest of this task: a `for await` begun in it still takes every event
      if (!this.#iterating) while (!(await this.next()).done);
      await this.#ended;
      if (this.#error) throw this.#error;
      return this.#final;
    })();
    return this.#finalPromise;
  }

  async *#generate() {
    this.#idle = false;
    const raw = this.#raw;
    if (raw === null) throw this.#error;
    // A run that is never read holds no listener on the user's signal.
    this.#unlisten = onAbort(this.#signal, () => this.abort());
    try {
      for (;;) {
        const stream = this.#stream;
        for await (const event of stream) {
          this.#idle = true;
          yield event;
          this.#idle = false;
        }
        // A structured output that does not parse is the run's error only when the run stops on
        // it (the answer); text beside function calls goes on with the loop.
        let response, unparsed;
        try {
          response = await stream.finalResponse();
        } catch (e) {
          if (!(e instanceof OutputParseError) || stream.response === null) throw e;
          [response, unparsed] = [stream.response, e];
        }
        if (this.#error) throw this.#error;
        const step = { response, toolCalls: [] };
        this.#steps.push(step);
        // The core reads only these fields: the echoed params, usage and output_text stay here,
        // and so do the arguments this client parsed (the core has their text).
        const read = { id: response.id, status: response.status, output: response.output };
        const next = JSON.parse(call(() => raw.on_response(JSON.stringify(read, function (k, v) {
          return k === 'parsed_arguments' && this.type === 'function_call' ? undefined : v;
        }))));
        if (next.stop !== undefined) {
          this.#stopReason = next.stop;
          this.#pending = next.calls.map(({ call_id, name, arguments: args }) => ({ call_id, name, arguments: args }));
          this.#final = response;
          if (unparsed) throw unparsed;
          return;
        }
        const errors = new Map();
        const redacted = (text) => redactText(text, this.#redact);
        const results = await this.#untilAbort(this.#runAll(next.calls, errors));
        const outputs = JSON.parse(raw.on_tool_results(JSON.stringify(results)));
        step.toolCalls = next.calls.map(({ call_id, name, arguments: args, error }, i) => {
          // The core's [output, error]: an error (null when none) the tool did not throw is its own.
          const [output, failed] = outputs[i];
          const record = { call_id, name, arguments: args, output };
          const e = errors.get(call_id) ?? (error === undefined ? undefined : new OutputParseError(redacted(error), { text: redacted(args) })) ?? (failed === null ? undefined : new Error(redacted(failed)));
          if (e !== undefined) record.error = e;
          return record;
        });
        this.#stream = this.#next();
      }
    } catch (e) {
      this.#error ??= e;
      throw this.#error;
    } finally {
      this.#end();
    }
  }

  /** The run is over (however it ended): the core's memory goes, the listener too. */
  #end() {
    const raw = this.#raw;
    if (raw === null) return;
    if (this.#error === null && this.#final === null) this.#error = new AbortError('the tool run was closed before its end');
    this.#raw = null;
    raw.free();
    this.#unlisten();
    this.#endedResolve();
  }

  /** `p`, or the run's AbortError as soon as it is aborted. */
  #untilAbort(p) {
    return new Promise((resolve, reject) => {
      const unlisten = onAbort(this.#controller.signal, () => reject(this.#error));
      p.then(resolve, reject).finally(unlisten);
    });
  }

  /** Runs the calls, at most `concurrency` at once (none started after an abort); their results in the calls' order. */
  async #runAll(calls, errors) {
    const results = new Array(calls.length);
    let next = 0;
    const lane = async () => {
      while (next < calls.length && !this.#controller.signal.aborted) {
        const i = next++;
        results[i] = await this.#run(calls[i], errors);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.#concurrency, calls.length) }, lane));
    return results;
  }

  /** Runs one call: [call_id, ToolResult.Output, output] or [call_id, ToolResult.Error, error message]. */
  async #run(c, errors) {
    if (c.args === undefined) return [c.call_id, ToolResult.Error, c.error]; // not run: the core sends its message
    const tool = this.#tools.get(c.name);
    try {
      const args = await validated(tool.validate, c.args, c.arguments, 'the arguments', this.#redact);
      const result = await tool.execute(args, { signal: this.#controller.signal, callId: c.call_id });
      return [c.call_id, ToolResult.Output, typeof result === 'string' ? result : (JSON.stringify(result) ?? '')];
    } catch (e) {
      const error = e instanceof Error ? e : new Error(String(e));
      errors.set(c.call_id, error);
      return [c.call_id, ToolResult.Error, error.message];
    }
  }
});
