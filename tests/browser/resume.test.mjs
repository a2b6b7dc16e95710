// Background streams resume by themselves in Chromium too: the package as a page loads it
// (/pkg/browser.js, served by the mock), the mock cutting the body mid-way or ending it early.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { has } from '../js/client-helpers.mjs';
import { useChromium, useMock } from '../runtimes/lib.mjs';

const mock = useMock({ delayMs: 5 });
const chromium = useChromium();
let page;
before(async () => {
  page = await (await chromium.ready).newPage();
  // any document of the mock's origin: the page imports the package from /pkg
  await page.goto(`${mock.url}/pkg/package.json`);
});

/** Runs a background stream in the page with `fault` on its first request only (resumes go out clean
 *  when `cleanResumes`, else carry the fault too). */
function run(fault, cleanResumes) {
  return page.evaluate(
    async ([fault, cleanResumes]) => {
      const { ResponsesClient } = await import('/pkg/browser.js');
      const requests = [];
      const fetch = (url, init) => {
        requests.push(`${init.method} ${url}`);
        if (init.method === 'GET' && cleanResumes) {
          const headers = { ...init.headers };
          delete headers['x-mock-fault'];
          return globalThis.fetch(url, { ...init, headers });
        }
        return globalThis.fetch(url, init);
      };
      const client = new ResponsesClient({ baseURL: '/v1', maxRetries: 8, fetch });
      const stream = client.stream(
        { model: 'mock', input: 'A long background answer to resume in the browser, with many words.', background: true },
        { headers: { 'x-mock-fault': fault } },
      );
      const seqs = [];
      let text = '';
      try {
        for await (const e of stream) {
          seqs.push(e.sequence_number);
          if (e.type === 'response.output_text.delta') text += e.delta;
        }
        const final = await stream.finalResponse();
        const stored = await client.retrieve(final.id);
        return { seqs, text, final: final.output_text, stored: stored.output_text, status: final.status, requests };
      } catch (e) {
        return { error: `${e.name}: ${e.message}`, seqs, requests };
      }
    },
    [fault, cleanResumes],
  );
}

for (const [how, fault, clean] of [
  ['the connection drops mid-body (every resume is cut again)', 'disconnect-after=7', false],
  ['the body ends early, cleanly', 'no-terminal', true],
]) {
  test(`${how}: every event once, in order, the final Response complete`, async () => {
    const r = await run(fault, clean);
    assert.equal(r.error, undefined, `${r.error}\n${r.requests?.join('\n')}`);
    // consecutive sequence numbers, none twice; the final text is the streamed one, and the stored one
    has(r, { status: 'completed', seqs: r.seqs.map((_, i) => i), final: r.text, stored: r.text });
    assert.ok(r.requests.some((q) => /^GET .*\?stream=true&starting_after=\d+$/.test(q)), r.requests.join('\n'));
  });
}
