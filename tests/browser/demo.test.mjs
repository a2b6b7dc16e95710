// The demo page (www/) in Chromium (playwright-core) against the dev server's mock, in-process.
//   UPDATE_SCREENSHOT=1 …   also refresh docs/demo.png (always written to build/screenshots/)

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { has } from '../js/client-helpers.mjs';
import { listen } from '../runtimes/lib.mjs';
import { demoSuite, openDemo, withPage, ask, sendPrompt, waitIdle, lastAnswer, assistants } from './helpers.mjs';
import { answerStarted, streamedTexts, screenshot, expectPage, like } from './helpers.mjs';

const suite = demoSuite({ delayMs: 15 });
const { pageTest, posts } = suite;
/** The demo with the mock's fault directive `fault` on every request. */
const faultQuery = (fault) => `?fault=${encodeURIComponent(fault)}`;
/** Opens Client options and sets the field `selector` (e.g. '#max-retries') to `value`. */
async function clientOption(page, selector, value) {
  await page.click('#client-options > summary');
  await page.fill(selector, value);
}
/** Direct mode (Client options) against `base`, with a made-up key. */
async function direct(page, base) {
  await page.click('#client-options > summary');
  await page.check('#direct');
  await page.fill('#base-url', `${base}/v1`);
  await page.fill('#api-key', 'sk-demo-not-a-real-key');
}
/** Waits until the side sheet (Settings, Events) is closed. */
const sheetClosed = (page) =>
  page.waitForFunction(() => getComputedStyle(document.getElementById('side')).visibility === 'hidden');
/** The answer after a get_weather call quotes its output as text: no raw JSON in it. */
const noJson = (answer) => assert.doesNotMatch(answer, /[{}]|":/, `no raw JSON in the answer: ${answer}`);

pageTest('a prompt streams into the transcript, a few words at a time, over HTTP (the default transport)', {}, async (page, _t, sockets) => {
  const mark = posts().length;
  const typed = 'Hello streaming world\nplease echo these words';
  // Shift+Enter adds a line and sends nothing.
  await page.fill('#prompt', 'Hello streaming world');
  await page.press('#prompt', 'Shift+Enter');
  await page.type('#prompt', 'please echo these words');
  assert.equal(await page.inputValue('#prompt'), typed);
  assert.equal(posts().length, mark, 'Shift+Enter must not send');
  const seen = await streamedTexts(page, async () => {
    await page.press('#prompt', 'Enter');
    assert.equal(await page.inputValue('#prompt'), '', 'the prompt box is cleared on send');
  });
  const growing = seen.filter(Boolean);
  assert.ok(growing.length >= 3, `expected ≥ 3 distinct growing texts, saw ${growing.length}: ${JSON.stringify(growing)}`);
  for (let i = 1; i < growing.length; i++) {
    const [a, b] = [growing[i - 1], growing[i]];
    const grew = b.startsWith(a) && b.length > a.length;
    assert.ok(grew, `text must only grow: ${JSON.stringify(a)} → ${JSON.stringify(b)}`);
  }
  assert.equal(await waitIdle(page), 'done');
  const answer = await lastAnswer(page);
  for (const word of typed.split(/\s/)) assert.ok(answer.includes(word), `answer quotes "${word}": ${answer}`);

  // The user's message, exactly as typed; per-answer facts: first token, total, usage, response id.
  const [msg] = await assistants(page);
  assert.match(msg.id, /^resp_/);
  const meta = await page.textContent('#transcript .msg.assistant .meta');
  for (const re of [/first token \d+ ms/, /total \d/, /\d+ in · \d+ out/]) assert.match(meta, re);
  await expectPage(page, { user: typed, '@title #transcript .msg.assistant .m-id': msg.id });

  // The event inspector listed the stream, with sequence numbers.
  const events = await page.$$eval('#events .ev', (els) => els.map((el) => [el.querySelector('.ev-seq').textContent, el.dataset.type]));
  assert.deepEqual(events[0], ['#0', 'response.created']);
  assert.equal(events.at(-1)[1], 'response.completed');
  assert.ok(events.filter(([, t]) => t === 'response.output_text.delta').length >= 3);
  assert.equal(await page.textContent('#event-count'), String(events.length));

  const sent = posts().slice(mark);
  assert.equal(sent.length, 1);
  has(sent[0].body, { stream: true, model: 'mock', input: typed, previous_response_id: undefined });
  assert.equal(sent[0].headers.authorization, undefined, 'no key is sent by the page');
  // HTTP transport: the POST came from the browser, no socket was opened
  assert.equal(typeof sent[0].headers['user-agent'], 'string');
  assert.equal(await page.inputValue('#transport'), 'http');
  assert.deepEqual(sockets, []);
});

pageTest('a second turn continues the conversation; New chat starts over', {}, async (page) => {
  const mark = posts().length;
  await ask(page, 'My name is Ada.');
  await ask(page, 'What did I just say?');

  const [first, second] = await assistants(page);
  const sent = posts().slice(mark);
  assert.equal(sent.length, 2);
  assert.equal(sent[1].body.previous_response_id, first.id, 'turn 2 chains to turn 1');
  assert.notEqual(first.id, second.id);
  assert.match(second.text, /turn 2/, 'the mock counts the chained turns');
  const context = { 'text #context': /continues resp_/, '@title #context': `previous_response_id: ${second.id}` };
  await expectPage(page, { chain: second.id, ...context });

  await page.click('#new-chat');
  await expectPage(page, { 'count #transcript > *': 0, 'visible #welcome': true, eventCount: '0' });
  await ask(page, 'A fresh start.');
  assert.equal(posts().at(-1).body.previous_response_id, undefined, 'New chat drops previous_response_id');
  assert.match(await lastAnswer(page), /turn 1/);
});

// A slower stream (60 ms between events) so there is time to press Stop mid-answer.
pageTest('Stop halts the stream and keeps the partial answer, marked as stopped', { query: faultQuery('delay=60') }, async (page) => {
  await sendPrompt(page, 'Tell me a long story about streams.');
  await answerStarted(page);
  assert.equal(await page.isEnabled('#stop'), true);
  await page.click('#stop');
  assert.equal(await waitIdle(page), 'stopped');
  const partial = await lastAnswer(page);
  await page.waitForTimeout(400); // several event intervals: nothing more may arrive
  assert.equal(await lastAnswer(page), partial, 'text stopped growing');
  assert.ok(partial.length > 20 && !partial.includes('This is turn 1'), `partial answer kept: ${partial}`);
  // no error banner for a stop; a stopped answer is not chained
  const stopped = { 'text #transcript .stopped-marker': 'Stopped', errors: 0, chain: null, events: /Stopped/ };
  await expectPage(page, { ...stopped, 'visible #send': true });
});

pageTest('keyboard: suggestions, Escape stops, labelled controls, focus stays usable', { query: faultQuery('delay=60') }, async (page) => {
  // Every form control has a label; the transcript is a polite live region; the message box has focus on load.
  const unlabelled = await page.$$eval('input, select, textarea', (els) =>
    els.filter((el) => !el.labels?.length).map((el) => el.id || el.outerHTML));
  assert.deepEqual(unlabelled, []);
  await expectPage(page, { '@aria-live #transcript': 'polite', focus: 'prompt' });

  // A suggestion, activated from the keyboard, sends itself; Escape stops it; focus returns to the message box.
  await page.focus('.suggestion >> nth=0');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.body.dataset.busy === 'true');
  assert.equal(await page.getAttribute('#transcript', 'aria-busy'), 'true');
  await page.waitForFunction(() => document.querySelector('#transcript .part-message .text')?.textContent.length > 5);
  await page.keyboard.press('Escape');
  assert.equal(await waitIdle(page), 'stopped');
  await expectPage(page, { '@aria-busy #transcript': 'false', user: 'Hello! What can you do?', focus: 'prompt' });
});

