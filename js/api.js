// The public JS API: every environment entry (node.js, browser.js, workerd.js, web.js)
// initialises the wasm instance and re-exports this module. One file per concept:
//   client.js   ResponsesClient (every endpoint)      stream.js   ResponseStream
//   parsers.js  ResponseAccumulator, SseParser         errors.js   the error classes
//   io.js       the I/O of a call (fetch, reader, timers)  mirror.js  the snapshot applier
//   structured.js  jsonSchemaFormat, Standard Schema validation   partial-json.js  PartialJsonParser
//   tool-loop.js   functionTool, the tool loop (ToolRun)
//   input.js    inputImage, inputFile (attachments as content parts)
//   redact.js   createRedactor (the API key out of what a proxy passes on)
export { ResponsesClient } from './client.js';
export { ResponseStream } from './stream.js';
export { ResponsesSocket } from './socket.js';
export { ResponseAccumulator, SseParser } from './parsers.js';
export { PartialJsonParser } from './partial-json.js';
export { jsonSchemaFormat } from './structured.js';
export { functionTool } from './tool-loop.js';
export { inputImage, inputFile } from './input.js';
export { createRedactor } from './redact.js';
export {
  ApiError,
  CometApiError,
  ConnectionError,
  TimeoutError,
  AbortError,
  StreamError,
  ValidationError,
  OutputParseError,
} from './errors.js';

// The package is minified without keeping names: every public class and function gets its own
// back here (an error's `name` is its class's, `new.target.name`), the classes a user meets
// without importing them too (client.conversations, client.files, runTools()). Each entry names
// its own `init`.
import * as api from './api.js';
import { Conversations, ConversationItems } from './client.js';
import { Files } from './files.js';
import { ToolRun } from './tool-loop.js';
for (const [name, value] of Object.entries({ ...api, Conversations, ConversationItems, Files, ToolRun })) {
  Object.defineProperty(value, 'name', { value: name });
}
