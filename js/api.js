// The public JS API: every environment entry (node.js, browser.js, workerd.js, web.js)
// initialises the wasm instance and re-exports this module. One file per concept:
//   client.js   ResponsesClient (every endpoint; client.conversations, client.files)
//   stream.js   ResponseStream      socket.js   ResponsesSocket (WebSocket mode)
//   parsers.js  ResponseAccumulator, SseParser         errors.js   the error classes
//   io.js       the I/O of a call (fetch, reader, timers)  mirror.js  the snapshot applier
//   structured.js  jsonSchemaFormat, Standard Schema validation   partial-json.js  PartialJsonParser
//   tool-loop.js   functionTool, the tool loop (ToolRun)
//   input.js    inputImage, inputFile (attachments as content parts)
//   redact.js   createRedactor (the API key out of what a proxy passes on)
//   shared.js   the small helpers the modules share (`named`, abort listeners, handlers, …)
// The package is minified without keeping names: each public class and function, and the classes
// a user meets without importing them (client.conversations, client.files, runTools()), is given
// its name where it is defined (shared.js's `named`, a pure call: what an app never reaches is left
// out of its bundle). Each entry names its own `init`.
export { ResponsesClient } from './client.js';
export { ResponseStream } from './stream.js';
export { ResponsesSocket } from './socket.js';
export { ResponseAccumulator, SseParser } from './parsers.js';
export { PartialJsonParser } from './partial-json.js';
export { jsonSchemaFormat } from './structured.js';
export { functionTool } from './tool-loop.js';
export { inputImage, inputFile } from './input.js';
export { createRedactor } from './redact.js';
export { ApiError, CometApiError, ConnectionError, TimeoutError, AbortError, StreamError, ValidationError, OutputParseError } from './errors.js';