pageTest('model and user text are rendered as text, never as HTML', {}, async (page) => {
  const evil = '<img src=x onerror="window.__xss=1"> and <script>window.__xss=2</script><b>bold?</b>';
  await ask(page, evil);
  assert.equal(await page.evaluate(() => window.__xss), undefined);
  await expectPage(page, { 'count #transcript img, #transcript script': 0, user: evil });
  const made = 'count #transcript .bubble *, #transcript .part-message .text *';
  await expectPage(page, { [made]: 0 }, 'no elements made from the text');
  const answer = await lastAnswer(page);
  assert.ok(answer.includes('<img src=x onerror="window.__xss=1">'), `shown literally: ${answer}`);
  assert.ok(!page.outgoing.some((u) => /\/x$/.test(u)), 'the <img> was never loaded');
});

pageTest('function calling: get_weather runs in the page (through client.runTools when the library has it) and the follow-up answer streams', {}, async (page) => {
  const mark = posts().length;
  // the SDK helpers are used when the library has them, and hidden when it has not
  const lib = await page.evaluate(() => {
    const l = window.cometDemo.library;
    return { runTools: typeof l.ResponsesClient.prototype.runTools, jsonSchemaFormat: typeof l.jsonSchemaFormat };
  });
  const features = await page.evaluate(() => window.cometDemo.features);
  has(features, { runTools: lib.runTools === 'function', structured: lib.jsonSchemaFormat === 'function' });
  // the structured switch and the structured suggestion
  const { runTools, structured } = features;
  const switches = { 'visible #structured-row': structured, 'visible .suggestion[data-structured]': structured };
  await expectPage(page, { ...switches, 'checked #tools': true }, 'the demo tool is on by default;');
  const seen = await streamedTexts(page, () => sendPrompt(page, "What's the weather in Lisbon?"));
  assert.equal(await waitIdle(page), 'done');

  // The call and its local output, visibly in the transcript.
  const card = '#transcript .tool-call[data-name="get_weather"]';
  assert.equal(await page.locator(card).count(), 1);
  const args = JSON.parse(await page.textContent(`${card} .tool-args`));
  assert.equal(typeof args.city, 'string');
  assert.ok(['celsius', 'fahrenheit'].includes(args.unit));
  const output = await page.textContent(`${card} .tool-output`);
  assert.match(output, new RegExp(`^${args.city}: -?\\d+ °[CF], [a-z ]+, humidity \\d+ %, wind \\d+ km/h`), output);
  const shown = { [`visible ${card}`]: true, [`visible ${card} .tool-output`]: true };
  await expectPage(page, { ...shown, [`text ${card} .tool-status`]: /ran in your browser/ });

  // Two requests: the question (with the tool), then the output (chained).
  const sent = posts().slice(mark);
  assert.equal(sent.length, 2);
  const [tool] = sent[0].body.tools;
  assert.deepEqual(sent[0].body.tools.map((t) => t.name), ['get_weather']);
  assert.deepEqual(tool.parameters.required, ['city', 'unit']);
  assert.deepEqual(tool.parameters.properties.unit.enum, ['celsius', 'fahrenheit']);
  const [toolTurn, followUp] = await assistants(page);
  const callId = await page.getAttribute(card, 'data-call-id');
  assert.match(callId, /^call_/);
  const input = [{ type: 'function_call_output', call_id: callId, output }];
  has(sent[1].body, { previous_response_id: toolTurn.id, stream: true, input });

  // The follow-up answer streamed (growing text) and quotes the tool's output.
  const grown = seen.filter(Boolean);
  assert.ok(grown.length >= 3, `follow-up streamed in steps: ${grown.length}`);
  assert.match(followUp.text, /get_weather returned/);
  const answer = await lastAnswer(page);
  assert.ok(answer.includes(output), `the answer quotes the output: ${answer}`);
  noJson(answer);
  await expectPage(page, { chain: followUp.id });
  const how = await page.$$eval('#transcript .msg.assistant .chip-how', (els) => els.map((e) => e.textContent));
  assert.deepEqual(how, runTools ? ['runTools', 'runTools'] : ['stream', 'stream']);
  assert.ok(!JSON.stringify(sent).includes('execute'), 'the tool\'s code is never sent');

  // Two places: two calls in one response, both run, both outputs in the next request.
  const mark2 = posts().length;
  await ask(page, 'And the weather in Paris and Tokyo?');
  const cards = page.locator('#transcript .msg.assistant').nth(2).locator('.tool-call.tool-ok');
  assert.equal(await cards.count(), 2);
  const outputs = await cards.locator('.tool-output').allTextContents();
  like(outputs, [/^Paris: /, /^Tokyo: /]);
  const sent2 = posts().slice(mark2);
  assert.equal(sent2.length, 2);
  assert.deepEqual(sent2[1].body.input.map((i) => [i.type, i.output]), outputs.map((o) => ['function_call_output', o]));
});

