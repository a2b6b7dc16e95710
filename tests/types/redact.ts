// createRedactor: text in, text out; bytes in, bytes out; JSON values keep their type.
import { createRedactor, type Redactor, type RedactorStream } from 'cometapi-responses';

const redactor: Redactor = createRedactor('sk-proj-0123456789');
// an environment variable may be unset: redacts nothing then (README: createRedactor(process.env.COMETAPI_KEY))
declare const env: { [name: string]: string | undefined };
const fromEnv: Redactor = createRedactor(env.COMETAPI_KEY);
createRedactor(null);
// @ts-expect-error the key is text
createRedactor(42);
const text: string = redactor.redact('a message');
const value: { error: { message: string } } = redactor.value({ error: { message: text } });
const bytes: RedactorStream = redactor.stream();
const out: Uint8Array = bytes.push(new Uint8Array(4));
const rest: Uint8Array = bytes.end();
const deltas = redactor.stream({ hold: 4 });
const delta: string = deltas.push('a delta');
const last: string = deltas.end('');
// @ts-expect-error: a number is neither text nor bytes
deltas.push(1);
export { value, out, rest, delta, last, fromEnv };
