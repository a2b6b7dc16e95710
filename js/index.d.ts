// Types of the public API of cometapi-responses (DESIGN.md §2). Wire objects (params, Response,
// events) use the API's snake_case names exactly as on the wire; options of this library are
// camelCase. No `any` in the public surface: unknown data is `unknown` / `JsonValue`.

declare global {
  interface SymbolConstructor {
    /**
     * `Symbol.dispose` (explicit resource management), declared here so that the `free()` /
     * `[Symbol.dispose]()` members compile with any `lib` setting (ES2022 has no `Symbol.dispose`;
     * the same declaration as `lib.esnext.disposable` and @types/node, so they merge).
     */
    readonly dispose: unique symbol;
  }
}

// ───────────────────────────────────────────────────────────── JSON

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

// ───────────────────────────────────────────────────────────── request

export type Role = 'user' | 'assistant' | 'system' | 'developer';

export type InputContent =
  | { type: 'input_text'; text: string }
  | { type: 'input_image'; image_url?: string; file_id?: string; detail?: 'low' | 'high' | 'auto' }
  | { type: 'input_file'; file_id?: string; file_url?: string; file_data?: string; filename?: string }
  | { type: 'output_text'; text: string; annotations?: Annotation[] };

export interface InputMessage {
  type?: 'message';
  role: Role;
  content: string | InputContent[];
  id?: string;
  status?: string;
}

export interface FunctionCallOutputItem {
  type: 'function_call_output';
  call_id: string;
  output: string | InputContent[];
  id?: string;
}

/** An input item: a message, a tool output, or any output item sent back (function_call, reasoning, …). */
export type InputItem = InputMessage | FunctionCallOutputItem | OutputItem | { type: string; [key: string]: unknown };

export interface FunctionTool {
  type: 'function';
  name: string;
  description?: string;
  parameters?: JsonObject;
  strict?: boolean;
}

/** Function tools, built-in tools (web_search_preview, file_search, code_interpreter, …), MCP tools. */
export type Tool = FunctionTool | { type: string; [key: string]: unknown };

export type ToolChoice = 'auto' | 'none' | 'required' | { type: 'function'; name: string } | { type: string; [key: string]: unknown };

export type TextFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | { type: 'json_schema'; name: string; schema: JsonObject; strict?: boolean; description?: string };

export type Includable =
  | 'web_search_call.action.sources'
  | 'code_interpreter_call.outputs'
  | 'computer_call_output.output.image_url'
  | 'file_search_call.results'
  | 'message.input_image.image_url'
  | 'message.output_text.logprobs'
  | 'reasoning.encrypted_content'
  | (string & {});

/** The body of POST /responses (API-REFERENCE.md). Unknown fields pass through untouched. */
export interface ResponseCreateParams {
  model: string;
  input: string | InputItem[];
  instructions?: string | null;
  background?: boolean | null;
  context_management?: JsonObject[] | null;
  /** Not with previous_response_id. */
  conversation?: string | { id: string } | null;
  include?: Includable[] | null;
  /** Positive integer. */
  max_output_tokens?: number | null;
  /** Positive integer. */
  max_tool_calls?: number | null;
  /** At most 16 pairs; keys ≤ 64 characters; values strings ≤ 512 characters. */
  metadata?: Record<string, string> | null;
  parallel_tool_calls?: boolean | null;
  /** Not with conversation. */
  previous_response_id?: string | null;
  prompt?: { id: string; version?: string; variables?: Record<string, unknown> } | null;
  prompt_cache_key?: string | null;
  prompt_cache_retention?: 'in-memory' | '24h' | null;
  reasoning?: { effort?: 'none' | 'minimal' | 'low' | 'medium' | 'high' | 'xhigh' | null; summary?: 'auto' | 'concise' | 'detailed' | null } | null;
  /** ≤ 64 characters. */
  safety_identifier?: string | null;
  service_tier?: 'auto' | 'default' | 'flex' | 'priority' | null;
  store?: boolean | null;
  /** Set by the client: false for create(), true for stream(). */
  stream?: boolean | null;
  /** Only with stream: true. */
  stream_options?: { include_obfuscation?: boolean } | null;
  /** 0 ≤ x ≤ 2. */
  temperature?: number | null;
  text?: { format?: TextFormat; verbosity?: 'low' | 'medium' | 'high' } | null;
  tool_choice?: ToolChoice | null;
  tools?: Tool[] | null;
  /** Integer 0 ≤ x ≤ 20. */
  top_logprobs?: number | null;
  /** 0 ≤ x ≤ 1. */
  top_p?: number | null;
  truncation?: 'auto' | 'disabled' | null;
  /** Deprecated: use safety_identifier and prompt_cache_key. */
  user?: string | null;
  [extra: string]: unknown;
}