// 150 ms between events: the follow-up takes seconds, time enough to stop it on a busy machine.
pageTest('Stop after the tool ran: its result goes with the next message, which the server accepts', { query: faultQuery('delay=150') }, async (page) => {
  await sendPrompt(page, 'Weather in Oslo?');
  // The tool ran and the follow-up has started: stop it there.
  await page.waitForSelector('#transcript .tool-call.tool-ok');
  await page.waitForFunction(() => document.querySelectorAll('#transcript .msg.assistant').length === 2);
  const output = await page.textContent('#transcript .tool-call .tool-output');
  const callId = await page.getAttribute('#transcript .tool-call', 'data-call-id');
  await page.click('#stop');
  assert.equal(await waitIdle(page), 'stopped');
  const [first] = await assistants(page);
  assert.equal(await page.evaluate(() => window.cometDemo.previousResponseId), first.id, 'the call\'s response is the one continued');

  const mark = posts().length;
  await ask(page, 'Thanks!');
  const [req] = posts().slice(mark);
  const input = [{ type: 'function_call_output', call_id: callId, output }, { role: 'user', content: 'Thanks!' }];
  has(req.body, { previous_response_id: first.id, input });
  assert.match(await lastAnswer(page), /get_weather returned "Oslo: /);
});

pageTest('structured output: the trip_plan object builds up from stream.partialParsed, then output_parsed is validated', {}, async (page, t) => {
  if (!(await page.evaluate(() => window.cometDemo.features.structured))) {
    assert.equal(await page.isVisible('#structured-row'), false);
    t.skip('this build of the library has no jsonSchemaFormat / partialParsed yet');
    return;
  }
  const mark = posts().length;
  // The card's fields, each time the transcript changes (no sampling rate assumed).
  await page.evaluate(() => {
    const states = [];
    const read = () => {
      const card = [...document.querySelectorAll('#transcript .structured')].pop();
      if (!card) return null;
      const dd = (el) => el.querySelector('dd');
      const field = (el) => [el.dataset.key, dd(el).className, dd(el).textContent];
      return JSON.stringify([card.dataset.state, ...[...card.querySelectorAll('.sf')].map(field)]);
    };
    new MutationObserver(() => {
      const s = read();
      if (s && s !== states[states.length - 1]) states.push(s);
    }).observe(document.getElementById('transcript'), { subtree: true, childList: true, characterData: true, attributes: true });
    window.__cardStates = states;
  });
  await page.click('.suggestion[data-structured]');
  assert.equal(await waitIdle(page), 'done');
  assert.equal(await page.isChecked('#structured'), true, 'the suggestion turned structured mode on');

  // On the wire: the schema as text.format (no validator), no tools, streamed.
  const [req] = posts().slice(mark);
  has(req.body, { stream: true, tools: undefined });
  const { format } = req.body.text;
  assert.deepEqual(Object.keys(format).sort(), ['description', 'name', 'schema', 'strict', 'type']);
  has(format, { type: 'json_schema', name: 'trip_plan', strict: true });
  assert.deepEqual(format.schema.required, ['city', 'days', 'season', 'highlights']);

  // While streaming: the object grew field by field; at the end: validated.
  const states = (await page.evaluate(() => window.__cardStates)).map((x) => JSON.parse(x));
  const filled = (st) => st.slice(1).filter(([, cls]) => cls === 'sf-value').length;
  const building = states.filter((st) => st[0] === 'building');
  assert.ok(building.length >= 3, `partial states seen: ${building.length}`);
  assert.ok(new Set(building.map(filled)).size >= 3, 'fields filled one after another');
  for (let i = 1; i < building.length; i++) assert.ok(filled(building[i]) >= filled(building[i - 1]), 'never loses a field');
  const cut = (f) => Array.isArray(f) && f[0] === 'city' && f[1] === 'sf-value' && f[2].length < 'Lisbon'.length;
  const partial = building.some((st) => st.some(cut)) || building.some((st) => filled(st) > 0 && filled(st) < 4);
  assert.ok(partial, 'a partial object was shown');
  const card = '#transcript .structured';
  const field = (k) => `text ${card} .sf[data-key="${k}"] dd`;
  const status = `text ${card} .structured-status`;
  await expectPage(page, { [`@data-state ${card}`]: 'valid', [status]: /output_parsed · validated/ });
  await expectPage(page, { [field('city')]: 'Lisbon', [field('days')]: '4', [field('season')]: 'spring' });
  assert.ok((await page.locator(`${card} .sf[data-key="highlights"] dd .sf-chip`).count()) >= 1);
  // The raw JSON text is there too, and is what was parsed.
  has(JSON.parse(await lastAnswer(page)), { city: 'Lisbon', days: 4 });

  // Not streamed: client.parse(), the validated object at once.
  await page.uncheck('#streaming');
  await ask(page, 'Plan a 3 day trip to Kyoto in autumn.');
  assert.equal(posts().at(-1).body.stream, undefined);
  const second = page.locator(card).nth(1);
  assert.equal(await second.getAttribute('data-state'), 'valid');
  assert.equal(await second.locator('.sf[data-key="city"] dd').textContent(), 'Kyoto');
  assert.equal(await page.locator('#transcript .msg.assistant .chip-how').nth(1).textContent(), 'parse');
});

// With retries off (maxRetries 0): one attempt per message, each the mock's "attempt 1"; with two retries, 3.
pageTest('an HTTP error is shown inline (ApiError, status, code); the mock counts the attempts of each request', { query: faultQuery('status=500'), expected: [/status of 500/] }, async (page) => {
  const mark = posts().length;
  await clientOption(page, '#max-retries', '0');
  for (let i = 0; i < 3; i++) {
    await ask(page, 'Hello?', 'error');
    const box = page.locator('#transcript .notice-error').last();
    assert.equal(await box.getAttribute('data-error'), 'ApiError');
    const text = await box.textContent();
    for (const re of [/status\s*500/, /code\s*server_error/, /request\s*req_/, /Mock fault: HTTP 500/]) assert.match(text, re);
    assert.match(text, /on attempt 1 /, `message ${i + 1}: ${text}`);
    assert.equal(posts().length - mark, i + 1, 'maxRetries 0: one attempt');
    assert.equal(posts().at(-1).headers['x-mock-fault'], 'status=500');
  }
  const mark2 = posts().length;
  await page.fill('#max-retries', '2');
  await sendPrompt(page, 'Hello?');
  assert.equal(await waitIdle(page, 30000), 'error');
  assert.match(await page.locator('#transcript .notice-error').last().textContent(), /on attempt 3 /);
  const sent = posts().slice(mark2);
  assert.equal(sent.length, 3);
  assert.equal(new Set(sent.map((r) => r.headers['x-mock-fault-key'])).size, 1, 'the retries of one request share its key');
});

test('in-stream errors, dropped connections and timeouts are shown inline', async () => {
  // error event after response.in_progress → ApiError without HTTP status.
  await withPage(suite.env, { query: '?fault=error-event' }, async (page) => {
    await ask(page, 'Hello?', 'error');
    await expectPage(page, { error: 'ApiError', 'text #transcript .notice-error': /code\s*server_error/ });
    assert.doesNotMatch(await page.textContent('#transcript .notice-error'), /status/);
  });
  const failsWith = async (query, expected, names, partial) =>
    withPage(suite.env, { query, expected }, async (page) => {
      if (query.includes('stall-headers')) await clientOption(page, '#timeout', '1');
      await ask(page, 'Hello?', 'error');
      const name = await page.getAttribute('#transcript .notice-error', 'data-error');
      assert.ok(names.includes(name), name);
      if (partial) assert.match(await lastAnswer(page), /^You said/, 'the partial answer stays');
    });
  // response.failed halfway: the partial text stays above the error.
  await failsWith('?fault=failed', [], ['ApiError'], true);
  // The connection drops mid-stream (after 12 events).
  await failsWith(faultQuery('disconnect-after=12'), [/ERR_|network/i], ['StreamError', 'ConnectionError'], true);
  // The connection is reset before any answer: ConnectionError (after 0 retries).
  await failsWith('?fault=disconnect&retries=0', [/ERR_|network/i], ['ConnectionError']);
  // The server stalls longer than the client's timeout.
  await failsWith(`${faultQuery('stall-headers=3000')}&retries=0`, [], ['TimeoutError']);
});

pageTest('auto-resume: a background stream cut mid-way is resumed by the library; the page shows where, the answer is whole, once', { expected: [/ERR_INCOMPLETE_CHUNKED_ENCODING|ERR_/] }, async (page) => {
  const mark = suite.env.server.requests.length;
  await page.click('#developer > summary');
  await page.selectOption('#fault', { label: 'drop a background stream mid-way (auto-resume)' });
  const fault = await page.inputValue('#fault');
  assert.match(fault, /^disconnect-after=\d+$/);
  assert.equal(await page.isChecked('#background'), true, 'the preset turns background on');
  const prompt = 'Tell me about resuming streams';
  const seen = await streamedTexts(page, () => sendPrompt(page, prompt));
  assert.equal(await waitIdle(page), 'done');

  // What went over the wire: one background stream, then the library's own resumes.
  const isResponses = (r) => r.path.startsWith('/v1/responses') && !r.path.endsWith('/input_tokens');
  const sent = suite.env.server.requests.slice(mark).filter(isResponses);
  assert.equal(sent[0].method, 'POST');
  has(sent[0].body, { background: true, stream: true });
  assert.equal(sent[0].headers['x-mock-fault'], fault);
  const resumes = sent.slice(1);
  assert.ok(resumes.length >= 1, 'at least one resume');
  const [{ id }] = await assistants(page);
  const after = resumes.map((r) => {
    has(r, { method: 'GET', path: `/v1/responses/${id}` });
    assert.equal(r.query.stream, 'true');
    return Number(r.query.starting_after);
  });

  // The answer: whole, never repeated, and it only grew while streaming (no replayed delta).
  const answer = await lastAnswer(page);
  assert.match(answer, new RegExp(`^You said: "${prompt}"\\. This is a mock response .* This is turn 1 of the conversation\\.$`));
  assert.equal(answer.split('You said').length, 2, 'said once');
  const grown = seen.filter(Boolean);
  for (let i = 1; i < grown.length; i++) assert.ok(grown[i].startsWith(grown[i - 1]), `only grows: ${JSON.stringify(grown[i - 1])} → ${JSON.stringify(grown[i])}`);
  assert.equal(grown.at(-1), answer);

  // The inspector: every sequence number once, in order, and a resume row in each gap.
  const rows = await page.$$eval('#events li', (els) => els.map((el) => ({
    resume: el.classList.contains('ev-note-resume'), seq: el.querySelector('.ev-seq')?.textContent ?? null, text: el.textContent,
  })));
  const seqs = rows.filter((r) => r.seq).map((r) => Number(r.seq.slice(1)));
  assert.deepEqual(seqs, seqs.map((_, i) => i), 'each event once, in order');
  const gaps = rows.map((r, i) => [r, i]).filter(([r]) => r.resume);
  assert.equal(gaps.length, after.length);
  gaps.forEach(([r, i], k) => {
    assert.match(r.text, new RegExp(`resumed after event #${after[k]}: .*starting_after=${after[k]}$`));
    assert.equal(rows[i - 1].seq, `#${after[k]}`, 'the row before: the last event before the drop');
    assert.equal(rows[i + 1].seq, `#${after[k] + 1}`, 'the row after: the first event of the resumed stream');
  });

  // The answer says so.
  const note = '#transcript .notice-info';
  const said = new RegExp(`The stream was resumed .*\\(after event ${after.map((n) => `#${n}`).join(', ')}\\).*arrived once, in order`);
  await expectPage(page, { [`@data-resumes ${note}`]: String(after.length), [`@data-exact ${note}`]: 'true' });
  await expectPage(page, { [`text ${note}`]: said });
  assert.equal(await page.$$eval('#transcript .notice-error', (els) => els.length), 0);
});

pageTest('the next message\'s input tokens are counted while typing (debounced), match the usage, and fail quietly', { expected: [/status of 500/] }, async (page) => {
  const isCount = (r) => r.method === 'POST' && r.path === '/v1/responses/input_tokens';
  const counts = () => suite.env.server.requests.filter(isCount);
  const badge = page.locator('#token-count');
  assert.equal(await badge.isVisible(), false, 'nothing to count yet');

  const typeAndCount = async (text) => {
    const mark = counts().length;
    await page.type('#prompt', text, { delay: 10 });
    await page.waitForSelector('#token-count[data-state="ok"]', { timeout: 30000 });
    const made = counts().slice(mark);
    assert.ok(made.length >= 1 && made.length <= text.length / 2, `debounced: ${made.length} counts for ${text.length} keystrokes`);
    assert.equal(made.at(-1).body.input, text);
    return { n: Number(await badge.getAttribute('data-tokens')), body: made.at(-1).body };
  };

  // Turn 1: the count, then the same number in the answer's usage.
  const first = await typeAndCount('How many tokens will this message take?');
  assert.match(await badge.textContent(), new RegExp(`^${first.n} input tokens$`));
  assert.equal(first.body.model, 'mock');
  assert.deepEqual(first.body.tools.map((t) => t.name), ['get_weather']);
  for (const k of ['stream', 'background', 'temperature', 'previous_response_id']) assert.equal(first.body[k], undefined, k);
  await page.press('#prompt', 'Enter');
  assert.equal(await badge.isVisible(), false, 'the box is empty again');
  assert.equal(await waitIdle(page), 'done');
  const usage = (i) => page.locator('#transcript .msg.assistant .m-usage b').nth(i).textContent();
  assert.equal(await usage(0), String(first.n), 'the count is the usage of the request');

  // Turn 2 continues turn 1: counted with previous_response_id, still the usage.
  const [turn1] = await assistants(page);
  const second = await typeAndCount('And this one?');
  assert.equal(second.body.previous_response_id, turn1.id);
  await page.press('#prompt', 'Enter');
  assert.equal(await waitIdle(page), 'done');
  assert.equal(await usage(2), String(second.n));

  // A failing count: a dash, the error in the tooltip, nothing in the transcript.
  const error = { message: 'counting is down', type: 'server_error', param: null, code: 'server_error' };
  await page.route('**/v1/responses/input_tokens', (route) =>
    route.fulfill({ status: 500, contentType: 'application/json', body: JSON.stringify({ error }) }));
  await page.type('#prompt', 'Count me?', { delay: 10 });
  await page.waitForSelector('#token-count[data-state="error"]', { timeout: 30000 });
  await expectPage(page, { 'text #token-count': /^– tokens$/, errors: 0 });
  await expectPage(page, { '@title #token-count': /ApiError: .*counting is down/ });
  await page.fill('#prompt', '');
  await page.dispatchEvent('#prompt', 'input');
  assert.equal(await badge.isVisible(), false);
});

pageTest('an invalid setting shows the library\'s ValidationError and sends nothing', {}, async (page) => {
  const mark = posts().length;
  await page.fill('#temperature', '3');
  await ask(page, 'Hello with a hot temperature', 'error');
  const box = '#transcript .notice-error';
  const text = await page.textContent(box);
  for (const re of [/ValidationError/, /param\s*temperature/, /Nothing was sent/]) assert.match(text, re);
  await expectPage(page, { error: 'ValidationError', [`text ${box} .error-message`]: /temperature/i });
  assert.equal(await page.getAttribute('#temperature', 'aria-invalid'), 'true');
  await page.locator(`${box} .error-fix button`).click();
  // "Show the setting" focuses the field; the prompt is given back; no request was sent
  await expectPage(page, { focus: 'temperature', 'text #transcript .msg.user .msg-tag': 'Not sent', eventCount: '0' });
  assert.equal(await page.inputValue('#prompt'), 'Hello with a hot temperature');
  assert.equal(posts().length, mark, 'no request was sent');

  // Fixed: the same prompt goes out with the valid temperature.
  await page.fill('#temperature', '0.2');
  assert.equal(await page.getAttribute('#temperature', 'aria-invalid'), null);
  await page.press('#prompt', 'Enter');
  assert.equal(await waitIdle(page), 'done');
  assert.equal(posts().at(-1).body.temperature, 0.2);
});

pageTest('an invalid Max retries or Timeout is refused before anything is sent, with the field to fix', {}, async (page) => {
  const mark = posts().length;
  const refused = async (field, text, n) => {
    await ask(page, text, 'error');
    // the typed text is given back, the message marked; "Show the setting" focuses the field
    await expectPage(page, { prompt: text, 'count #transcript .msg.user.unsent': n, 'count #transcript .error-fix button': n });
    await page.locator('#transcript .error-fix button').last().click();
    await expectPage(page, { focus: field });
    assert.match(await page.locator('#transcript .notice-error').last().textContent(), /^TypeError.*Nothing was sent/);
  };
  await clientOption(page, '#max-retries', '-1');
  await refused('max-retries', 'Hello with -1 retries', 1);
  await page.fill('#max-retries', '2');
  await page.fill('#timeout', '-5');
  await refused('timeout', 'Hello with a -5 s timeout', 2);
  assert.equal(posts().length, mark, 'no request was sent');
});

pageTest('direct mode refuses a base URL that is not absolute http(s): nothing is requested, the key goes nowhere', {}, async (page) => {
  const requests = [];
  page.on('request', (req) => requests.push(req.url()));
  // protocol-relative: the library would resolve it against this page, to the dev server
  await direct(page, `//${new URL(suite.env.server.url).host}`);
  await ask(page, 'Hello, who gets my key?', 'error');
  await page.waitForTimeout(600); // past the token counter's debounce: it is refused too
  assert.deepEqual(requests, []);
  await expectPage(page, { error: 'ValidationError', 'text #transcript .notice-error .error-message': /absolute http:\/\/ or https:\/\/ base URL/ });
  await page.click('#transcript .notice-error .error-fix button');
  await expectPage(page, { focus: 'base-url', 'text #transcript .msg.user .msg-tag': 'Not sent', prompt: 'Hello, who gets my key?' });
});

pageTest('the auto-resume fault preset turns background on only while it is chosen', {}, async (page) => {
  const resume = { label: 'drop a background stream mid-way (auto-resume)' };
  await page.click('#developer > summary');
  await page.selectOption('#fault', resume);
  assert.equal(await page.isChecked('#background'), true);
  await page.selectOption('#fault', 'disconnect-after=12');
  assert.equal(await page.isChecked('#background'), false, 'the next preset shows its own error, no resume');
  await page.selectOption('#fault', '');
  await ask(page, 'Hello without faults');
  assert.equal(posts().at(-1).body.background, undefined);
  // on before the preset (the user's choice): on after it
  await page.check('#background');
  await page.selectOption('#fault', resume);
  await page.selectOption('#fault', '');
  assert.equal(await page.isChecked('#background'), true);
});

pageTest('non-streaming mode uses create() and renders the whole answer', {}, async (page) => {
  await page.uncheck('#streaming');
  await page.uncheck('#tools'); // a tool run (runTools) streams each step: create() is for answers without tools
  await page.selectOption('#reasoning', 'low');
  await page.fill('#instructions', 'Be brief.');
  await ask(page, 'One shot, please.');
  const body = posts().at(-1).body;
  assert.ok(!body.stream, 'no stream flag');
  has(body, { reasoning: { effort: 'low', summary: 'auto' }, instructions: 'Be brief.' });
  await expectPage(page, { answer: /You said: "One shot, please\."/ });
  assert.match(await page.textContent('#transcript .part-reasoning'), /Reading the request/);
  assert.match(await page.textContent('#transcript .msg.assistant .meta'), /total .* in · \d+ out/);
});

/** Where each word of the last answer sits: words drawn on more than one line (wrapped mid-word). */
const brokenWords = (page) => page.evaluate(() => {
  const all = document.querySelectorAll('#transcript .msg.assistant');
  const broken = [];
  for (const el of all[all.length - 1].querySelectorAll('.part-message .text')) {
    el.normalize(); // the deltas' text nodes as one
    const node = el.firstChild;
    if (!node) continue;
    const range = document.createRange();
    for (const m of node.data.matchAll(/\S+/g)) {
      range.setStart(node, m.index);
      range.setEnd(node, m.index + m[0].length);
      const lines = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)));
      if (lines.size > 1) broken.push(m[0]);
    }
  }
  return broken;
});

