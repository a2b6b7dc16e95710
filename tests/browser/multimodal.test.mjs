// Images, files and built-in tools in the demo page (Chromium): attachments reach the mock intact,
// web search citations, refining partial images, inputImage / inputFile on File and Blob.
//   UPDATE_SCREENSHOT=1 …   also refresh docs/multimodal.png

import assert from 'node:assert/strict';
import { demoSuite, ask, sendPrompt, waitIdle, lastAnswer, screenshot, expectPage } from './helpers.mjs';
import { png } from '../../mock/builtin.mjs';

const { pageTest, posts } = demoSuite({ delayMs: 5 });

const PNG = Buffer.from(png(2, 3, (x, y) => [200, x * 100, y * 80]));
const PDF = Buffer.from('%PDF-1.4\n% a small test document\n');

pageTest('attach a PNG (button) and a PDF (drop), web search and image generation on', { blobs: true }, async (page) => {
  await page.setInputFiles('#attach-input', { name: 'dot.png', mimeType: 'image/png', buffer: PNG });
  await page.evaluate((bytes) => {
    const dt = new DataTransfer();
    dt.items.add(new File([new Uint8Array(bytes)], 'doc.pdf', { type: 'application/pdf' }));
    document.getElementById('composer').dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, [...PDF]);
  // the PNG thumbnail in the composer
  await expectPage(page, { 'count #attachments img.thumb': 1, 'text #attachments': /doc\.pdf/ });

  await page.check('#tool-web-search');
  await page.check('#tool-image');
  const mark = posts().length;
  await sendPrompt(page, 'What are these two?');
  // The image appears, then refines: partial images before the final one.
  await page.waitForSelector('#transcript .part-image img.generated:not([hidden])', { timeout: 30000 });
  assert.equal(await waitIdle(page), 'done');

  // the composer is empty after sending
  const sentFiles = { 'count #transcript .msg.user img.thumb': 1, 'text #transcript .msg.user .thumbs': /doc\.pdf/ };
  await expectPage(page, { 'hidden #attachments': true, ...sentFiles });
  const answer = await lastAnswer(page);
  assert.ok(answer.includes(`image/png, ${PNG.length} bytes, 2×3`), answer);
  assert.ok(answer.includes(`doc.pdf (application/pdf, ${PDF.length} bytes)`), answer);

  const sent = posts().slice(mark)[0].body;
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
  const image = { '@data-partials #transcript .part-image': '2', '@data-final #transcript .part-image': 'true' };
  await expectPage(page, { 'text #transcript .part-tool': /Web search · completed/, ...image });
  await expectPage(page, { '@src #transcript .part-image img': /^data:image\/png;base64,/ });
  await screenshot(page, 'multimodal.png', { docs: true });
});

pageTest('code interpreter: the code and its logs', {}, async (page) => {
  await page.check('#tool-code');
  await ask(page, 'count these four words');
  const code = { 'text #transcript .part-code .code': /print\(len\(words\)/ };
  await expectPage(page, { ...code, 'text #transcript .part-code .logs': '4 words, 22 characters\n' });
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
  // `same`: the base64 decodes to the same bytes
  const file = { type: 'input_file', filename: 'file.txt', file_data: 'data:text/plain;base64,iVBO' };
  const refused = ['ValidationError', 'image'];
  assert.deepEqual(out, { hasBuffer: 'undefined', prefix: 'data:image/png;base64,', same: true, file, refused });
});
