// Images, files and built-in tools in the demo page (Chromium): attachments reach the mock intact,
// web search citations, refining partial images, inputImage / inputFile on File and Blob.
//   UPDATE_SCREENSHOT=1 …   also refresh docs/multimodal.png

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, withPage, ask, sendPrompt, waitIdle, lastAnswer, responsesRequests, screenshot } from './helpers.mjs';
import { png } from '../../mock/builtin.mjs';

let env;
before(async () => { env = await setup({ delayMs: 5 }); });
after(async () => { await env?.close(); });
/** A test on a fresh demo page (helpers.withPage). */
const pageTest = (name, opts, fn) => test(name, (t) => withPage(env, opts, (page, sockets) => fn(page, t, sockets)));

const PNG = Buffer.from(png(2, 3, (x, y) => [200, x * 100, y * 80]));
const PDF = Buffer.from('%PDF-1.4\n% a small test document\n');

pageTest('attach a PNG (button) and a PDF (drop), web search and image generation on', { blobs: true }, async (page) => {
  await page.setInputFiles('#attach-input', { name: 'dot.png', mimeType: 'image/png', buffer: PNG });
  await page.evaluate((bytes) => {
    const dt = new DataTransfer();
    dt.items.add(new File([new Uint8Array(bytes)], 'doc.pdf', { type: 'application/pdf' }));
    document.getElementById('composer').dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, [...PDF]);
  assert.equal(await page.locator('#attachments img.thumb').count(), 1, 'the PNG thumbnail in the composer');
  assert.match(await page.textContent('#attachments'), /doc\.pdf/);

  await page.check('#tool-web-search');
  await page.check('#tool-image');
  const mark = responsesRequests(env.server).length;
  await sendPrompt(page, 'What are these two?');
  // The image appears, then refines: partial images before the final one.
  await page.waitForSelector('#transcript .part-image img.generated:not([hidden])', { timeout: 30000 });
  assert.equal(await waitIdle(page), 'done');

  assert.equal(await page.isHidden('#attachments'), true, 'the composer is empty after sending');
  assert.equal(await page.locator('#transcript .msg.user img.thumb').count(), 1);
  assert.match(await page.textContent('#transcript .msg.user .thumbs'), /doc\.pdf/);
  const answer = await lastAnswer(page);
  assert.ok(answer.includes(`image/png, ${PNG.length} bytes, 2×3`), answer);
  assert.ok(answer.includes(`doc.pdf (application/pdf, ${PDF.length} bytes)`), answer);

  const sent = responsesRequests(env.server).slice(mark)[0].body;
  const parts = sent.input.at(-1).content;
  assert.deepEqual(parts.map((p) => p.type), ['input_text', 'input_image', 'input_file']);
  assert.equal(parts[1].image_url, `data:image/png;base64,${PNG.toString('base64')}`);
  assert.equal(parts[2].file_data, `data:application/pdf;base64,${PDF.toString('base64')}`);
  assert.deepEqual(sent.tools.map((t) => t.type).slice(-2), ['web_search_preview', 'image_generation']);

  const links = await page.$$eval('#transcript .citations a', (as) => as.map((a) => [a.getAttribute('href'), a.textContent, a.rel]));
  assert.equal(links.length, 2);
  for (const [href, , rel] of links) {
    assert.match(href, /^https:\/\/example\.(com|org)\//);
    assert.match(rel, /noopener/);
  }
  assert.match(await page.textContent('#transcript .part-tool'), /Web search · completed/);
  const image = await page.$eval('#transcript .part-image', (el) => ({ partials: el.dataset.partials, final: el.dataset.final, src: el.querySelector('img').src }));
  assert.deepEqual([image.partials, image.final], ['2', 'true']);
  assert.match(image.src, /^data:image\/png;base64,/);
  await screenshot(page, 'multimodal.png', { docs: true });
});

pageTest('code interpreter: the code and its logs', {}, async (page) => {
  await page.check('#tool-code');
  await ask(page, 'count these four words');
  assert.match(await page.textContent('#transcript .part-code .code'), /print\(len\(words\)/);
  assert.equal(await page.textContent('#transcript .part-code .logs'), '4 words, 22 characters\n');
});

pageTest('inputImage / inputFile in Chromium: a File and a Blob, exact base64 (the page has no Buffer)', {}, async (page) => {
  const out = await page.evaluate(async () => {
    const { inputImage, inputFile } = window.cometDemo.library;
    const bytes = Uint8Array.from({ length: 100003 }, (_, i) => (i * 7 + (i >> 9)) & 255);
    bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const img = await inputImage(new File([bytes], 'x.png'));
    const file = await inputFile(new Blob([bytes.subarray(0, 3)], { type: 'text/plain' }));
    const back = Uint8Array.from(atob(img.image_url.split(',')[1]), (c) => c.charCodeAt(0));
    let refused = null;
    try { await inputImage(new Blob(['not an image'])); } catch (e) { refused = [e.name, e.param]; }
    return {
      prefix: img.image_url.slice(0, 22), same: back.length === bytes.length && back.every((b, i) => b === bytes[i]),
      file, refused, hasBuffer: typeof globalThis.Buffer,
    };
  });
  assert.equal(out.hasBuffer, 'undefined');
  assert.equal(out.prefix, 'data:image/png;base64,');
  assert.ok(out.same, 'base64 decodes to the same bytes');
  assert.deepEqual(out.file, { type: 'input_file', filename: 'file.txt', file_data: 'data:text/plain;base64,iVBO' });
  assert.deepEqual(out.refused, ['ValidationError', 'image']);
});