// ───────────────────────────────────────────────────────────── response

export type Annotation =
  | { type: 'url_citation'; url: string; title?: string; start_index: number; end_index: number }
  | { type: 'file_citation'; file_id: string; filename?: string; index?: number }
  | { type: 'container_file_citation'; container_id: string; file_id: string; filename?: string; start_index: number; end_index: number }
  | { type: 'file_path'; file_id: string; index?: number }
  | { type: string; [key: string]: unknown };

export type OutputContent =
  | { type: 'output_text'; text: string; annotations: Annotation[]; logprobs?: unknown[] }
  | { type: 'refusal'; refusal: string }
  | { type: 'reasoning_text'; text: string }
  | { type: string; [key: string]: unknown };

export interface OutputMessage {
  type: 'message';
  id: string;
  role: 'assistant';
  status: 'in_progress' | 'completed' | 'incomplete';
  content: OutputContent[];
}

export interface FunctionCall {
  type: 'function_call';
  id?: string;
  call_id: string;
  name: string;
  /** JSON text, as generated. */
  arguments: string;
  status?: 'in_progress' | 'completed' | 'incomplete';
}

export interface ReasoningItem {
  type: 'reasoning';
  id: string;
  summary: { type: 'summary_text'; text: string }[];
  content?: { type: 'reasoning_text'; text: string }[];
  encrypted_content?: string | null;
  status?: string;
}

export interface ToolCallItem {
  type:
    | 'web_search_call'
    | 'file_search_call'
    | 'code_interpreter_call'
    | 'image_generation_call'
    | 'mcp_call'
    | 'mcp_list_tools'
    | 'custom_tool_call'
    | 'computer_call';
  id: string;
  status?: string;
  [key: string]: unknown;
}

export type OutputItem = OutputMessage | FunctionCall | ReasoningItem | ToolCallItem;

export interface ResponseUsage {
  input_tokens: number;
  input_tokens_details?: { cached_tokens: number };
  output_tokens: number;
  output_tokens_details?: { reasoning_tokens: number };
  total_tokens: number;
}

export interface ResponseErrorObject {
  code: string | null;
  message: string;
  [key: string]: unknown;
}

export type ResponseStatus = 'completed' | 'in_progress' | 'failed' | 'cancelled' | 'queued' | 'incomplete';

/** The Response object. `output_text` is always set by this client. */
export interface Response {
  id: string;
  object: 'response';
  created_at: number;
  status: ResponseStatus;
  model: string;
  output: OutputItem[];
  /** The concatenated text of every output_text part of every message item. */
  output_text: string;
  background?: boolean | null;
  completed_at?: number | null;
  error?: ResponseErrorObject | null;
  incomplete_details?: { reason: string } | null;
  instructions?: string | InputItem[] | null;
  max_output_tokens?: number | null;
  max_tool_calls?: number | null;
  metadata?: Record<string, string> | null;
  parallel_tool_calls?: boolean;
  previous_response_id?: string | null;
  reasoning?: { effort?: string | null; summary?: string | null } | null;
  service_tier?: string | null;
  store?: boolean;
  temperature?: number | null;
  text?: { format?: TextFormat; verbosity?: string };
  tool_choice?: ToolChoice;
  tools?: Tool[];
  top_logprobs?: number | null;
  top_p?: number | null;
  truncation?: 'auto' | 'disabled' | null;
  usage?: ResponseUsage | null;
  user?: string | null;
  safety_identifier?: string | null;
  prompt_cache_key?: string | null;
  prompt_cache_retention?: string | null;
  [extra: string]: unknown;
}

export interface ResponseDeleted {
  id: string;
  object: string;
  deleted: boolean;
}

