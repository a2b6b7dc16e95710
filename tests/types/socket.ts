// WebSocket mode's types (the contract of client.connect()).
import { ResponsesClient, ResponsesSocket, ResponseStream, functionTool } from 'cometapi-responses';

export async function usesSocket(client: ResponsesClient): Promise<void> {
  const socket: ResponsesSocket = await client.connect({ signal: AbortSignal.timeout(5000), timeout: 5000 });
  const s: ResponseStream = socket.stream({ model: 'm', input: 'hi' }, { streamId: 'a' });
  for await (const ev of s) void ev.type;
  const r = await socket.create({ model: 'm', input: 'x', previous_response_id: s.response?.id, store: false });
  const w = await socket.warmup({ model: 'm', input: 'x' });
  void r.output_text, w.id;
  const answer: 'accepted' | 'pending' = await socket.steer('more', { streamId: 'a' });
  socket.on('response', (next) => void next.finalResponse());
  const tool = functionTool({ name: 't', parameters: { type: 'object', properties: {} }, execute: () => 'ok' });
  await client.runTools({ model: 'm', input: 'x', tools: [tool] }, { socket }).finalResponse();
  // @ts-expect-error streamId is a string
  socket.stream({ model: 'm', input: 'x' }, { streamId: 1 });
  socket.close();
  await socket.closed;
}
