// The demo page's WebSocket transport in Chromium (no key, dev server relays to the mock): one socket for
// every turn, the tool loop over it, and steering (socket.steer(); the successor comes via socket.on('response')).
//   UPDATE_SCREENSHOT=1 …   also refresh docs/websocket.png (always written to build/screenshots/)

import assert from 'node:assert/strict';
import { demoSuite, ask, sendPrompt, waitIdle, lastAnswer, assistants } from './helpers.mjs';
import { answerStarted, screenshot, expectPage, like } from './helpers.mjs';

const suite = demoSuite({ delayMs: 15 });
const { pageTest, posts } = suite;

/** A request the browser made (the mock's own, for its WebSocket protocol, carry no user-agent). */
const fromBrowser = (r) => typeof r.headers['user-agent'] === 'string';

pageTest('WebSocket transport: two chained turns and the tool loop over one socket, no POST', { query: '?transport=websocket' }, async (page, _t, sockets) => {
  await expectPage(page, { 'value #transport': 'websocket', 'text #backend': /WebSocket/ });
  const mark = posts().length;

  await ask(page, 'My name is Ada.');
  await ask(page, 'What did I just say?');
  const [first, second] = await assistants(page);
  assert.match(first.id, /^resp_/);
  assert.notEqual(first.id, second.id);
  assert.match(second.text, /turn 2/, 'the second turn chained to the first (previous_response_id)');
  assert.equal(await page.evaluate(() => window.cometDemo.previousResponseId), second.id);

  await ask(page, "What's the weather in Lisbon?");
  const card = page.locator('#transcript .tool-call[data-name="get_weather"]');
  assert.equal(await card.count(), 1);
  const output = await card.locator('.tool-output').textContent();
  assert.match(output, /^Lisbon: -?\d+ °[CF]/);
  const all = await assistants(page);
  assert.equal(all.length, 4);
  assert.deepEqual(all.slice(2).map((a) => a.how), ['runTools', 'runTools']);
  assert.ok((await lastAnswer(page)).includes(output), 'the follow-up quotes the tool output');
  assert.match(await page.textContent('#events'), /WebSocket response\.create · function_call_output/);

  // The mock logs the requests its WebSocket protocol runs (no browser headers on those):
  // none came from the page, and each turn sent only its new input plus previous_response_id.
  const logged = posts().slice(mark);
  assert.deepEqual(logged.filter(fromBrowser), [], 'nothing went over HTTP');
  const chained = [undefined, first.id, second.id, all[2].id];
  assert.deepEqual(logged.map((r) => r.body.previous_response_id), chained);
  assert.equal(logged[1].body.input, 'What did I just say?');
  assert.deepEqual(logged[3].body.input.map((i) => [i.type, i.output]), [['function_call_output', output]]);
  const ws = suite.env.server.url.replace(/^http/, 'ws');
  assert.deepEqual(sockets, [`${ws}/v1/responses`], 'one socket for every turn');
});

// 60 ms between events (the mock's fault, in metadata over the socket): time to steer mid-answer.
pageTest('WebSocket transport: Steer adds a message to the running answer; its successor streams in', { query: `?transport=websocket&fault=${encodeURIComponent('delay=60')}` }, async (page, _t, sockets) => {
  assert.equal(await page.isHidden('#steer'), true, 'no Steer button while idle');
  await sendPrompt(page, 'Tell me a long story about streams.');
  await answerStarted(page);
  assert.equal(await page.isVisible('#steer'), true, 'Steer is offered while the answer streams');
  await page.fill('#prompt', 'Also mention rivers.');
  await page.click('#steer');
  assert.equal(await page.inputValue('#prompt'), '', 'the steering message left the composer');
  assert.equal(await waitIdle(page), 'done');

  const [steered, successor] = await assistants(page);
  like(steered, { state: 'incomplete', text: /Steered.*continues below/ });
  // the successor continues with the steering input
  like(successor, { state: 'done', how: 'steered', text: /Also mention rivers/ });
  assert.notEqual(successor.id, steered.id);
  // the next message continues the successor
  const steer = '#transcript .msg.user.steer';
  await expectPage(page, { chain: successor.id, [`count ${steer}`]: 1 });
  await expectPage(page, { [`text ${steer} .bubble`]: 'Also mention rivers.', events: /response\.steer\.accepted/ });
  await expectPage(page, { [`text ${steer} .msg-tag`]: /Steered into the running answer/ });
  assert.equal(await page.isHidden('#steer'), true);
  assert.equal(sockets.length, 1);

  // With nothing running, Enter sends a new turn (chained to the successor), not a steer.
  await ask(page, 'Thanks!');
  assert.equal((await assistants(page)).length, 3);
  assert.equal(await page.$$eval('#transcript .msg.user.steer', (els) => els.length), 1);

  await page.evaluate(() => document.getElementById('transcript').scrollTo(0, 0));
  await screenshot(page, 'websocket.png', { docs: true });
});