/** Boxes (viewport px) of the page's main parts, and the transcript's scroll state. */
const layout = (page) => page.evaluate(() => {
  const box = (el) => { const r = el.getBoundingClientRect(); return { top: r.top, bottom: r.bottom }; };
  const t = document.getElementById('transcript');
  return {
    viewport: innerHeight,
    docHeight: document.documentElement.scrollHeight,
    transcript: box(t),
    composer: box(document.getElementById('composer')),
    lastMeta: box([...t.querySelectorAll('.msg.assistant .meta')].pop()),
    overflows: t.scrollHeight > t.clientHeight,
    fromEnd: t.scrollHeight - t.scrollTop - t.clientHeight,
  };
});

const inViewport = (page, selector) => page.$eval(selector, (el) => {
  const r = el.getBoundingClientRect();
  return r.height > 0 && r.top >= 0 && r.bottom <= innerHeight && r.left >= 0 && r.right <= innerWidth;
});

pageTest('phone width (390×844): the last answer\'s footer stays above the composer, the answer after a tool reads as text, Settings and Events open from the top bar', { viewport: { width: 390, height: 844 } }, async (page) => {
  // The side column is a closed sheet; the top bar has its toggles.
  await expectPage(page, { 'visible #show-settings': true, 'visible #show-events': true });
  assert.equal(await page.isVisible('#settings-panel'), false, 'the sheet is closed');

  await ask(page, 'Hello! What can you do?');
  await ask(page, "What's the weather in Lisbon?");

  // One screen: the transcript scrolls, the page does not; the newest footer is in view.
  const l = await layout(page);
  assert.ok(l.overflows, 'the conversation is longer than the transcript (so following matters)');
  assert.ok(l.docHeight <= l.viewport, `the page itself does not scroll: ${l.docHeight} > ${l.viewport}`);
  assert.ok(l.composer.bottom <= l.viewport + 0.5, `the composer is on screen: ${JSON.stringify(l)}`);
  assert.ok(l.lastMeta.bottom <= l.transcript.bottom + 0.5 && l.lastMeta.bottom <= l.composer.top + 0.5,
    `the last footer is not under the composer: ${JSON.stringify(l)}`);
  assert.ok(l.fromEnd < 2, `scrolled to the end: ${l.fromEnd} px short`);

  // The follow-up quotes the tool's output as text: no JSON, no word broken across lines.
  const answer = await lastAnswer(page);
  assert.match(answer, /get_weather returned "Lisbon: /);
  noJson(answer);
  assert.deepEqual(await brokenWords(page), [], 'words wrapped mid-word');

  // Settings: one tap, in view, without scrolling the transcript; Escape goes back.
  await page.click('#show-settings');
  assert.equal(await page.getAttribute('#show-settings', 'aria-expanded'), 'true');
  await page.waitForFunction(() => {
    const r = document.getElementById('settings-panel').getBoundingClientRect();
    return r.left >= 0 && r.right <= innerWidth; // the sheet has slid in
  });
  assert.equal(await inViewport(page, '#settings-panel > summary'), true);
  assert.equal(await inViewport(page, '#model'), true);
  await page.press('body', 'Escape');
  await sheetClosed(page);
  // focus returns to the toggle
  await expectPage(page, { focus: 'show-settings', 'visible #settings-panel': false });

  // Events: the inspector, its rows in view; the count is on the toggle too.
  await page.click('#show-events');
  await page.waitForFunction(() => document.getElementById('events').getBoundingClientRect().right <= innerWidth);
  assert.equal(await inViewport(page, '#inspector > summary'), true);
  const rows = await page.$$eval('#events .ev', (els) => els.length);
  assert.ok(rows > 10);
  assert.equal(await page.textContent('#event-count-top'), String(rows));
  await page.mouse.click(8, 420); // the scrim, left of the sheet
  await sheetClosed(page);
  assert.equal(await page.isVisible('#scrim'), false);
  await screenshot(page, 'demo-phone-390.png');
});

pageTest('phone width (360): no horizontal scroll, with a long word and every panel open', { viewport: { width: 360, height: 740 }, colorScheme: 'dark' }, async (page) => {
  const noHScroll = () => page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth);
  assert.equal(await noHScroll(), true, 'empty page');
  await ask(page, `Weather in ${'Llanfairpwllgwyngyllgogerychwyrndrobwllllantysiliogogogoch'.repeat(2)}?`);
  assert.equal(await noHScroll(), true, 'after a tool call and a long word');
  await page.click('#show-settings');
  await page.click('#client-options > summary');
  await page.check('#direct');
  await page.click('#developer > summary');
  assert.equal(await noHScroll(), true, 'with every panel open');
  assert.equal(await page.isVisible('#direct-fields .warning'), true);
  await screenshot(page, 'demo-phone.png');
  await page.click('#close-side');
  await sheetClosed(page);
});

