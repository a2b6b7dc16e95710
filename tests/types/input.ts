// inputImage / inputFile: each source kind compiles and the parts fit a message's content;
// misuse does not compile.
import { ResponsesClient, inputFile, inputImage, type InputFileContent, type InputImageContent } from 'cometapi-responses';

export async function attachments(client: ResponsesClient, file: File, bytes: Uint8Array) {
  const img: InputImageContent = await inputImage(file, { detail: 'high', maxBytes: 1 << 20 });
  const fromBytes = await inputImage(bytes.buffer as ArrayBuffer, { mimeType: 'image/png' });
  // a view's buffer is an ArrayBufferLike (TS ≥ 5.7), and a SharedArrayBuffer is bytes too
  const fromBuffer = await inputImage(bytes.buffer, { mimeType: 'image/png' });
  const shared = await inputFile(new SharedArrayBuffer(8), { mimeType: 'application/pdf' });
  const sharedView = await inputImage(new Uint8Array(new SharedArrayBuffer(8)), { mimeType: 'image/png' });
  const byUrl = await inputImage('https://example.com/a.png');
  const byId = await inputImage({ fileId: 'file-1' }, { detail: 'some-future-detail' });
  const pdf: InputFileContent = await inputFile(file, { filename: 'a.pdf' });
  const viaUrl = await inputFile('https://example.com/a.pdf');
  const viaView = await inputFile(new DataView(new ArrayBuffer(4)));
  await client.create({
    model: 'm',
    input: [{ role: 'user', content: [{ type: 'input_text', text: 'hi' }, img, fromBytes, fromBuffer, shared, sharedView, byUrl, byId, pdf, viaUrl, viaView] }],
  });
  // @ts-expect-error a number is no source
  await inputImage(42);
  // @ts-expect-error nor an array of byte values
  await inputImage([137, 80, 78, 71]);
  // @ts-expect-error fileId is a string
  await inputFile({ fileId: 1 });
  // @ts-expect-error maxBytes is a number
  await inputFile(file, { maxBytes: '1' });
}

export async function files(client: ResponsesClient, file: File) {
  const f = await client.files.create({ file, purpose: 'user_data' });
  const id: string = f.id;
  const page = await client.files.list({ purpose: 'vision', limit: 10, order: 'asc' });
  const first: number = page.data[0].bytes;
  const res: Response = await client.files.content(id);
  const gone: boolean = (await client.files.delete(id)).deleted;
  // @ts-expect-error purpose is required
  await client.files.create({ file });
  // @ts-expect-error order is asc or desc
  await client.files.list({ order: 'up' });
  return [first, res, gone];
}