export interface InputItemList {
  object: 'list';
  data: InputItem[];
  first_id: string | null;
  last_id: string | null;
  has_more: boolean;
}

// ───────────────────────────────────────────────────────────── events

interface EventBase {
  /** Absent on older servers. */
  sequence_number?: number;
}
interface ItemEventBase extends EventBase {
  item_id: string;
  output_index: number;
}
interface ContentEventBase extends ItemEventBase {
  content_index: number;
}

export interface ResponseLifecycleEvent extends EventBase {
  type:
    | 'response.created'
    | 'response.queued'
    | 'response.in_progress'
    | 'response.completed'
    | 'response.incomplete'
    | 'response.failed';
  response: Response;
}
export interface OutputItemEvent extends EventBase {
  type: 'response.output_item.added' | 'response.output_item.done';
  output_index: number;
  item: OutputItem;
}
export interface ContentPartEvent extends ContentEventBase {
  type: 'response.content_part.added' | 'response.content_part.done';
  part: OutputContent;
}
export interface TextDeltaEvent extends ContentEventBase {
  type: 'response.output_text.delta' | 'response.refusal.delta' | 'response.reasoning_text.delta';
  delta: string;
  logprobs?: unknown[];
  obfuscation?: string;
}
export interface TextDoneEvent extends ContentEventBase {
  type: 'response.output_text.done' | 'response.reasoning_text.done';
  text: string;
  logprobs?: unknown[];
}
export interface RefusalDoneEvent extends ContentEventBase {
  type: 'response.refusal.done';
  refusal: string;
}
export interface AnnotationAddedEvent extends ContentEventBase {
  type: 'response.output_text.annotation.added';
  annotation_index: number;
  annotation: Annotation;
}
export interface ArgumentsDeltaEvent extends ItemEventBase {
  type:
    | 'response.function_call_arguments.delta'
    | 'response.mcp_call_arguments.delta'
    | 'response.custom_tool_call_input.delta'
    | 'response.code_interpreter_call_code.delta';
  delta: string;
  obfuscation?: string;
}
export interface FunctionCallArgumentsDoneEvent extends ItemEventBase {
  type: 'response.function_call_arguments.done' | 'response.mcp_call_arguments.done';
  arguments: string;
  name?: string;
}
export interface CustomToolCallInputDoneEvent extends ItemEventBase {
  type: 'response.custom_tool_call_input.done';
  input: string;
}
export interface CodeInterpreterCodeDoneEvent extends ItemEventBase {
  type: 'response.code_interpreter_call_code.done';
  code: string;
}
export interface ReasoningSummaryPartEvent extends ItemEventBase {
  type: 'response.reasoning_summary_part.added' | 'response.reasoning_summary_part.done';
  summary_index: number;
  part: { type: 'summary_text'; text: string };
}
export interface ReasoningSummaryTextDeltaEvent extends ItemEventBase {
  type: 'response.reasoning_summary_text.delta';
  summary_index: number;
  delta: string;
  obfuscation?: string;
}
export interface ReasoningSummaryTextDoneEvent extends ItemEventBase {
  type: 'response.reasoning_summary_text.done';
  summary_index: number;
  text: string;
}
type ToolName = 'web_search_call' | 'file_search_call' | 'code_interpreter_call' | 'image_generation_call' | 'mcp_call' | 'mcp_list_tools';
export interface ToolStatusEvent extends ItemEventBase {
  type: `response.${ToolName}.${'in_progress' | 'searching' | 'interpreting' | 'generating' | 'completed' | 'failed'}`;
}
export interface ImagePartialEvent extends ItemEventBase {
  type: 'response.image_generation_call.partial_image';
  partial_image_index: number;
  partial_image_b64: string;
}
export interface ErrorEvent extends EventBase {
  type: 'error';
  /** Nested on the wire; flat in some docs (then code/message/param sit on the event). */
  error?: { type?: string; code?: string | null; message: string; param?: string | null };
  code?: string | null;
  message?: string;
  param?: string | null;
}
export interface KeepaliveEvent extends EventBase {
  type: 'keepalive';
}
/**
 * The catch-all: an event type this version does not know (servers add new ones). Such events
 * are yielded as is, never fatal. Its `type` is typed as a template no known name matches, so
 * `event.type === 'response.output_text.delta'` still narrows to the known interface; to test
 * for a type this version does not list, compare `(event.type as string)`.
 */
