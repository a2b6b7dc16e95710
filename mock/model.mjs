// The mock "model": from a request and its conversation history, decide
// deterministically what to answer — reasoning summaries, function calls, text or
// JSON — and cut every text into the pieces it will be streamed in.
//
// It is honest: the text says it is a mock, quotes the user's last words, and the
// `model` field is echoed as given. The same request always gives the same plan
// (only ids and timestamps differ).

import { exampleFromSchema } from './schema.mjs';
import {
  placesIn, roundsIn, enumIn, numberFor, emailIn, urlIn, dateIn, asArgument, PLACE_PARAM, TEXT_PARAM,
} from './prompt.mjs';
import { newId, utf8Length, base64 } from './util.mjs';
import { plannedBuiltins, webResults, fileResults, interpreterRun, generatedImages } from './builtin.mjs';

/** Normalise `input` (string or items) to stored input items, with ids like the real API. */
export function normalizeInput(input) {
  const items = typeof input === 'string' ? [{ role: 'user', content: input }] : input;
  return items.map((raw) => {
    const item = { ...raw };
    const type = item.type ?? (item.role ? 'message' : 'unknown');
    if (type === 'message') {
      const partType = item.role === 'assistant' ? 'output_text' : 'input_text';
      const content = typeof item.content === 'string'
        ? [{ type: partType, text: item.content }]
        : Array.isArray(item.content) ? item.content : [];
      return { id: item.id ?? newId('msg'), type: 'message', status: item.status ?? 'completed', role: item.role ?? 'user', content };
    }
    if (type === 'function_call_output') {
      return { id: item.id ?? newId('fco'), type, call_id: item.call_id, output: item.output, status: item.status ?? 'completed' };
    }
    return { id: item.id ?? newId('item'), ...item, type };
  });
}

/** The text of a message item's parts (input_text / output_text / text). */
export function messageText(item) {
  if (!item || item.type !== 'message') return '';
  return item.content
    .map((p) => (typeof p === 'string' ? p : typeof p?.text === 'string' ? p.text : ''))
    .filter(Boolean)
    .join(' ');
}

function outputToText(output) {
  if (typeof output === 'string') return output;
  if (Array.isArray(output)) return output.map((p) => p?.text ?? '').join(' ');
  return JSON.stringify(output);
}

function clip(s, n) {
  // Only the head matters (a 30 MB input must not become a 30M-element array).
  const head = s.length > 4 * n + 64 ? s.slice(0, 4 * n + 64) : s;
  const chars = Array.from(head.replace(/\s+/g, ' ').trim());
  return chars.length > n || head !== s ? chars.slice(0, n).join('') + '…' : chars.join('');
}

/** Rough token estimate (≈ 4 characters per token), never 0 for non-empty text. */
export function estimateTokens(text) {
  return text ? Math.max(1, Math.ceil(utf8Length(text) / 4)) : 0;
}

// Tokens: a CJK character or an emoji alone, else a word with its leading spaces.
const TOKEN_RE = /\s*[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Extended_Pictographic}\u3000-\u303f\uff00-\uffef]|\s*[^\s\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Extended_Pictographic}\u3000-\u303f\uff00-\uffef]+|\s+/gu;
const GROUPS = [2, 1, 3, 2, 1, 2, 3, 1];

/** Cut text into stream deltas of a few words each; `join('')` gives the text back. */
export function chunkText(text) {
  const tokens = text.match(TOKEN_RE) ?? [];
  if (tokens.join('') !== text) return Array.from(text); // cannot happen; stay safe
  const out = [];
  for (let i = 0, g = 0; i < tokens.length; g++) {
    const n = GROUPS[g % GROUPS.length];
    out.push(tokens.slice(i, i + n).join(''));
    i += n;
  }
  return out;
}

/** Piece sizes (characters): function arguments, and structured output (many small deltas). */
const COARSE = [3, 5, 7, 9];
const FINE = [1, 3, 2, 4, 1, 2];

/** Cut JSON text (arguments, structured output) into short pieces, never inside a code point. */
export function chunkJson(text, sizes = COARSE) {
  const chars = Array.from(text);
  const out = [];
  for (let i = 0, g = 0; i < chars.length; g++) {
    const n = sizes[g % sizes.length];
    out.push(chars.slice(i, i + n).join(''));
    i += n;
  }
  return out;
}

const WANTS_TOOL = /\b(weather|call|tool)\b/i;

function mentions(text, name) {
  const t = text.toLowerCase();
  return t.includes(name.toLowerCase()) || t.includes(name.toLowerCase().replace(/_/g, ' '));
}

