// The server-rendering apps of next.test.mjs (Next.js App Router, plain JS) and sveltekit.test.mjs:
// their files, and the checks of what they answer. Every page and route takes the API's base URL as `?api=`.
import assert from 'node:assert/strict';
import { checkStreamed } from './lib.mjs';

/** Streams `input` on the server into `report` (JSON text of { text, deltas, final, status }). */
const serverReport = (baseURL, input) => `
  const client = new ResponsesClient({ apiKey: 'sk-test-secret', baseURL: ${baseURL} });
  const stream = client.stream({ model: 'gpt-5.4', input: '${input}' });
  let text = '';
  let deltas = 0;
  for await (const event of stream) {
    if (event.type === 'response.output_text.delta') {
      text += event.delta;
      deltas++;
    }
  }
  const final = await stream.finalResponse();
  const report = JSON.stringify({ text, deltas, final: final.output_text, status: final.status });`;

/** A GET handler streaming the response's text deltas as they arrive, then one line with what finalResponse() said. */
const streamRoute = (args, baseURL, input, { head = '', more = '' } = {}) => `import { ResponsesClient } from 'cometapi-responses';
${head}
export async function GET(${args}) {
  const client = new ResponsesClient({ apiKey: 'sk-test-secret', baseURL: ${baseURL} });
  const stream = client.stream({ model: 'gpt-5.4', input: '${input}' });
  const encoder = new TextEncoder();
  const body = new ReadableStream({
    async start(controller) {
      try {
        for await (const event of stream) {
          if (event.type === 'response.output_text.delta') controller.enqueue(encoder.encode(event.delta));
        }
        const final = await stream.finalResponse();${more}
        controller.enqueue(encoder.encode('\\n--\\n' + JSON.stringify({ final: final.output_text, status: final.status${more && ', runtime'} })));
        controller.close();
      } catch (e) {
        controller.error(e);
      }
    },
  });
  return new Response(body, { headers: { 'content-type': 'text/plain; charset=utf-8' } });
}
`;

const ROUTE = streamRoute('request', "new URL(request.url).searchParams.get('api')", 'Hello from a Next.js route', {
  head: "\nexport const dynamic = 'force-dynamic';\n",
  more: "\n        const runtime = typeof EdgeRuntime === 'string' ? EdgeRuntime : 'nodejs';",
});

export const NEXT_APP = {
  // the app lives under the repository's build/: its root is its own folder, not the repository's;
  // next.config sets nothing for the package, only the build folder (a webpack and a Turbopack build side by side)
  'next.config.mjs':
    'const root = new URL(".", import.meta.url).pathname;\n' +
    'export default { distDir: process.env.NEXT_DIST_DIR || ".next", outputFileTracingRoot: root, turbopack: { root } };\n',
  'app/layout.js': 'export default function RootLayout({ children }) {\n  return (<html lang="en"><body>{children}</body></html>);\n}\n',
  'app/api/node/route.js': ROUTE,
  'app/api/edge/route.js': "export const runtime = 'edge';\n" + ROUTE,
  // a Server Component: streams on the server, renders what it got
  'app/server/page.js': `import { ResponsesClient } from 'cometapi-responses';

export const dynamic = 'force-dynamic';

export default async function Page({ searchParams }) {
  const { api } = await searchParams;${serverReport('api', 'Hello from a Server Component')}
  return <pre id="report">{report}</pre>;
}
`,
  'app/client/page.js': "import Chat from './chat';\n\nexport default function Page() {\n  return <Chat />;\n}\n",
  // a client component: rendered on the server first (SSR, the node entry: SseParser parses a
  // frame synchronously during render), then in the browser it streams from the API itself
  'app/client/chat.js': `'use client';
import { useEffect, useState } from 'react';
import { ResponsesClient, SseParser } from 'cometapi-responses';

function parsedOnRender() {
  const parser = new SseParser();
  const events = parser.feed(new TextEncoder().encode('event: greeting\\ndata: parsed by the wasm\\n\\n'));
  parser.finish();
  return events.map((e) => e.event + ': ' + e.data).join(', ');
}

export default function Chat() {
  const [text, setText] = useState('');
  const [status, setStatus] = useState('loading');
  useEffect(() => {
    const controller = new AbortController();
    (async () => {
      try {
        const baseURL = new URLSearchParams(location.search).get('api');
        const client = new ResponsesClient({ baseURL });
        const stream = client.stream({ model: 'gpt-5.4', input: 'Hello from a client component' }, { signal: controller.signal });
        let updates = 0;
        let shown = '';
        for await (const event of stream) {
          if (event.type === 'response.output_text.delta') {
            shown += event.delta;
            updates++;
            setText(shown);
          }
        }
        const final = await stream.finalResponse();
        window.__result = { text: shown, updates, final: final.output_text, status: final.status };
        setStatus('done');
      } catch (e) {
        if (!controller.signal.aborted) setStatus('error: ' + (e && e.message));
      }
    })();
    return () => controller.abort();
  }, []);
  return (
    <main>
      <p id="ssr">{parsedOnRender()}</p>
      <pre id="out">{text}</pre>
      <p id="status">{status}</p>
    </main>
  );
}
`,
};