export interface UnknownResponseEvent extends EventBase {
  type: `${string}\u0000unknown`;
  [key: string]: unknown;
}

/** Every event a ResponseStream yields, discriminated on `type`. */
export type ResponseStreamEvent =
  | ResponseLifecycleEvent
  | OutputItemEvent
  | ContentPartEvent
  | TextDeltaEvent
  | TextDoneEvent
  | RefusalDoneEvent
  | AnnotationAddedEvent
  | ArgumentsDeltaEvent
  | FunctionCallArgumentsDoneEvent
  | CustomToolCallInputDoneEvent
  | CodeInterpreterCodeDoneEvent
  | ReasoningSummaryPartEvent
  | ReasoningSummaryTextDeltaEvent
  | ReasoningSummaryTextDoneEvent
  | ToolStatusEvent
  | ImagePartialEvent
  | ErrorEvent
  | KeepaliveEvent
  | UnknownResponseEvent;

export type ResponseStreamEventType = Exclude<ResponseStreamEvent, UnknownResponseEvent>['type'];
type KnownEvent = Exclude<ResponseStreamEvent, UnknownResponseEvent>;
/** The event interface whose `type` admits T, narrowed to T. */
export type EventOfType<T extends ResponseStreamEventType> = KnownEvent extends infer E
  ? E extends { type: infer U }
    ? T extends U
      ? E & { type: T }
      : never
    : never
  : never;

// ───────────────────────────────────────────────────────────── client

export interface ClientOptions {
  /** Sent as `Authorization: Bearer …`; omit behind a proxy that adds it. */
  apiKey?: string;
  /** Default "https://api.cometapi.com/v1". */
  baseURL?: string;
  /** Default globalThis.fetch. */
  fetch?: typeof fetch;
  /** Sent with every request. */
  headers?: Record<string, string>;
  /** Retries of 408/409/429/5xx/connection errors (never after a stream's first byte). Default 2. */
  maxRetries?: number;
  /** Per attempt, ms: until the headers, then between two chunks of the body. Default 600000. */
  timeout?: number;
}

export interface RequestOptions {
  signal?: AbortSignal;
  timeout?: number;
  maxRetries?: number;
  headers?: Record<string, string>;
}

export interface RetrieveStreamOptions extends RequestOptions {
  /** Replay the events after this sequence number. */
  startingAfter?: number;
}

export interface InputItemsOptions extends RequestOptions {
  after?: string;
  /** 1–100. */
  limit?: number;
  order?: 'asc' | 'desc';
  include?: Includable[];
}

/** A client of the Responses API (CometAPI by default, any compatible server by baseURL). */
export class ResponsesClient {
  constructor(options?: ClientOptions);
  /** POST /responses (non-streaming). Throws ValidationError before sending for invalid params. */
  create(params: ResponseCreateParams, opts?: RequestOptions): Promise<Response>;
  /** POST /responses with stream: true. Returns at once; throws ValidationError synchronously for invalid params. */
  stream(params: ResponseCreateParams, opts?: RequestOptions): ResponseStream;
  retrieve(id: string, opts?: RequestOptions): Promise<Response>;
  /** Resumes a background response's events (GET /responses/{id}?stream=true&starting_after=N). */
  retrieveStream(id: string, opts?: RetrieveStreamOptions): ResponseStream;
  cancel(id: string, opts?: RequestOptions): Promise<Response>;
  delete(id: string, opts?: RequestOptions): Promise<ResponseDeleted>;
  inputItems(id: string, opts?: InputItemsOptions): Promise<InputItemList>;
}

