// The tool loop with many calls in one response: `node bench/tool-loop.mjs [n…]` (after make build).
// One response of n function calls ('{}' arguments, as one response.completed event), every call
// answered by a trivial execute, then a final answer. Prints the wall time of the whole run and
// the longest time the event loop was blocked, per n (the run must grow linearly with n).
import { performance } from 'node:perf_hooks';
import { ResponsesClient, functionTool } from 'cometapi-responses';

const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
const frame = (e) => `event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`;
const resp = (id, output) => ({ id, object: 'response', created_at: 1, status: 'completed', model: 'm', output });

async function once(n) {
  const output = Array.from({ length: n }, (_, i) => ({
    id: `fc_${i}`, type: 'function_call', status: 'completed', arguments: '{}', call_id: `call_${i}`, name: 'noop',
  }));
  const bodies = [
    frame({ type: 'response.created', sequence_number: 0, response: { ...resp('resp_1', []), status: 'in_progress' } }) +
      frame({ type: 'response.completed', sequence_number: 1, response: resp('resp_1', output) }),
    frame({ type: 'response.completed', sequence_number: 0, response: resp('resp_2', [{ id: 'm', type: 'message', role: 'assistant', content: [] }]) }),
  ];
  let k = 0;
  const fetch = async () => new Response(bodies[k++], { headers: { 'content-type': 'text/event-stream' } });
  const client = new ResponsesClient({ apiKey: 'sk-bench', baseURL: 'http://bench.invalid/v1', maxRetries: 0, fetch });
  let executed = 0;
  const tool = functionTool({ name: 'noop', execute: () => (executed++, 'ok') });
  let last = performance.now();
  let blocked = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    blocked = Math.max(blocked, now - last);
    last = now;
  }, 1);
  const t0 = performance.now();
  const run = client.runTools({ model: 'm', input: 'go', tools: [tool] });
  await run.finalResponse();
  const ms = performance.now() - t0;
  clearInterval(timer);
  blocked = Math.max(blocked, performance.now() - last);
  if (executed !== n || run.steps[0].toolCalls.length !== n) throw new Error(`ran ${executed} of ${n}`);
  return { ms, blocked };
}

for (const n of sizes.length ? sizes : [10000, 20000, 40000, 80000]) {
  const { ms, blocked } = await once(n);
  console.log(`${String(n).padStart(6)} calls: ${ms.toFixed(0).padStart(6)} ms, event loop blocked at most ${blocked.toFixed(0)} ms`);
}
