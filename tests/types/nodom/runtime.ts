// The package's types in a project without the DOM lib (tsconfig.nodom.json: ES2022 and the web
// globals Node and Bun declare, ./globals.d.ts; skipLibCheck off): pkg/index.d.ts names no DOM-only
// type, a custom fetch needs no member of the runtime's own `fetch`, and toResponse() takes what
// `new Headers()` takes.
import { ResponsesClient, type ResponseStream } from 'cometapi-responses';

export const custom = new ResponsesClient({ fetch: async (url, init) => new Response(`${url} ${init.method}`) });
export const wrapped = new ResponsesClient({ fetch: (url, init) => fetch(url, { ...init, keepalive: true }) });
export const runtime = new ResponsesClient({ fetch });
// @ts-expect-error a fetch resolves with a Response
export const wrong = new ResponsesClient({ fetch: async () => 'text' });

export async function route(stream: ResponseStream): Promise<Response> {
  await stream.toResponse({ headers: new Headers({ 'x-route': '1' }) });
  await stream.toResponse({ headers: [['x-route', '1']] });
  return stream.toResponse({ headers: { 'x-route': '1' } });
}