/** The first string property of a tool's parameters that takes a place, or null. */
function placeParam(tool) {
  const props = tool.parameters?.properties;
  if (!props || typeof props !== 'object') return null;
  return Object.keys(props).find((k) => PLACE_PARAM.test(k)) ?? null;
}

/** A tool a segment is about: one whose name has a word of it ("get_weather" ↔ "weather"). */
function relevantTool(tools, text) {
  const words = new Set(String(text).toLowerCase().match(/\p{L}+/gu) ?? []);
  return tools.find((t) => t.name.toLowerCase().split(/[_\W]+/).some((w) => w.length >= 4 && words.has(w)));
}

/**
 * The calls a prompt asks for, round by round: each segment of roundsIn() makes one
 * round; a segment calls the tools it names, else the tool it is about (or the first
 * tool when it asks for a tool at all); a tool with a place parameter is called once
 * per place the segment names. `parallel: false` makes one call per round.
 * @returns {{tool: object, text: string, place?: string}[][]}
 */
export function planToolRounds(text, tools, { parallel = true } = {}) {
  const rounds = [];
  for (const seg of roundsIn(text)) {
    const named = tools.filter((t) => mentions(seg, t.name));
    const places = placesIn(seg);
    let chosen = named;
    if (!chosen.length) {
      // the tool the segment is about; else, when it names places, the tool of the round
      // before (", then in Oslo") or the first tool that takes a place; else any tool
      // when it asks for one
      const about = relevantTool(tools, seg);
      const before = rounds.at(-1)?.map((c) => c.tool).filter(placeParam) ?? [];
      const placeTool = tools.find(placeParam);
      if (about) chosen = [about];
      else if (places.length && before.length) chosen = [...new Set(before)];
      else if (placeTool && placesIn(seg, { cued: true }).length) chosen = [placeTool];
      else if (WANTS_TOOL.test(seg)) chosen = [tools[0]];
    }
    const calls = [];
    for (const tool of chosen) {
      if (placeParam(tool) && places.length) for (const place of places.slice(0, 8)) calls.push({ tool, text: seg, place });
      else calls.push({ tool, text: seg });
    }
    if (calls.length) rounds.push(calls);
  }
  return parallel ? rounds : rounds.flat().map((c) => [c]);
}

/** A `fill` for exampleFromSchema: property values read from `text` where it has one. */
function fillFrom(text, place) {
  return (name, schema) => {
    if (Array.isArray(schema?.enum)) return enumIn(text, schema.enum);
    const type = Array.isArray(schema?.type) ? schema.type.find((t) => t !== 'null') : schema?.type;
    if (type === 'integer' || type === 'number') return numberFor(text, name);
    if (type !== undefined && type !== 'string') return undefined;
    if (schema?.format === 'email' || /email/i.test(name)) return emailIn(text);
    if (schema?.format === 'uri' || schema?.format === 'url' || /(^|_)(url|uri|link)$/i.test(name)) return urlIn(text);
    if (schema?.format === 'date' || /(^|_)date$/i.test(name)) return dateIn(text);
    if (PLACE_PARAM.test(name)) return place ?? placesIn(text)[0];
    if (TEXT_PARAM.test(name)) return asArgument(text) || undefined;
    return undefined;
  };
}

/** Arguments for one call: built from the tool's schema, filled from the prompt where it can. */
export function callArguments({ tool, text, place }) {
  return JSON.stringify(exampleFromSchema(tool.parameters ?? { type: 'object', properties: {} }, { fill: fillFrom(text, place) }));
}

/** Which turn of the conversation this is, also when the history is resent (store: false). */
export function turnOf(prev, input) {
  if (prev) return prev.turn + 1;
  let n = 1;
  let inOutput = false;
  for (const it of input) {
    if (it.type === 'compaction') n += compactionTurns(it.encrypted_content) ?? 0;
    const out = it.type === 'function_call' || it.type === 'reasoning' || (it.type === 'message' && it.role === 'assistant');
    if (out && !inOutput) n++;
    inOutput = out;
  }
  return n;
}

const COMPACTION = 'mock compaction of turns: ';

/** The mock's compaction `encrypted_content`: base64 of how many turns it stands for. */
export function compactionContent(turns) {
  return base64(`${COMPACTION}${turns}`);
}

/** The turns a compaction item stands for, or null when it is not the mock's. */
export function compactionTurns(content) {
  try {
    const text = atob(String(content));
    return text.startsWith(COMPACTION) && /^\d+$/.test(text.slice(COMPACTION.length)) ? Number(text.slice(COMPACTION.length)) : null;
  } catch {
    return null;
  }
}


