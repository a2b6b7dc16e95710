// The files of the Next.js app of tests/runtimes/next.test.mjs (App Router, plain JS; next.config
// sets nothing for the package: only the build folder, so that one installed app holds a webpack
// and a Turbopack build side by side, and the app's root). Every page and route takes the API's base URL as `?api=`.
const ROUTE = `import { ResponsesClient } from 'cometapi-responses';

export const dynamic = 'force-dynamic';

// Streams the response's text deltas as they arrive, then one line with what finalResponse() said.
export async function GET(request) {
  const baseURL = new URL(request.url).searchParams.get('api');
  const client = new ResponsesClient({ apiKey: 'sk-test-secret', baseURL });
  const stream = client.stream({ model: 'gpt-5.4', input: 'Hello from a Next.js route' });
  const encoder = new TextEncoder();
  const body = new ReadableStream({
    async start(controller) {
      try {
        for await (const event of stream) {
          if (event.type === 'response.output_text.delta') controller.enqueue(encoder.encode(event.delta));
        }
        const final = await stream.finalResponse();
        const runtime = typeof EdgeRuntime === 'string' ? EdgeRuntime : 'nodejs';
        controller.enqueue(encoder.encode('\\n--\\n' + JSON.stringify({ final: final.output_text, status: final.status, runtime })));
        controller.close();
      } catch (e) {
        controller.error(e);
      }
    },
  });
  return new Response(body, { headers: { 'content-type': 'text/plain; charset=utf-8' } });
}
`;

export const NEXT_APP = {
  // the app lives under the repository's build/: its root is its own folder, not the repository's
  'next.config.mjs':
    'const root = new URL(".", import.meta.url).pathname;\n' +
    'export default { distDir: process.env.NEXT_DIST_DIR || ".next", outputFileTracingRoot: root, turbopack: { root } };\n',
  'app/layout.js':
    'export default function RootLayout({ children }) {\n  return (<html lang="en"><body>{children}</body></html>);\n}\n',
  'app/api/node/route.js': ROUTE,
  'app/api/edge/route.js': "export const runtime = 'edge';\n" + ROUTE,
  // a Server Component: streams on the server, renders what it got
  'app/server/page.js': `import { ResponsesClient } from 'cometapi-responses';

export const dynamic = 'force-dynamic';

export default async function Page({ searchParams }) {
  const { api } = await searchParams;
  const client = new ResponsesClient({ apiKey: 'sk-test-secret', baseURL: api });
  const stream = client.stream({ model: 'gpt-5.4', input: 'Hello from a Server Component' });
  let text = '';
  let deltas = 0;
  for await (const event of stream) {
    if (event.type === 'response.output_text.delta') {
      text += event.delta;
      deltas++;
    }
  }
  const final = await stream.finalResponse();
  return <pre id="report">{JSON.stringify({ text, deltas, final: final.output_text, status: final.status })}</pre>;
}
`,
  'app/client/page.js': `import Chat from './chat';

export default function Page() {
  return <Chat />;
}
`,
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