pageTest('direct mode keeps the key in memory and sends it only to the chosen base URL', {}, async (page) => {
  assert.match(await page.textContent('#model-hint'), /the mock answers to any name/);
  await direct(page, suite.env.server.url);
  // Direct mode: the hint is about the real API
  await expectPage(page, { 'visible #direct-fields .warning': true, 'value #model': 'gpt-5.4' });
  assert.doesNotMatch(await page.textContent('#model-hint'), /mock/, 'Direct mode: the hint is about the real API');
  await page.fill('#model', 'mock');
  await ask(page, 'Direct hello');
  const req = posts().at(-1);
  assert.equal(req.headers.authorization, 'REDACTED', 'the key went out as a bearer token');
  assert.equal(req.headers['x-mock-fault'], undefined);
  const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) + document.cookie);
  assert.ok(!stored.includes('sk-demo'), 'the key is not stored');
});

test('direct mode against a server that sends no CORS headers: a ConnectionError with a hint about CORS', async (t) => {
  // Another origin (port) that answers everything, preflight included, without CORS headers.
  const seen = [];
  const bare = await listen((req, res) => {
    seen.push(req.method);
    req.resume();
    res.writeHead(req.method === 'OPTIONS' ? 204 : 200, { 'content-type': 'application/json' });
    res.end(req.method === 'OPTIONS' ? '' : '{}');
  });
  t.after(() => bare.close());
  const base = bare.url;
  const page = await openDemo(suite.env, { expected: [/CORS policy/, /ERR_/, /Failed to load resource/] });
  t.after(() => page.context().close());
  await direct(page, base);
  await page.fill('#max-retries', '0');
  await ask(page, 'Hello over there', 'error');
  assert.ok(seen.length >= 1, 'the browser did reach the server (the refusal is the browser\'s)');
  // a hint about CORS; the cause is not repeated when the message has it
  const hint = '#transcript .notice-error [data-hint="cors"]';
  await expectPage(page, { error: 'ConnectionError', [`count ${hint}`]: 1 });
  assert.equal(await page.locator('#transcript .notice-error .error-cause').count(), 0);
  const text = await page.textContent(hint);
  assert.match(text, /CORS/);
  assert.ok(text.includes(base), `names the origin called: ${text}`);
  assert.ok(text.includes(suite.env.server.url), `names this page's origin: ${text}`);
  assert.deepEqual(page.problems, []);
  const onPage = await page.evaluate(() => document.body.textContent);
  assert.ok(!onPage.includes('sk-demo'), 'the key is nowhere on the page');

  // The same error from the dev server's own /v1 (not Direct mode) gets no CORS hint.
  await page.uncheck('#direct');
  await page.click('#developer > summary');
  await page.selectOption('#fault', 'disconnect');
  await ask(page, 'Hello here', 'error');
  const last = page.locator('#transcript .notice-error').last();
  assert.equal(await last.getAttribute('data-error'), 'ConnectionError');
  assert.equal(await last.locator('[data-hint]').count(), 0);
});