/** How many rounds of calls the conversation holds after `from`: runs of function_call items. */
function roundsMade(items) {
  let n = 0;
  let inRun = false;
  for (const it of items) {
    const call = it.type === 'function_call';
    if (call && !inRun) n++;
    inRun = call;
  }
  return n;
}

/**
 * Plan the answer.
 * @param {object} body the request body (validated)
 * @param {object[]} history items of earlier turns (inputs and outputs, in order)
 * @param {object[]} input this turn's normalised input items
 * @param {{turn: number, faults: object}} ctx
 * @returns {{reasoning: string[]|null, items: object[]}} items: {kind:'message', text, chunks}
 *   or {kind:'function_call', name, arguments, chunks}
 */
function planReply(body, history, input, { turn, faults = {} }) {
  const lastUser = [...input].reverse().find((i) => i.type === 'message' && i.role === 'user');
  const said = lastUser ? messageText(lastUser) : '';
  const quote = clip(said, 400);
  const all = [...history, ...input];
  const outputs = input.filter((i) => i.type === 'function_call_output');
  const fnTools = (body.tools ?? []).filter((t) => t?.type === 'function' && t.name);
  const choice = body.tool_choice ?? 'auto';
  const multibyte = !!faults.multibyte;

  // --- reasoning summary
  let reasoning = null;
  const effort = body.reasoning?.effort ?? (body.reasoning?.summary ? 'medium' : null);
  if (body.reasoning && effort && effort !== 'none') {
    const parts = [
      `**Reading the request**\n\nThe user wrote "${clip(said, 120) || '(no text)'}". This is the local mock server, so there is nothing to think about for real: I will quote their words back and say plainly that no model was called.`,
      `**Planning the reply**\n\nI'll answer in a few sentences, streamed a few words at a time so the client can show them as they arrive, and mention that this is turn ${turn} of the conversation.`,
    ];
    reasoning = effort === 'minimal' ? [] : effort === 'low' ? parts.slice(0, 1) : parts;
  }

  // --- function calls: the rounds the last user message asks for, one per response
  if (fnTools.length && choice !== 'none') {
    const taskAt = all.findLastIndex((i) => i.type === 'message' && i.role === 'user');
    const task = taskAt < 0 ? '' : messageText(all[taskAt]);
    const made = roundsMade(all.slice(taskAt + 1));
    let rounds;
    if (typeof choice === 'object' && choice?.name) {
      const tool = fnTools.find((t) => t.name === choice.name);
      rounds = tool ? [[{ tool, text: task }]] : [];
    } else {
      rounds = planToolRounds(task, fnTools, { parallel: body.parallel_tool_calls !== false });
      if (!rounds.length && choice === 'required') rounds = [[{ tool: fnTools[0], text: task }]];
    }
    const next = rounds[made];
    if (next) {
      return {
        reasoning,
        items: next.map((call) => {
          const args = callArguments(call);
          return { kind: 'function_call', name: call.tool.name, arguments: args, chunks: chunkJson(args) };
        }),
      };
    }
  }

  // --- text (or JSON) answer
  let text;
  const format = body.text?.format;
  if (format?.type === 'json_schema') {
    text = JSON.stringify(exampleFromSchema(format.schema ?? {}, { hint: clip(said, 60), fill: fillFrom(said) }));
    return { reasoning, items: [{ kind: 'message', text, chunks: chunkJson(text, FINE) }] };
  }
  if (format?.type === 'json_object') {
    text = JSON.stringify({ you_said: quote, turn, mock: true, message: 'This is a mock JSON object from the local development server.' });
    return { reasoning, items: [{ kind: 'message', text, chunks: chunkJson(text) }] };
  }
  if (outputs.length) {
    const calls = new Map(all.filter((i) => i.type === 'function_call').map((i) => [i.call_id, i.name]));
    const results = outputs.map((o) => `the tool ${calls.get(o.call_id) ?? 'you called'} returned "${clip(outputToText(o.output), 300)}"`);
    text = multibyte
      ? `收到工具结果 🛠️：${results.join('；')}。根据这个结果，模拟模型现在回答你 ✅（第 ${turn} 轮）。没有调用真实模型 🤖。`
      : `Thanks, ${results.join(', and ')}. Based on that result, this mock model would now answer your question (turn ${turn}). No real model was called, so the answer is only an echo of the tool output.`;
  } else if (multibyte) {
    text = `你说：“${quote}”。这是一个模拟回复 🚀✨——没有调用任何模型，也没有使用 API 密钥 🔑🚫。文字会一点一点地出现 🌊🐢，让你看到流式传输的效果 📡。这是第 ${turn} 轮对话 👋🎉。日本語のテキストも少し 🍣🗾、そして絵文字 😀😃😄😁。`;
  } else {
    const instr = body.instructions ? ` Your instructions were: "${clip(String(body.instructions), 200)}".` : '';
    text = (lastUser ? `You said: "${quote}".` : 'You sent no text.') +
      ` This is a mock response from the cometapi-responses development server: no model was called, no API key was used, and nothing left this machine.${instr}` +
      ` It streams a few words at a time so that you can watch the text arrive, and it is deterministic, so the same request always gives the same answer.` +
      ` This is turn ${turn} of the conversation.`;
  }
  let chunks = chunkText(text);
  if (faults.oversized > 0) {
    // One huge delta (the second one), kept in the final text so the output stays consistent.
    const filler = (multibyte ? '大🙂' : 'big ').repeat(Math.ceil(faults.oversized / 4));
    const huge = new TextDecoder().decode(new TextEncoder().encode(filler).subarray(0, faults.oversized)).replace(/\uFFFD+$/, '');
    chunks = [chunks[0], huge, ...chunks.slice(1)];
    text = chunks.join('');
  }
  return { reasoning, items: [{ kind: 'message', text, chunks }] };
}

