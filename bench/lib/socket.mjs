// WebSocket mode vs HTTP: a 20-call tool loop (21 responses) against the mock server on
// 127.0.0.1, behind a TCP proxy that adds network latency: every byte waits `oneWayMs` in each
// direction (a round trip of 2 × oneWayMs), and every new connection waits `setupMs` before its
// first byte goes through (TCP + TLS handshakes). The mock sends its events without pauses
// (delayMs: 0) so the transport is what differs. Every run is checked: 20 calls executed, 21
// responses, the final answer quotes the last tool output.
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { WebSocket } from 'ws';
import { Agent, fetch as undiciFetch } from 'undici';
import { startMockServer } from '../../mock/server.mjs';

export const CALLS = 20;
const PLACES = ['Lisbon', 'Oslo', 'Paris', 'Tokyo', 'Madrid', 'Berlin', 'Rome', 'Vienna', 'Prague', 'Dublin',
  'London', 'Athens', 'Warsaw', 'Zurich', 'Munich', 'Milan', 'Porto', 'Seville', 'Geneva', 'Helsinki'];

/** A TCP proxy to 127.0.0.1:`port` adding latency (see above). */
export function latencyProxy(port, { setupMs, oneWayMs }) {
  const conns = new Set();
  let connections = 0;
  const server = net.createServer((client) => {
    connections++;
    conns.add(client);
    client.pause();
    const later = (fn) => (oneWayMs > 0 ? setTimeout(fn, oneWayMs) : fn());
    setTimeout(() => {
      const upstream = net.connect(port, '127.0.0.1');
      conns.add(upstream);
      upstream.setNoDelay(true);
      client.setNoDelay(true);
      // same delay for every chunk: timers of one duration fire in order, so bytes stay in order
      client.on('data', (d) => later(() => upstream.writable && upstream.write(d)));
      upstream.on('data', (d) => later(() => client.writable && client.write(d)));
      client.on('end', () => later(() => upstream.end()));
      upstream.on('end', () => later(() => client.end()));
      const kill = () => { client.destroy(); upstream.destroy(); };
      client.on('error', kill);
      upstream.on('error', kill);
      client.on('close', () => later(() => upstream.destroy()));
      upstream.on('close', () => later(() => client.destroy()));
      client.resume();
    }, setupMs);
    client.on('close', () => conns.delete(client));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({
    url: `http://127.0.0.1:${server.address().port}/v1`,
    get connections() { return connections; },
    close: () => new Promise((r) => {
      for (const c of conns) c.destroy();
      server.close(() => r());
    }),
  })));
}

/**
 * One measurement: `runs` timed runs per transport after a warm-up each, transports
 * interleaved run by run. Returns { [transport]: { runs: ms[], connections } }.
 */
export async function measureSocketLoop(lib, { setupMs, oneWayMs, runs }) {
  const { ResponsesClient, functionTool } = lib;
  const mock = await startMockServer({ delayMs: 0 });
  const proxy = await latencyProxy(mock.server.address().port, { setupMs, oneWayMs });
  const input = `What's the weather in ${PLACES.slice(0, CALLS).join(', then in ')}?`;
  const params = (tool) => ({ model: 'mock', input, tools: [tool], parallel_tool_calls: false });

  const oneRun = async (transport) => {
    let executed = 0;
    let lastOutput = '';
    const tool = functionTool({
      name: 'get_weather',
      description: 'Weather in a city',
      parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false },
      execute: ({ city }) => {
        executed++;
        lastOutput = `${city}: 21 °C, call ${executed}`;
        return lastOutput;
      },
    });
    const agents = [];
    const agentFetch = (perRequest) => {
      const shared = perRequest ? null : new Agent();
      if (shared) agents.push(shared);
      return (url, init) => {
        const dispatcher = shared ?? new Agent({ pipelining: 0 });
        if (!shared) agents.push(dispatcher);
        return undiciFetch(url, { ...init, dispatcher });
      };
    };
    const client = new ResponsesClient({
      apiKey: 'sk-bench', baseURL: proxy.url, maxRetries: 0,
      fetch: transport === 'ws' ? undefined : agentFetch(transport === 'http-new'),
    });
    const before = proxy.connections;
    const t0 = performance.now();
    let socket = null;
    let run;
    if (transport === 'ws') {
      socket = await client.connect({ WebSocket, timeout: 30_000 });
      run = client.runTools(params(tool), { socket, maxSteps: CALLS + 2 });
    } else {
      run = client.runTools(params(tool), { maxSteps: CALLS + 2 });
    }
    const final = await run.finalResponse();
    const ms = performance.now() - t0;
    socket?.close();
    await socket?.closed;
    await Promise.all(agents.map((a) => a.close().catch(() => {})));
    const steps = run.steps.length;
    if (executed !== CALLS || steps !== CALLS + 1 || !final.output_text?.includes(lastOutput)) {
      throw new Error(`${transport}: ${executed} calls, ${steps} responses, final: ${String(final.output_text).slice(0, 80)}`);
    }
    return { ms, connections: proxy.connections - before };
  };

  const transports = ['ws', 'http-keepalive', 'http-new'];
  const out = Object.fromEntries(transports.map((t) => [t, { runs: [], connections: 0 }]));
  try {
    for (const t of transports) await oneRun(t); // warm-up
    for (let i = 0; i < runs; i++) {
      for (const t of transports) {
        const r = await oneRun(t);
        out[t].runs.push(r.ms);
        out[t].connections = r.connections;
      }
    }
  } finally {
    await proxy.close();
    await mock.close();
  }
  return out;
}