test('a package that fails to load gives a clear message, not a blank page', async (t) => {
  const context = await suite.env.browser.newContext();
  t.after(() => context.close());
  const page = await context.newPage();
  await page.route('**/pkg/browser.js', (route) => route.fulfill({ status: 404, body: 'not found' }));
  await page.goto(`${suite.env.server.url}/`);
  await page.waitForSelector('#fatal:not([hidden])');
  assert.match(await page.textContent('#fatal'), /could not be loaded.*make build/s);
  assert.equal(await page.isDisabled('#send'), true);
  assert.equal(await page.isVisible('#welcome'), true);
});

pageTest('screenshot: a streamed answer with a tool call, structured output (when the library has it), the next message counted', { viewport: { width: 1280, height: 860 } }, async (page) => {
  const { structured } = await page.evaluate(() => window.cometDemo.features);
  await page.selectOption('#reasoning', 'low');
  await ask(page, "What's the weather in Lisbon right now?");
  if (structured) {
    await page.check('#structured');
    await ask(page, 'Plan a 4 day trip to Lisbon in spring.');
    assert.equal(await page.getAttribute('#transcript .structured', 'data-state'), 'valid');
  }
  await page.type('#prompt', 'And what should I pack?');
  await page.waitForSelector('#token-count[data-state="ok"]', { timeout: 30000 });
  await page.locator('#prompt').blur();
  await screenshot(page, 'demo.png', { docs: true });
});