/**
 * The plan of an answer (planReply), with the built-in tools' calls before the message and what
 * they found in its text (url_citation / file_citation annotations), and the attachments named:
 * "You attached: image/png, 1234 bytes, 2×2; report.pdf (application/pdf, 5678 bytes)."
 * @param {{turn: number, faults?: object, attachments?: {text: string}[], files?: object[]}} ctx
 */
export function planAnswer(body, history, input, ctx) {
  const plan = planReply(body, history, input, ctx);
  const { attachments = [], files = [] } = ctx;
  if (plan.items.some((i) => i.kind === 'function_call')) return plan;
  const lastUser = [...input].reverse().find((i) => i.type === 'message' && i.role === 'user');
  const said = lastUser ? messageText(lastUser) : '';
  const calls = [];
  const notes = []; // [text, annotation?] pieces of the message after its reply
  for (const { kind, tool } of plannedBuiltins(body)) {
    const query = clip(said, 100) || 'your question';
    if (kind === 'web_search') {
      const results = webResults(query);
      calls.push({ kind: 'web_search_call', query, results });
      notes.push([` I searched the web for "${query}": see `]);
      results.forEach((r, k) => {
        notes.push([r.title, { type: 'url_citation', url: r.url, title: r.title }]);
        notes.push([k === results.length - 1 ? '.' : ' and ']);
      });
    } else if (kind === 'file_search') {
      const results = fileResults(query, files);
      calls.push({ kind: 'file_search_call', query, results });
      if (!results.length) notes.push([' I searched your files and found none.']);
      else {
        notes.push([` I searched ${results.length} uploaded file${results.length > 1 ? 's' : ''}: `]);
        results.forEach((r, k) => notes.push([r.filename, { type: 'file_citation', file_id: r.file_id, filename: r.filename }], [k === results.length - 1 ? '.' : ', ']));
      }
    } else if (kind === 'code_interpreter') {
      const run = interpreterRun(said);
      calls.push({ kind: 'code_interpreter_call', ...run, chunks: chunkText(run.code) });
      notes.push([` I ran some Python on your words; it printed: ${run.logs.trim()}.`]);
    } else if (kind === 'image_generation') {
      const partials = Number.isInteger(tool.partial_images) ? tool.partial_images : 0;
      calls.push({ kind: 'image_generation_call', prompt: query, ...generatedImages(query, partials) });
      notes.push([' I drew a 64×64 picture of it (a mock drawing: colours from your words).']);
    }
  }
  if (!attachments.length && !calls.length) return plan;
  const message = plan.items.find((i) => i.kind === 'message');
  if (!message || body.text?.format?.type === 'json_schema' || body.text?.format?.type === 'json_object') {
    return { ...plan, items: [...calls, ...plan.items] };
  }
  let text = attachments.length
    ? `You attached ${attachments.length === 1 ? 'one thing' : `${attachments.length} things`}: ${attachments.map((a) => a.text).join('; ')}. `
    : '';
  text += message.text;
  const annotations = [];
  for (const [piece, annotation] of notes) {
    if (annotation) {
      const start = Array.from(text).length;
      const end = start + Array.from(piece).length;
      annotations.push(annotation.type === 'url_citation'
        ? { type: 'url_citation', start_index: start, end_index: end, title: annotation.title, url: annotation.url }
        : { type: 'file_citation', file_id: annotation.file_id, filename: annotation.filename, index: end });
    }
    text += piece;
  }
  return { ...plan, items: [...calls, { kind: 'message', text, chunks: chunkText(text), annotations }] };
}