/** A stream of Responses events; single consumer; leaving `for await` early aborts the request. */
export class ResponseStream implements AsyncIterableIterator<ResponseStreamEvent> {
  private constructor();
  /** Parses any ReadableStream of SSE bytes (e.g. from your own proxy). */
  static fromReadableStream(body: ReadableStream<Uint8Array>): ResponseStream;
  [Symbol.asyncIterator](): ResponseStream;
  next(): Promise<IteratorResult<ResponseStreamEvent, undefined>>;
  return(): Promise<IteratorResult<ResponseStreamEvent, undefined>>;
  /** Reads the rest if needed; resolves with the completed or incomplete Response. */
  finalResponse(): Promise<Response>;
  on<T extends ResponseStreamEventType>(type: T, handler: (event: EventOfType<T>) => void): this;
  on(type: '*', handler: (event: ResponseStreamEvent) => void): this;
  off(type: string, handler: (event: never) => void): this;
  /** The Response built from the events read so far, or null before response.created. */
  readonly response: Response | null;
  abort(): void;
  /** The events as text/event-stream bytes (for proxies). */
  toReadableStream(): ReadableStream<Uint8Array>;
  /**
   * Releases the stream's wasm memory now, aborting it if it is still open. A stream releases it
   * by itself when it ends (any outcome); `response` and `finalResponse()` stay usable after.
   */
  free(): void;
  [Symbol.dispose](): void;
}

/** Builds the Response snapshot from wire events. */
export class ResponseAccumulator {
  constructor();
  push(event: ResponseStreamEvent | { type: string; [key: string]: unknown }): this;
  readonly response: Response | null;
  /** Releases the wasm memory now; `response` stays readable, `push` throws after it. */
  free(): void;
  [Symbol.dispose](): void;
}

// ───────────────────────────────────────────────────────────── SSE

export interface SseEvent {
  /** The event type; "message" when the stream gave none. */
  event: string;
  /** The data buffer (data lines joined by "\n"). */
  data: string;
  /** The last event ID (persists across events; "" if never set). */
  lastEventId: string;
}

export interface SseParserOptions {
  /** Cap on one event's size in bytes (default 16 MiB); a larger event throws StreamError. */
  maxEventSize?: number;
}

/** WHATWG-exact incremental Server-Sent Events parser. */
export class SseParser {
  constructor(options?: SseParserOptions);
  /**
   * Feeds one chunk; returns the events it completed. An event over `maxEventSize` throws
   * StreamError — when the same chunk completed events before it, those are returned first and
   * the error is thrown by the next `feed` or `finish`. After the error, `feed` keeps throwing
   * until `finish()`.
   */
  feed(chunk: Uint8Array): SseEvent[];
  /**
   * Ends the stream; an unfinished event is discarded (per the spec). Always returns [].
   * Throws the StreamError of an oversized event whose chunk also completed events (`feed`
   * returned those first); the parser is ready for a new stream either way.
   */
  finish(): SseEvent[];
  /** The last valid `retry:` value in milliseconds. */
  readonly retry: number | undefined;
  /** Releases the wasm memory now (`finish()` already gives back every buffer); unusable after. */
  free(): void;
  [Symbol.dispose](): void;
}

// ───────────────────────────────────────────────────────────── errors

/** Base class of every error this package throws. */
export class CometApiError extends Error {}

/** HTTP status ≥ 400, an `error` event, or `response.failed`. */
export class ApiError extends CometApiError {
  readonly name: 'ApiError';
  /** undefined for in-stream errors. */
  readonly status: number | undefined;
  readonly code: string | undefined;
  readonly type: string | undefined;
  readonly param: string | undefined;
  /** The x-request-id header. */
  readonly requestId: string | undefined;
  /** The error body (parsed JSON when it is JSON), or the event. */
  readonly body: JsonValue | undefined;
  /** The Response the error belongs to (response.failed; the partial snapshot for error events). */
  readonly response: Response | null;
}
/** fetch rejected (DNS, refused, reset) after retries. */
export class ConnectionError extends CometApiError {
  readonly name: 'ConnectionError';
}
/** An attempt exceeded `timeout`. */
export class TimeoutError extends CometApiError {
  readonly name: 'TimeoutError';
}
/** The user aborted (signal, abort(), leaving a for-await loop early). */
export class AbortError extends CometApiError {
  readonly name: 'AbortError';
}
/** The body broke the protocol: truncated, malformed JSON, an event over the size limit. */
export class StreamError extends CometApiError {
  readonly name: 'StreamError';
  /** The partial snapshot. */
  readonly response: Response | null;
}
/** Params break a documented rule; thrown before any request is sent. */
export class ValidationError extends CometApiError {
  readonly name: 'ValidationError';
  readonly param: string;
}

/** No-op outside the `/web` entry: every entry is ready on import. */
export function init(moduleOrPath?: unknown): Promise<void>;