export const SVELTEKIT_APP = {
  // SvelteKit 3 takes its configuration in the Vite plugin (no svelte.config.js)
  'vite.config.js':
    "import adapter from '@sveltejs/adapter-node';\nimport { sveltekit } from '@sveltejs/kit/vite';\n" +
    'export default { plugins: [sveltekit({ adapter: adapter() })] };\n',
  'src/app.html': '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">%sveltekit.head%</head>\n<body><div>%sveltekit.body%</div></body></html>\n',
  'src/routes/api/stream/+server.js': streamRoute('{ url }', "url.searchParams.get('api')", 'Hello from SvelteKit'),
  'src/routes/chat/+page.server.js': `import { ResponsesClient } from 'cometapi-responses';

export async function load({ url }) {${serverReport("url.searchParams.get('api')", 'Hello from a SvelteKit load')}
  return { report };
}
`,
  'src/routes/chat/+page.svelte': '<script>\n  let { data } = $props();\n</script>\n\n<pre id="report">{data.report}</pre>\n',
};

/** GETs `url` of the app: 200 (else the start of the body and the server's output), its body. */
export async function getOk(url, output) {
  const res = await fetch(url, { signal: AbortSignal.timeout(120_000) });
  const body = await res.text().catch((e) => `(body failed: ${e.message})`);
  assert.equal(res.status, 200, `${url}: ${body.slice(0, 2000)}\n${output()}`);
  return body;
}

/** GETs a streaming route: the deltas, then the final report line; returns that report. */
export async function checkRoute(url, output) {
  const body = await getOk(url, output);
  const [text, report] = body.split('\n--\n');
  assert.ok(report, `${url} ended with the final report: ${body}\n${output()}`);
  const parsed = JSON.parse(report);
  assert.equal(parsed.status, 'completed');
  assert.ok(text.length > 0);
  assert.equal(text, parsed.final, `${url}: the streamed deltas make up finalResponse().output_text`);
  return parsed;
}

/** GETs a page that streamed on the server and rendered the report: several deltas, the whole text. */
export async function checkRendered(url, output) {
  const html = await getOk(url, output);
  const raw = html.match(/<pre id="report">([^<]*)<\/pre>/)?.[1];
  assert.ok(raw, `the page rendered the report: ${html.slice(0, 2000)}`);
  const entities = { '&quot;': '"', '&#x27;': "'", '&#39;': "'", '&lt;': '<', '&gt;': '>', '&amp;': '&' };
  const report = JSON.parse(raw.replace(/&(quot|#x27|#39|lt|gt|amp);/g, (m) => entities[m]));
  checkStreamed(report, `${url}:`);
}
