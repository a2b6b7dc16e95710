// Types of the public API of cometapi-responses (docs/architecture.md). Wire objects (params,
// Response, items, events) use the API's snake_case names exactly as on the wire; options of this
// library are camelCase. No `any` in the public surface: unknown data is `unknown` / `JsonValue`.
//
// No wire type has a catch-all index signature: a misspelt field (`response.output_txt`,
// `{ temprature: 1 }`) does not compile. Fields a provider adds beyond these types are reached
// through `WithVendorFields<T>` (below), on purpose and visibly.

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

// ───────────────────────────────────────────────────────────── JSON, vendor fields

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/**
 * The typed escape for fields a provider adds to a wire object (OpenRouter's `usage.cost`, a
 * proxy's own request parameter, …): `T` with every other key readable as `unknown`.
 *
 * ```ts
 * const usage = response.usage as WithVendorFields<ResponseUsage> | undefined;
 * const cost = usage?.cost;                       // unknown: check it before use
 * const params: WithVendorFields<ResponseCreateParams> = { model, input, provider_option: 1 };
 * client.stream(params);                          // a variable, so its extra keys are accepted
 * ```
 *
 * The known fields keep their types; only the extra keys are `unknown`.
 */
export type WithVendorFields<T> = T & { readonly [vendorField: string]: unknown };

// ───────────────────────────────────────────────────────────── content parts

export type Role = 'user' | 'assistant' | 'system' | 'developer';

export interface InputTextContent {
  type: 'input_text';
  text: string;
}
export interface InputImageContent {
  type: 'input_image';
  detail?: 'low' | 'high' | 'auto' | 'original' | (string & {}) | undefined;
  image_url?: string | null | undefined;
  file_id?: string | null | undefined;
}
export interface InputFileContent {
  type: 'input_file';
  file_id?: string | null | undefined;
  file_url?: string | undefined;
  file_data?: string | undefined;
  filename?: string | undefined;
  detail?: 'low' | 'high' | 'auto' | undefined;
}
export interface InputAudioContent {
  type: 'input_audio';
  input_audio: { data: string; format: 'mp3' | 'wav' };
}
/** What a message of the input may contain (an earlier answer's `output_text`/`refusal` parts too). */
export type InputContent = InputTextContent | InputImageContent | InputFileContent | InputAudioContent | OutputTextContent | RefusalContent;

export interface UrlCitation {
  type: 'url_citation';
  url: string;
  title: string;
  start_index: number;
  end_index: number;
}
export interface FileCitation {
  type: 'file_citation';
  file_id: string;
  filename: string;
  index: number;
}
export interface ContainerFileCitation {
  type: 'container_file_citation';
  container_id: string;
  file_id: string;
  filename: string;
  start_index: number;
  end_index: number;
}
export interface FilePathAnnotation {
  type: 'file_path';
  file_id: string;
  index: number;
}
export type Annotation = UrlCitation | FileCitation | ContainerFileCitation | FilePathAnnotation;

export interface TopLogprob {
  token: string;
  bytes: number[];
  logprob: number;
}
export interface Logprob extends TopLogprob {
  top_logprobs: TopLogprob[];
}

export interface OutputTextContent {
  type: 'output_text';
  text: string;
  annotations: Annotation[];
  /** With `include: ['message.output_text.logprobs']` (some servers always send `[]`). */
  logprobs?: Logprob[] | undefined;
}
export interface RefusalContent {
  type: 'refusal';
  refusal: string;
}
export interface ReasoningTextContent {
  type: 'reasoning_text';
  text: string;
}
export interface SummaryTextContent {
  type: 'summary_text';
  text: string;
}
/** The parts of an output message (and of `response.content_part.*` events). */
export type OutputContent = OutputTextContent | RefusalContent | ReasoningTextContent;

// ───────────────────────────────────────────────────────────── output items

/** Who made a tool call: the model directly, or a program it runs (programmatic tool calling). */
export type ToolCaller = { type: 'direct' } | { type: 'program'; caller_id: string };
export type ItemStatus = 'in_progress' | 'completed' | 'incomplete';

export interface OutputMessage {
  type: 'message';
  id: string;
  role: 'assistant';
  status: ItemStatus;
  content: OutputContent[];
  phase?: 'commentary' | 'final_answer' | null | undefined;
}

export interface FunctionCall {
  type: 'function_call';
  id?: string | undefined;
  call_id: string;
  name: string;
  /** JSON text, as generated. */
  arguments: string;
  status?: ItemStatus | undefined;
  namespace?: string | undefined;
  caller?: ToolCaller | null | undefined;
  /**
   * Stream snapshots only (`stream.response`, `finalResponse()`): the value of `arguments`, best
   * effort while they stream (absent until a value starts), exact once the call is done (`{}`
   * for empty arguments, `null` for arguments that are not valid JSON). Never sent back.
   */
  parsed_arguments?: JsonValue | undefined;
}

export interface FunctionCallOutputItem {
  type: 'function_call_output';
  id?: string | undefined;
  call_id: string;
  output: string | Array<InputTextContent | InputImageContent | InputFileContent>;
  status?: ItemStatus | undefined;
  name?: string | undefined;
  namespace?: string | undefined;
  caller?: ToolCaller | null | undefined;
  created_by?: string | undefined;
}

export interface ReasoningItem {
  type: 'reasoning';
  id: string;
  summary: SummaryTextContent[];
  content?: ReasoningTextContent[] | undefined;
  /** With `include: ['reasoning.encrypted_content']`: send it back with `store: false`. */
  encrypted_content?: string | null | undefined;
  status?: ItemStatus | undefined;
}

export interface WebSearchCall {
  type: 'web_search_call';
  id: string;
  status: 'in_progress' | 'searching' | 'completed' | 'failed';
  action?:
    | { type: 'search'; query?: string | undefined; queries?: string[] | undefined; sources?: { type: 'url'; url: string }[] | undefined }
    | { type: 'open_page'; url?: string | null | undefined }
    | { type: 'find_in_page'; url: string; pattern: string }
    | undefined;
}

export interface FileSearchCall {
  type: 'file_search_call';
  id: string;
  status: 'in_progress' | 'searching' | 'completed' | 'incomplete' | 'failed';
  queries: string[];
  /** With `include: ['file_search_call.results']`. */
  results?: { file_id?: string | undefined; filename?: string | undefined; score?: number | undefined; text?: string | undefined; attributes?: Record<string, string | number | boolean> | null | undefined }[] | null | undefined;
}

export interface CodeInterpreterCall {
  type: 'code_interpreter_call';
  id: string;
  status: 'in_progress' | 'interpreting' | 'completed' | 'incomplete' | 'failed';
  container_id: string;
  code: string | null;
  /** With `include: ['code_interpreter_call.outputs']`. */
  outputs: Array<{ type: 'logs'; logs: string } | { type: 'image'; url: string }> | null;
}

export interface ImageGenerationCall {
  type: 'image_generation_call';
  id: string;
  status: 'in_progress' | 'generating' | 'completed' | 'failed';
  /** The image, base64. */
  result?: string | null | undefined;
  revised_prompt?: string | null | undefined;
  background?: string | undefined;
  output_format?: string | undefined;
  quality?: string | undefined;
  size?: string | undefined;
}

export type ComputerAction =
  | { type: 'click'; button: 'left' | 'right' | 'wheel' | 'back' | 'forward'; x: number; y: number; keys?: string[] | null | undefined }
  | { type: 'double_click'; x: number; y: number; keys?: string[] | null | undefined }
  | { type: 'drag'; path: { x: number; y: number }[]; keys?: string[] | null | undefined }
  | { type: 'keypress'; keys: string[] }
  | { type: 'move'; x: number; y: number; keys?: string[] | null | undefined }
  | { type: 'screenshot' }
  | { type: 'scroll'; x: number; y: number; scroll_x: number; scroll_y: number; keys?: string[] | null | undefined }
  | { type: 'type'; text: string }
  | { type: 'wait' };
export interface SafetyCheck {
  id: string;
  code?: string | null | undefined;
  message?: string | null | undefined;
}
export interface ComputerCall {
  type: 'computer_call';
  id: string;
  call_id: string;
  status: ItemStatus;
  pending_safety_checks: SafetyCheck[];
  action?: ComputerAction | undefined;
  actions?: ComputerAction[] | undefined;
}
export interface ComputerScreenshot {
  type: 'computer_screenshot';
  image_url?: string | undefined;
  file_id?: string | undefined;
}
export interface ComputerCallOutputItem {
  type: 'computer_call_output';
  id?: string | null | undefined;
  call_id: string;
  output: ComputerScreenshot;
  status?: 'in_progress' | 'completed' | 'incomplete' | 'failed' | null | undefined;
  acknowledged_safety_checks?: SafetyCheck[] | null | undefined;
  created_by?: string | undefined;
}

export interface LocalShellCall {
  type: 'local_shell_call';
  id: string;
  call_id: string;
  status: ItemStatus;
  action: {
    type: 'exec';
    command: string[];
    env: Record<string, string>;
    timeout_ms?: number | null | undefined;
    user?: string | null | undefined;
    working_directory?: string | null | undefined;
  };
}
export interface LocalShellCallOutputItem {
  type: 'local_shell_call_output';
  id: string;
  output: string;
  status?: ItemStatus | null | undefined;
}

export interface ShellEnvironment {
  type: 'local' | 'container_reference';
  container_id?: string | undefined;
}
export interface ShellCall {
  type: 'shell_call';
  id: string;
  call_id: string;
  status: ItemStatus;
  action: { commands: string[]; timeout_ms: number | null; max_output_length: number | null };
  environment?: ShellEnvironment | null | undefined;
  caller?: ToolCaller | null | undefined;
  created_by?: string | undefined;
}
/** One command's output in a `shell_call_output` item (and in `response.shell_call_output_content.done`). */
export interface ShellCommandOutput {
  stdout: string;
  stderr: string;
  outcome: { type: 'exit'; exit_code: number } | { type: 'timeout' };
  created_by?: string | undefined;
}
export interface ShellCallOutputItem {
  type: 'shell_call_output';
  id?: string | null | undefined;
  call_id: string;
  output: ShellCommandOutput[];
  max_output_length?: number | null | undefined;
  status?: ItemStatus | undefined;
  caller?: ToolCaller | null | undefined;
  created_by?: string | undefined;
}

export type ApplyPatchOperation =
  | { type: 'create_file'; path: string; diff: string }
  | { type: 'update_file'; path: string; diff: string }
  | { type: 'delete_file'; path: string };
export interface ApplyPatchCall {
  type: 'apply_patch_call';
  id: string;
  call_id: string;
  status: 'in_progress' | 'completed';
  operation: ApplyPatchOperation;
  caller?: ToolCaller | null | undefined;
  created_by?: string | undefined;
}
export interface ApplyPatchCallOutputItem {
  type: 'apply_patch_call_output';
  id?: string | null | undefined;
  call_id: string;
  status: 'completed' | 'failed';
  output?: string | null | undefined;
  caller?: ToolCaller | null | undefined;
  created_by?: string | undefined;
}

export interface McpToolInfo {
  name: string;
  input_schema: JsonValue;
  description?: string | null | undefined;
  annotations?: JsonValue | null | undefined;
}
export interface McpListTools {
  type: 'mcp_list_tools';
  id: string;
  server_label: string;
  tools: McpToolInfo[];
  error?: string | null | undefined;
}
export interface McpCall {
  type: 'mcp_call';
  id: string;
  server_label: string;
  name: string;
  /** JSON text. */
  arguments: string;
  output?: string | null | undefined;
  error?: JsonValue | null | undefined;
  approval_request_id?: string | null | undefined;
  status?: 'in_progress' | 'completed' | 'incomplete' | 'calling' | 'failed' | undefined;
}
export interface McpApprovalRequest {
  type: 'mcp_approval_request';
  id: string;
  server_label: string;
  name: string;
  arguments: string;
}
export interface McpApprovalResponse {
  type: 'mcp_approval_response';
  id?: string | null | undefined;
  approval_request_id: string;
  approve: boolean;
  reason?: string | null | undefined;
}

export interface CustomToolCall {
  type: 'custom_tool_call';
  id?: string | undefined;
  call_id: string;
  name: string;
  input: string;
  status?: ItemStatus | undefined;
  namespace?: string | undefined;
  caller?: ToolCaller | null | undefined;
}
export interface CustomToolCallOutputItem {
  type: 'custom_tool_call_output';
  id?: string | undefined;
  call_id: string;
  output: string | Array<InputTextContent | InputImageContent | InputFileContent>;
  status?: ItemStatus | undefined;
  caller?: ToolCaller | null | undefined;
}

/** A compaction of the conversation so far (from `compact()` or `context_management`); send it back as is. */
export interface CompactionItem {
  type: 'compaction';
  id?: string | null | undefined;
  encrypted_content: string;
  created_by?: string | undefined;
}

/** The items of `Response.output`, discriminated on `type`. */
export type OutputItem =
  | OutputMessage
  | FunctionCall
  | FunctionCallOutputItem
  | ReasoningItem
  | WebSearchCall
  | FileSearchCall
  | CodeInterpreterCall
  | ImageGenerationCall
  | ComputerCall
  | ComputerCallOutputItem
  | LocalShellCall
  | LocalShellCallOutputItem
  | ShellCall
  | ShellCallOutputItem
  | ApplyPatchCall
  | ApplyPatchCallOutputItem
  | McpListTools
  | McpCall
  | McpApprovalRequest
  | McpApprovalResponse
  | CustomToolCall
  | CustomToolCallOutputItem
  | CompactionItem;

/** The built-in tool calls among the output items. */
export type ToolCallItem =
  | WebSearchCall
  | FileSearchCall
  | CodeInterpreterCall
  | ImageGenerationCall
  | ComputerCall
  | LocalShellCall
  | ShellCall
  | ApplyPatchCall
  | McpListTools
  | McpCall
  | CustomToolCall;

// ───────────────────────────────────────────────────────────── input items

/** A message of the input (`type` may be left out). */
export interface InputMessage {
  type?: 'message' | undefined;
  role: Role;
  content: string | InputContent[];
  id?: string | undefined;
  status?: ItemStatus | undefined;
  phase?: 'commentary' | 'final_answer' | null | undefined;
}

/** An item of an earlier response, by id (stored responses only). */
export interface ItemReference {
  type?: 'item_reference' | null | undefined;
  id: string;
}

/** An input item: a message, any output item sent back, a tool's output, an item reference. */
export type InputItem = InputMessage | OutputItem | ItemReference;

// ───────────────────────────────────────────────────────────── tools, params

type ToolCallers = Array<'direct' | 'programmatic'> | null;

export interface FunctionTool {
  type: 'function';
  name: string;
  description?: string | null | undefined;
  /** A JSON Schema of the arguments. */
  parameters?: JsonObject | null | undefined;
  strict?: boolean | null | undefined;
  defer_loading?: boolean | undefined;
  allowed_callers?: ToolCallers | undefined;
  output_schema?: JsonObject | null | undefined;
}
export interface FileSearchTool {
  type: 'file_search';
  vector_store_ids: string[];
  max_num_results?: number | undefined;
  filters?: JsonObject | null | undefined;
  ranking_options?: { ranker?: string | undefined; score_threshold?: number | undefined; hybrid_search?: { embedding_weight: number; text_weight: number } | undefined } | undefined;
}
export interface UserLocation {
  type?: 'approximate' | undefined;
  city?: string | null | undefined;
  country?: string | null | undefined;
  region?: string | null | undefined;
  timezone?: string | null | undefined;
}
export interface WebSearchTool {
  type: 'web_search' | 'web_search_2025_08_26';
  filters?: { allowed_domains?: string[] | null | undefined } | null | undefined;
  search_context_size?: 'low' | 'medium' | 'high' | undefined;
  user_location?: UserLocation | null | undefined;
  external_web_access?: boolean | undefined;
}
export interface WebSearchPreviewTool {
  type: 'web_search_preview' | 'web_search_preview_2025_03_11';
  search_context_size?: 'low' | 'medium' | 'high' | undefined;
  search_content_types?: Array<'text' | 'image'> | undefined;
  user_location?: UserLocation | null | undefined;
}
export interface ComputerTool {
  type: 'computer';
}
export interface ComputerUsePreviewTool {
  type: 'computer_use_preview';
  display_width: number;
  display_height: number;
  environment: 'windows' | 'mac' | 'linux' | 'ubuntu' | 'browser';
}
export interface McpToolFilter {
  read_only?: boolean | undefined;
  tool_names?: string[] | undefined;
}
export interface McpTool {
  type: 'mcp';
  server_label: string;
  server_url?: string | undefined;
  server_description?: string | undefined;
  connector_id?: string | undefined;
  authorization?: string | undefined;
  headers?: Record<string, string> | null | undefined;
  allowed_tools?: string[] | McpToolFilter | null | undefined;
  require_approval?: 'always' | 'never' | { always?: McpToolFilter | undefined; never?: McpToolFilter | undefined } | null | undefined;
  defer_loading?: boolean | undefined;
  allowed_callers?: ToolCallers | undefined;
}
export interface CodeInterpreterTool {
  type: 'code_interpreter';
  /** A container id, or `{ type: 'auto', … }` for a new one. */
  container: string | { type: 'auto'; file_ids?: string[] | undefined; memory_limit?: '1g' | '4g' | '16g' | '64g' | null | undefined; network_policy?: JsonObject | undefined };
  allowed_callers?: ToolCallers | undefined;
}
export interface ImageGenerationTool {
  type: 'image_generation';
  action?: 'generate' | 'edit' | 'auto' | undefined;
  background?: 'transparent' | 'opaque' | 'auto' | undefined;
  input_fidelity?: 'high' | 'low' | null | undefined;
  input_image_mask?: { file_id?: string | undefined; image_url?: string | undefined } | undefined;
  model?: string | undefined;
  moderation?: 'auto' | 'low' | undefined;
  /** Images per call (echoed by OpenAI). */
  n?: number | undefined;
  output_compression?: number | undefined;
  output_format?: 'png' | 'webp' | 'jpeg' | undefined;
  partial_images?: number | undefined;
  quality?: 'low' | 'medium' | 'high' | 'auto' | undefined;
  size?: string | undefined;
}
export interface LocalShellTool {
  type: 'local_shell';
}
export interface ShellTool {
  type: 'shell';
  environment?: JsonObject | null | undefined;
  allowed_callers?: ToolCallers | undefined;
}
export interface CustomTool {
  type: 'custom';
  name: string;
  description?: string | undefined;
  format?: { type: 'text' } | { type: 'grammar'; syntax: 'lark' | 'regex'; definition: string } | undefined;
  defer_loading?: boolean | undefined;
  allowed_callers?: ToolCallers | undefined;
}
export interface ApplyPatchTool {
  type: 'apply_patch';
  allowed_callers?: ToolCallers | undefined;
}
export interface ToolSearchTool {
  type: 'tool_search';
  description?: string | null | undefined;
  execution?: 'server' | 'client' | undefined;
  parameters?: JsonValue | null | undefined;
}
export interface NamespaceTool {
  type: 'namespace';
  name: string;
  description: string;
  tools: Array<FunctionTool | CustomTool>;
}

/** Function tools, the built-in tools, MCP servers, custom tools. */
export type Tool =
  | FunctionTool
  | FileSearchTool
  | WebSearchTool
  | WebSearchPreviewTool
  | ComputerTool
  | ComputerUsePreviewTool
  | McpTool
  | CodeInterpreterTool
  | ImageGenerationTool
  | LocalShellTool
  | ShellTool
  | CustomTool
  | ApplyPatchTool
  | ToolSearchTool
  | NamespaceTool;

/** An open enumeration: the API adds values; the server decides. */
export type ToolChoiceOptions = 'auto' | 'none' | 'required' | (string & {});
export type ToolChoice =
  | ToolChoiceOptions
  | { type: 'function'; name: string }
  | { type: 'custom'; name: string }
  | { type: 'mcp'; server_label: string; name?: string | null | undefined }
  | { type: 'allowed_tools'; mode: 'auto' | 'required'; tools: JsonObject[] }
  | { type: 'apply_patch' }
  | { type: 'shell' }
  | { type: 'programmatic_tool_calling' }
  | {
      type:
        | 'file_search'
        | 'web_search_preview'
        | 'web_search_preview_2025_03_11'
        | 'computer'
        | 'computer_use'
        | 'computer_use_preview'
        | 'image_generation'
        | 'code_interpreter'
        | 'mcp';
    };

export interface TextFormatText {
  type: 'text';
}
export interface TextFormatJsonObject {
  type: 'json_object';
}
/** Structured output: the model's text is JSON valid against `schema` (see `jsonSchemaFormat`). */
export interface TextFormatJsonSchema {
  type: 'json_schema';
  name: string;
  schema: JsonObject;
  strict?: boolean | null | undefined;
  description?: string | undefined;
}
export type TextFormat = TextFormatText | TextFormatJsonObject | TextFormatJsonSchema;
export interface TextConfig {
  format?: TextFormat | undefined;
  verbosity?: 'low' | 'medium' | 'high' | (string & {}) | null | undefined;
}

export interface ReasoningConfig {
  effort?: 'none' | 'minimal' | 'low' | 'medium' | 'high' | 'xhigh' | (string & {}) | null | undefined;
  summary?: 'auto' | 'concise' | 'detailed' | (string & {}) | null | undefined;
  /** Deprecated spelling of `summary` (still echoed by some servers). */
  generate_summary?: 'auto' | 'concise' | 'detailed' | (string & {}) | null | undefined;
}

export type Includable =
  | 'web_search_call.action.sources'
  | 'web_search_call.results'
  | 'code_interpreter_call.outputs'
  | 'computer_call_output.output.image_url'
  | 'file_search_call.results'
  | 'message.input_image.image_url'
  | 'message.output_text.logprobs'
  | 'reasoning.encrypted_content'
  | (string & {});

export interface PromptReference {
  id: string;
  version?: string | null | undefined;
  variables?: Record<string, string | InputTextContent | InputImageContent | InputFileContent> | null | undefined;
}

/**
 * Open enumerations (any string is accepted and sent; the server decides): the known values
 * complete in an editor. `'in_memory'` is the API's spelling, `'in-memory'` CometAPI's pages'.
 */
export type PromptCacheRetention = 'in_memory' | 'in-memory' | '24h' | (string & {});
export type ServiceTier = 'auto' | 'default' | 'flex' | 'priority' | 'scale' | 'fast' | (string & {});
export type Truncation = 'auto' | 'disabled' | (string & {});

/**
 * `model` and `input` of POST /responses: both required, unless `prompt` (a stored prompt, which
 * may carry the model and the input) is given; then either may be left out (or given, to override
 * the prompt's).
 */
export type ResponseModelAndInput =
  | {
      model?: string | undefined;
      input?: string | InputItem[] | undefined;
      /** A stored prompt: it may carry the model and the input. */
      prompt: PromptReference;
    }
  | { model: string; input: string | InputItem[] };

/**
 * Every field of `ResponseCreateParams` but `model` and `input` (whose rule is
 * `ResponseModelAndInput`). To leave fields out of the params, omit them from this and intersect
 * with `ResponseModelAndInput` (`Omit` of the union `ResponseCreateParams` loses the rule).
 */
export interface ResponseCreateParamsBase {
  instructions?: string | null | undefined;
  background?: boolean | null | undefined;
  context_management?: Array<{ type: string; compact_threshold?: number | null | undefined }> | null | undefined;
  /** Not with previous_response_id. */
  conversation?: string | { id: string } | null | undefined;
  include?: Includable[] | null | undefined;
  /** Non-negative integer. */
  max_output_tokens?: number | null | undefined;
  /** Non-negative integer. */
  max_tool_calls?: number | null | undefined;
  /** At most 16 pairs; keys ≤ 64 characters; values strings ≤ 512 characters. */
  metadata?: Record<string, string> | null | undefined;
  parallel_tool_calls?: boolean | null | undefined;
  /** Not with conversation. */
  previous_response_id?: string | null | undefined;
  /** A stored prompt (its id, version and variables): with it, `model` and `input` may be left out. */
  prompt?: PromptReference | null | undefined;
  prompt_cache_key?: string | null | undefined;
  prompt_cache_retention?: PromptCacheRetention | null | undefined;
  reasoning?: ReasoningConfig | null | undefined;
  /** ≤ 64 characters. */
  safety_identifier?: string | null | undefined;
  service_tier?: ServiceTier | null | undefined;
  store?: boolean | null | undefined;
  /** Set by the client: false for create(), true for stream(). */
  stream?: boolean | null | undefined;
  /** Only with stream: true. */
  stream_options?: { include_obfuscation?: boolean | undefined } | null | undefined;
  /** 0 ≤ x ≤ 2. */
  temperature?: number | null | undefined;
  text?: TextConfig | null | undefined;
  tool_choice?: ToolChoice | null | undefined;
  tools?: Tool[] | null | undefined;
  /** Integer 0 ≤ x ≤ 20. */
  top_logprobs?: number | null | undefined;
  /** 0 ≤ x ≤ 1. */
  top_p?: number | null | undefined;
  truncation?: Truncation | null | undefined;
  /** Deprecated: use safety_identifier and prompt_cache_key. */
  user?: string | null | undefined;
}

/**
 * The body of POST /responses. `model` and `input` are required, unless `prompt` (a stored
 * prompt) is given: it may carry the model and the input (`ResponseModelAndInput`). Every field is
 * checked by name: a provider's own parameter goes through `WithVendorFields<ResponseCreateParams>`
 * (a variable of that type is accepted as is).
 */
export type ResponseCreateParams = ResponseCreateParamsBase & ResponseModelAndInput;

// ───────────────────────────────────────────────────────────── response

export interface ResponseUsage {
  input_tokens: number;
  input_tokens_details?: { cached_tokens: number; cache_write_tokens?: number | undefined } | undefined;
  output_tokens: number;
  output_tokens_details?: { reasoning_tokens: number } | undefined;
  total_tokens: number;
}

export interface ResponseErrorObject {
  code: string | null;
  message: string;
}

export type ResponseStatus = 'completed' | 'in_progress' | 'failed' | 'cancelled' | 'queued' | 'incomplete';

/**
 * The Response object as servers send it: in lifecycle events (`response.created`, …) and in
 * what `retrieve()`, `cancel()` and the stream's snapshot are built from. Only `id`, `object`,
 * `created_at`, `status`, `model` and `output` are sent by every compatible server.
 */
export interface ResponseObject {
  id: string;
  object: 'response';
  created_at: number;
  status: ResponseStatus;
  model: string;
  output: OutputItem[];
  /** Servers rarely send it; the client's `Response` always has it. */
  output_text?: string | undefined;
  background?: boolean | null | undefined;
  completed_at?: number | null | undefined;
  content_filters?: JsonValue | null | undefined;
  conversation?: { id: string } | null | undefined;
  error?: ResponseErrorObject | null | undefined;
  frequency_penalty?: number | null | undefined;
  incomplete_details?: { reason?: 'max_output_tokens' | 'content_filter' | (string & {}) | undefined } | null | undefined;
  instructions?: string | InputItem[] | null | undefined;
  max_output_tokens?: number | null | undefined;
  max_tool_calls?: number | null | undefined;
  metadata?: Record<string, string> | null | undefined;
  moderation?: JsonValue | null | undefined;
  parallel_tool_calls?: boolean | undefined;
  presence_penalty?: number | null | undefined;
  previous_response_id?: string | null | undefined;
  prompt?: PromptReference | null | undefined;
  prompt_cache_key?: string | null | undefined;
  prompt_cache_retention?: PromptCacheRetention | null | undefined;
  reasoning?: ReasoningConfig | null | undefined;
  safety_identifier?: string | null | undefined;
  service_tier?: ServiceTier | null | undefined;
  store?: boolean | undefined;
  temperature?: number | null | undefined;
  text?: TextConfig | undefined;
  tool_choice?: ToolChoice | undefined;
  tools?: Tool[] | undefined;
  top_logprobs?: number | null | undefined;
  top_p?: number | null | undefined;
  truncation?: Truncation | null | undefined;
  usage?: ResponseUsage | null | undefined;
  user?: string | null | undefined;
}

/** The Response object as this client returns it: `output_text` is always set. */
export interface Response extends ResponseObject {
  /** The concatenated text of every output_text part of every message item. */
  output_text: string;
}

export interface ResponseDeleted {
  id: string;
  object: string;
  deleted: boolean;
}

export interface InputItemList {
  object: 'list';
  /** The input as the server stored it: every item has its id. */
  data: Array<InputItem & { id: string }>;
  first_id: string | null;
  last_id: string | null;
  has_more: boolean;
}

// ───────────────────────────────────────────────────────────── events
//
// One interface per event type servers send, with its exact name and fields (OpenAI's list, plus
// what real servers send beyond it: `response.apply_patch_call_operation_diff.*`, `keepalive`, the
// nested `error` event). `sequence_number` is optional because older servers omit it.

interface EventBase {
  /** Absent on older servers. */
  sequence_number?: number | undefined;
}
interface ItemEventBase extends EventBase {
  item_id: string;
  output_index: number;
}
interface ContentEventBase extends ItemEventBase {
  content_index: number;
}

export interface ResponseCreatedEvent extends EventBase {
  type: 'response.created';
  response: ResponseObject;
}
export interface ResponseQueuedEvent extends EventBase {
  type: 'response.queued';
  response: ResponseObject;
}
export interface ResponseInProgressEvent extends EventBase {
  type: 'response.in_progress';
  response: ResponseObject;
}
export interface ResponseCompletedEvent extends EventBase {
  type: 'response.completed';
  response: ResponseObject;
}
export interface ResponseIncompleteEvent extends EventBase {
  type: 'response.incomplete';
  response: ResponseObject;
}
/**
 * A ResponseStream never hands it out (neither iteration nor on()): it ends the stream with an
 * ApiError whose `response` is the failed Response.
 */
export interface ResponseFailedEvent extends EventBase {
  type: 'response.failed';
  response: ResponseObject;
}

export interface ResponseOutputItemAddedEvent extends EventBase {
  type: 'response.output_item.added';
  output_index: number;
  item: OutputItem;
}
export interface ResponseOutputItemDoneEvent extends EventBase {
  type: 'response.output_item.done';
  output_index: number;
  item: OutputItem;
}
export interface ResponseContentPartAddedEvent extends ContentEventBase {
  type: 'response.content_part.added';
  part: OutputContent;
}
export interface ResponseContentPartDoneEvent extends ContentEventBase {
  type: 'response.content_part.done';
  part: OutputContent;
}

export interface ResponseTextDeltaEvent extends ContentEventBase {
  type: 'response.output_text.delta';
  delta: string;
  logprobs?: Logprob[] | undefined;
  obfuscation?: string | undefined;
}
export interface ResponseTextDoneEvent extends ContentEventBase {
  type: 'response.output_text.done';
  text: string;
  logprobs?: Logprob[] | undefined;
}
export interface ResponseOutputTextAnnotationAddedEvent extends ContentEventBase {
  type: 'response.output_text.annotation.added';
  annotation_index: number;
  annotation: Annotation;
}
export interface ResponseRefusalDeltaEvent extends ContentEventBase {
  type: 'response.refusal.delta';
  delta: string;
  obfuscation?: string | undefined;
}
export interface ResponseRefusalDoneEvent extends ContentEventBase {
  type: 'response.refusal.done';
  refusal: string;
}

export interface ResponseReasoningTextDeltaEvent extends ContentEventBase {
  type: 'response.reasoning_text.delta';
  delta: string;
  obfuscation?: string | undefined;
}
export interface ResponseReasoningTextDoneEvent extends ContentEventBase {
  type: 'response.reasoning_text.done';
  text: string;
}
export interface ResponseReasoningSummaryPartAddedEvent extends ItemEventBase {
  type: 'response.reasoning_summary_part.added';
  summary_index: number;
  part: SummaryTextContent;
}
export interface ResponseReasoningSummaryPartDoneEvent extends ItemEventBase {
  type: 'response.reasoning_summary_part.done';
  summary_index: number;
  part: SummaryTextContent;
  status?: 'incomplete' | undefined;
}
export interface ResponseReasoningSummaryTextDeltaEvent extends ItemEventBase {
  type: 'response.reasoning_summary_text.delta';
  summary_index: number;
  delta: string;
  obfuscation?: string | undefined;
}
export interface ResponseReasoningSummaryTextDoneEvent extends ItemEventBase {
  type: 'response.reasoning_summary_text.done';
  summary_index: number;
  text: string;
}

export interface ResponseFunctionCallArgumentsDeltaEvent extends ItemEventBase {
  type: 'response.function_call_arguments.delta';
  delta: string;
  obfuscation?: string | undefined;
}
export interface ResponseFunctionCallArgumentsDoneEvent extends ItemEventBase {
  type: 'response.function_call_arguments.done';
  arguments: string;
  /** Absent on older servers. */
  name?: string | undefined;
}
export interface ResponseCustomToolCallInputDeltaEvent extends ItemEventBase {
  type: 'response.custom_tool_call_input.delta';
  delta: string;
  obfuscation?: string | undefined;
}
export interface ResponseCustomToolCallInputDoneEvent extends ItemEventBase {
  type: 'response.custom_tool_call_input.done';
  input: string;
}
export interface ResponseMcpCallArgumentsDeltaEvent extends ItemEventBase {
  type: 'response.mcp_call_arguments.delta';
  delta: string;
  obfuscation?: string | undefined;
}
export interface ResponseMcpCallArgumentsDoneEvent extends ItemEventBase {
  type: 'response.mcp_call_arguments.done';
  arguments: string;
}
export interface ResponseCodeInterpreterCallCodeDeltaEvent extends ItemEventBase {
  type: 'response.code_interpreter_call_code.delta';
  delta: string;
  obfuscation?: string | undefined;
}
export interface ResponseCodeInterpreterCallCodeDoneEvent extends ItemEventBase {
  type: 'response.code_interpreter_call_code.done';
  code: string;
}

/** The status events of built-in tools: exactly the names servers send (no others exist). */
export interface ResponseToolStatusEvent<T extends string> extends ItemEventBase {
  type: T;
}
export type ResponseWebSearchCallInProgressEvent = ResponseToolStatusEvent<'response.web_search_call.in_progress'>;
export type ResponseWebSearchCallSearchingEvent = ResponseToolStatusEvent<'response.web_search_call.searching'>;
export type ResponseWebSearchCallCompletedEvent = ResponseToolStatusEvent<'response.web_search_call.completed'>;
export type ResponseFileSearchCallInProgressEvent = ResponseToolStatusEvent<'response.file_search_call.in_progress'>;
export type ResponseFileSearchCallSearchingEvent = ResponseToolStatusEvent<'response.file_search_call.searching'>;
export type ResponseFileSearchCallCompletedEvent = ResponseToolStatusEvent<'response.file_search_call.completed'>;
export type ResponseCodeInterpreterCallInProgressEvent = ResponseToolStatusEvent<'response.code_interpreter_call.in_progress'>;
export type ResponseCodeInterpreterCallInterpretingEvent = ResponseToolStatusEvent<'response.code_interpreter_call.interpreting'>;
export type ResponseCodeInterpreterCallCompletedEvent = ResponseToolStatusEvent<'response.code_interpreter_call.completed'>;
export type ResponseImageGenCallInProgressEvent = ResponseToolStatusEvent<'response.image_generation_call.in_progress'>;
export type ResponseImageGenCallGeneratingEvent = ResponseToolStatusEvent<'response.image_generation_call.generating'>;
export type ResponseImageGenCallCompletedEvent = ResponseToolStatusEvent<'response.image_generation_call.completed'>;
export type ResponseMcpCallInProgressEvent = ResponseToolStatusEvent<'response.mcp_call.in_progress'>;
export type ResponseMcpCallCompletedEvent = ResponseToolStatusEvent<'response.mcp_call.completed'>;
export type ResponseMcpCallFailedEvent = ResponseToolStatusEvent<'response.mcp_call.failed'>;
export type ResponseMcpListToolsInProgressEvent = ResponseToolStatusEvent<'response.mcp_list_tools.in_progress'>;
export type ResponseMcpListToolsCompletedEvent = ResponseToolStatusEvent<'response.mcp_list_tools.completed'>;
export type ResponseMcpListToolsFailedEvent = ResponseToolStatusEvent<'response.mcp_list_tools.failed'>;

export interface ResponseImageGenCallPartialImageEvent extends ItemEventBase {
  type: 'response.image_generation_call.partial_image';
  partial_image_index: number;
  /** A PNG/WebP/JPEG image, base64. */
  partial_image_b64: string;
  background?: string | undefined;
  output_format?: string | undefined;
  quality?: string | undefined;
  size?: string | undefined;
}

/** A shell_call's command (by `command_index`) being generated. These events carry no `item_id`. */
export interface ResponseShellCallCommandAddedEvent extends EventBase {
  type: 'response.shell_call_command.added';
  output_index: number;
  command_index: number;
  command: string;
}
export interface ResponseShellCallCommandDeltaEvent extends EventBase {
  type: 'response.shell_call_command.delta';
  output_index: number;
  command_index: number;
  delta: string;
  obfuscation?: string | undefined;
}
export interface ResponseShellCallCommandDoneEvent extends EventBase {
  type: 'response.shell_call_command.done';
  output_index: number;
  command_index: number;
  command: string;
}
/** A shell_call_output item's output of one command, as it runs. */
export interface ResponseShellCallOutputContentDeltaEvent extends ItemEventBase {
  type: 'response.shell_call_output_content.delta';
  command_index: number;
  delta: { stdout?: string | undefined; stderr?: string | undefined };
}
export interface ResponseShellCallOutputContentDoneEvent extends ItemEventBase {
  type: 'response.shell_call_output_content.done';
  command_index: number;
  output: ShellCommandOutput[];
}

/** The diff of an apply_patch_call's operation (sent by OpenAI, not in its SDK's types). */
export interface ResponseApplyPatchCallOperationDiffDeltaEvent extends ItemEventBase {
  type: 'response.apply_patch_call_operation_diff.delta';
  delta: string;
  obfuscation?: string | undefined;
}
export interface ResponseApplyPatchCallOperationDiffDoneEvent extends ItemEventBase {
  type: 'response.apply_patch_call_operation_diff.done';
  diff: string;
}

/** Audio output (audio-capable models): base64 audio, and its transcript. */
export interface ResponseAudioDeltaEvent extends EventBase {
  type: 'response.audio.delta';
  /** Base64 audio bytes. */
  delta: string;
}
export interface ResponseAudioDoneEvent extends EventBase {
  type: 'response.audio.done';
}
export interface ResponseAudioTranscriptDeltaEvent extends EventBase {
  type: 'response.audio.transcript.delta';
  delta: string;
}
export interface ResponseAudioTranscriptDoneEvent extends EventBase {
  type: 'response.audio.transcript.done';
}

/**
 * `error` as servers send it: the error nested in `error`. A ResponseStream never hands it out
 * (neither iteration nor on()): it ends the stream with an ApiError whose `body` is this event.
 */
export interface ResponseErrorEventNested extends EventBase {
  type: 'error';
  error: { type?: string | undefined; code?: string | null | undefined; message: string; param?: string | null | undefined };
  code?: never;
  message?: never;
  param?: never;
}
/** `error` as the API reference documents it: code, message and param on the event itself (never handed out either). */
export interface ResponseErrorEventFlat extends EventBase {
  type: 'error';
  code: string | null;
  message: string;
  param: string | null;
  error?: never;
}
/** Both shapes (e.g. in `ApiError.body`): read `event.error?.message ?? event.message`. */
export type ResponseErrorEvent = ResponseErrorEventNested | ResponseErrorEventFlat;

/** Sent by some servers to keep the connection open; never fatal. */
export interface ResponseKeepaliveEvent extends EventBase {
  type: 'keepalive';
}

/**
 * An event type this version does not list (servers add new ones): yielded as is, never fatal.
 * Its `type` is a template that no real name matches, so `event.type === 'response.output_text.delta'`
 * narrows to the known interface and a misspelt name does not compile; to handle a type this
 * version does not list, compare `(event.type as string)` and read the fields through
 * `WithVendorFields` (e.g. `const e = event as WithVendorFields<UnknownResponseEvent>`).
 */
export interface UnknownResponseEvent extends EventBase {
  type: `${string}\u0000unknown`;
}

/** Every event this version knows, discriminated on `type`. */
export type KnownResponseStreamEvent =
  | ResponseCreatedEvent
  | ResponseQueuedEvent
  | ResponseInProgressEvent
  | ResponseCompletedEvent
  | ResponseIncompleteEvent
  | ResponseFailedEvent
  | ResponseOutputItemAddedEvent
  | ResponseOutputItemDoneEvent
  | ResponseContentPartAddedEvent
  | ResponseContentPartDoneEvent
  | ResponseTextDeltaEvent
  | ResponseTextDoneEvent
  | ResponseOutputTextAnnotationAddedEvent
  | ResponseRefusalDeltaEvent
  | ResponseRefusalDoneEvent
  | ResponseReasoningTextDeltaEvent
  | ResponseReasoningTextDoneEvent
  | ResponseReasoningSummaryPartAddedEvent
  | ResponseReasoningSummaryPartDoneEvent
  | ResponseReasoningSummaryTextDeltaEvent
  | ResponseReasoningSummaryTextDoneEvent
  | ResponseFunctionCallArgumentsDeltaEvent
  | ResponseFunctionCallArgumentsDoneEvent
  | ResponseCustomToolCallInputDeltaEvent
  | ResponseCustomToolCallInputDoneEvent
  | ResponseMcpCallArgumentsDeltaEvent
  | ResponseMcpCallArgumentsDoneEvent
  | ResponseCodeInterpreterCallCodeDeltaEvent
  | ResponseCodeInterpreterCallCodeDoneEvent
  | ToolStatusEvent
  | ResponseImageGenCallPartialImageEvent
  | ResponseShellCallCommandAddedEvent
  | ResponseShellCallCommandDeltaEvent
  | ResponseShellCallCommandDoneEvent
  | ResponseShellCallOutputContentDeltaEvent
  | ResponseShellCallOutputContentDoneEvent
  | ResponseApplyPatchCallOperationDiffDeltaEvent
  | ResponseApplyPatchCallOperationDiffDoneEvent
  | ResponseAudioDeltaEvent
  | ResponseAudioDoneEvent
  | ResponseAudioTranscriptDeltaEvent
  | ResponseAudioTranscriptDoneEvent
  | ResponseErrorEventNested
  | ResponseErrorEventFlat
  | ResponseKeepaliveEvent;

/**
 * Every event of a Responses stream, discriminated on `type`. A ResponseStream hands out all but
 * `error` and `response.failed`, which end it with an ApiError instead.
 */
export type ResponseStreamEvent = KnownResponseStreamEvent | UnknownResponseEvent;

/** The name of every event type this version knows. */
export type ResponseStreamEventType = KnownResponseStreamEvent['type'];
/** The event interface(s) of type T. */
export type EventOfType<T extends ResponseStreamEventType> = Extract<KnownResponseStreamEvent, { type: T }>;

// Groups of the events, by what they do.
export type ResponseLifecycleEvent =
  | ResponseCreatedEvent
  | ResponseQueuedEvent
  | ResponseInProgressEvent
  | ResponseCompletedEvent
  | ResponseIncompleteEvent
  | ResponseFailedEvent;
export type OutputItemEvent = ResponseOutputItemAddedEvent | ResponseOutputItemDoneEvent;
export type ContentPartEvent = ResponseContentPartAddedEvent | ResponseContentPartDoneEvent;
export type TextDeltaEvent = ResponseTextDeltaEvent | ResponseRefusalDeltaEvent | ResponseReasoningTextDeltaEvent;
export type TextDoneEvent = ResponseTextDoneEvent | ResponseReasoningTextDoneEvent;
export type RefusalDoneEvent = ResponseRefusalDoneEvent;
export type AnnotationAddedEvent = ResponseOutputTextAnnotationAddedEvent;
export type ArgumentsDeltaEvent =
  | ResponseFunctionCallArgumentsDeltaEvent
  | ResponseMcpCallArgumentsDeltaEvent
  | ResponseCustomToolCallInputDeltaEvent
  | ResponseCodeInterpreterCallCodeDeltaEvent;
export type FunctionCallArgumentsDoneEvent = ResponseFunctionCallArgumentsDoneEvent | ResponseMcpCallArgumentsDoneEvent;
export type CustomToolCallInputDoneEvent = ResponseCustomToolCallInputDoneEvent;
export type CodeInterpreterCodeDoneEvent = ResponseCodeInterpreterCallCodeDoneEvent;
export type ReasoningSummaryPartEvent = ResponseReasoningSummaryPartAddedEvent | ResponseReasoningSummaryPartDoneEvent;
export type ReasoningSummaryTextDeltaEvent = ResponseReasoningSummaryTextDeltaEvent;
export type ReasoningSummaryTextDoneEvent = ResponseReasoningSummaryTextDoneEvent;
export type ToolStatusEvent =
  | ResponseWebSearchCallInProgressEvent
  | ResponseWebSearchCallSearchingEvent
  | ResponseWebSearchCallCompletedEvent
  | ResponseFileSearchCallInProgressEvent
  | ResponseFileSearchCallSearchingEvent
  | ResponseFileSearchCallCompletedEvent
  | ResponseCodeInterpreterCallInProgressEvent
  | ResponseCodeInterpreterCallInterpretingEvent
  | ResponseCodeInterpreterCallCompletedEvent
  | ResponseImageGenCallInProgressEvent
  | ResponseImageGenCallGeneratingEvent
  | ResponseImageGenCallCompletedEvent
  | ResponseMcpCallInProgressEvent
  | ResponseMcpCallCompletedEvent
  | ResponseMcpCallFailedEvent
  | ResponseMcpListToolsInProgressEvent
  | ResponseMcpListToolsCompletedEvent
  | ResponseMcpListToolsFailedEvent;
export type ImagePartialEvent = ResponseImageGenCallPartialImageEvent;
export type ErrorEvent = ResponseErrorEvent;
export type KeepaliveEvent = ResponseKeepaliveEvent;

// ───────────────────────────────────────────────────────────── structured outputs

/**
 * The Standard Schema interface (https://standardschema.dev, v1): zod ≥ 3.24, valibot, arktype
 * and others implement it. Declared here so that no dependency is needed.
 */
export interface StandardSchemaV1<Input = unknown, Output = Input> {
  readonly '~standard': StandardSchemaV1.Props<Input, Output>;
}
export namespace StandardSchemaV1 {
  interface Props<Input = unknown, Output = Input> {
    readonly version: 1;
    readonly vendor: string;
    readonly validate: (value: unknown) => Result<Output> | Promise<Result<Output>>;
    readonly types?: Types<Input, Output> | undefined;
  }
  type Result<Output> = SuccessResult<Output> | FailureResult;
  interface SuccessResult<Output> {
    readonly value: Output;
    readonly issues?: undefined;
  }
  interface FailureResult {
    readonly issues: ReadonlyArray<Issue>;
  }
  interface Issue {
    readonly message: string;
    readonly path?: ReadonlyArray<PropertyKey | PathSegment> | undefined;
  }
  interface PathSegment {
    readonly key: PropertyKey;
  }
  interface Types<Input = unknown, Output = Input> {
    readonly input: Input;
    readonly output: Output;
  }
  type InferInput<Schema extends StandardSchemaV1> = NonNullable<Schema['~standard']['types']>['input'];
  type InferOutput<Schema extends StandardSchemaV1> = NonNullable<Schema['~standard']['types']>['output'];
}

declare const parsedOutput: unique symbol;
declare const parsedInput: unique symbol;

/**
 * A `json_schema` text format whose parsed output has type T (what `output_parsed` holds: the
 * value `validate` returns) and whose JSON, before `validate`, has type TInput (the validator's
 * input type, what `partialParsed` is built from; T when there is no validator). Only a type: on
 * the wire it is the plain `{ type: 'json_schema', name, schema, strict, description? }`. A
 * format written by hand is a `JsonSchemaFormat<unknown>`.
 */
export interface JsonSchemaFormat<T = unknown, TInput = T> extends TextFormatJsonSchema {
  /** Never present: carries T for `parse()`, `stream()` and `runTools()`. */
  readonly [parsedOutput]?: T | undefined;
  /** Never present: carries TInput for the stream's `partialParsed`. */
  readonly [parsedInput]?: TInput | undefined;
}

/**
 * A JSON Schema given to a helper: any object (a `JsonObject`, zod's `z.toJSONSchema()` output, a
 * value typed with an interface such as `JSONSchema7`); sent as JSON.
 */
export type JsonSchemaInput = object;

export interface JsonSchemaFormatOptions {
  /** Default true. */
  strict?: boolean | undefined;
  description?: string | undefined;
}

/**
 * A `json_schema` text format, as sent on the wire: `{ type: 'json_schema', name, schema, strict,
 * description? }`. With `validate` (any Standard Schema, e.g. a zod 4 schema), `parse()` and the
 * stream's final response validate (and transform) the parsed output with it, and T is its output
 * type (`output_parsed`), while the stream's `partialParsed` (the JSON before validation) is typed
 * from its input type; `validate` is never sent: it is kept under a symbol key, which JSON skips
 * and a copy (`{ ...format, strict: false }`) keeps (`console.log` shows it).
 */
export function jsonSchemaFormat<S extends StandardSchemaV1>(
  name: string,
  schema: JsonSchemaInput,
  options: JsonSchemaFormatOptions & { validate: S },
): JsonSchemaFormat<StandardSchemaV1.InferOutput<S>, StandardSchemaV1.InferInput<S>> & { strict: boolean };
export function jsonSchemaFormat<T = unknown>(
  name: string,
  schema: JsonSchemaInput,
  options?: JsonSchemaFormatOptions & { validate?: undefined },
): JsonSchemaFormat<T> & { strict: boolean };

/**
 * Params whose `text.format` is a json_schema format (from `jsonSchemaFormat` or by hand): T its
 * output type, TInput its JSON's type before validation.
 */
export type ParseParams<T = unknown, TInput = T> = Omit<ResponseCreateParamsBase, 'text'> &
  ResponseModelAndInput & {
    text: Omit<TextConfig, 'format'> & { format: JsonSchemaFormat<T, TInput> };
  };

/** A Response with the parsed (and validated) output text: `null` when the model refused. */
export interface ParsedResponse<T> extends Response {
  output_parsed: T | null;
}

/**
 * The best-effort value of a JSON document of type T while it streams: objects with the keys
 * received so far, strings as their received prefix, numbers and literals once complete.
 */
export type PartialParsed<T> = T extends string | number | boolean | null
  ? T
  : T extends ReadonlyArray<infer U>
    ? PartialParsed<U>[]
    : T extends object
      ? { [K in keyof T]?: PartialParsed<T[K]> | undefined }
      : T;

/**
 * Incremental partial JSON (the Rust core): after each `push`, `value` is the best effort value
 * of all the text pushed so far (strings as their received prefix, incomplete keys and literals
 * left out), in time linear in the total length; exactly `JSON.parse`'s result once the text is a
 * complete document. Holds wasm memory: `free()` (or `using`) releases it at once.
 */
export class PartialJsonParser {
  constructor();
  /** Appends the next piece of the text. Invalid JSON keeps the value as it was before it; later pushes are ignored. */
  push(text: string): void;
  /** The end of the text: a document that is one number (`42`) completes only here. Later pushes are ignored. */
  finish(): void;
  /** The value so far; undefined before any value has started. */
  readonly value: JsonValue | undefined;
  free(): void;
  [Symbol.dispose](): void;
}

// ───────────────────────────────────────────────────────────── tool loop

/** What a tool's `execute` gets besides its arguments. */
export interface ToolContext {
  /** Aborted when the run is (abort(), its signal). */
  signal: AbortSignal;
  /** The function call's `call_id`. */
  callId: string;
}

/**
 * A function tool with the code that answers it. On the wire it is the plain `FunctionTool`
 * (`execute` and `validate` are never sent). Without `execute`, a call of it stops the run, the
 * pending call in the final response (human in the loop).
 */
export interface RunnableFunctionTool<Args = unknown> extends FunctionTool {
  /** Runs a call; a string result is sent back as is, anything else JSON-encoded; a throw sends its message. */
  execute?: { bivarianceHack(args: Args, context: ToolContext): unknown }['bivarianceHack'] | undefined;
  /** Validates (and transforms) the parsed arguments; a failure is sent back as the output. */
  validate?: StandardSchemaV1<unknown, Args> | undefined;
}

export interface FunctionToolDefinition<Args> {
  name: string;
  description?: string | null | undefined;
  /** A JSON Schema of the arguments. */
  parameters?: JsonSchemaInput | null | undefined;
  strict?: boolean | null | undefined;
  execute?: { bivarianceHack(args: Args, context: ToolContext): unknown }['bivarianceHack'] | undefined;
}

/** A function tool for `runTools`: the wire definition plus `execute` (and `validate`). */
// ───────────────────────────────────────────────────────────── attachments

/**
 * What `inputImage` / `inputFile` take: bytes (an ArrayBuffer or SharedArrayBuffer, any
 * ArrayBufferView), a Blob or File, an http(s) or data: URL, or an uploaded file's id.
 */
export type AttachmentSource = Blob | ArrayBufferLike | ArrayBufferView | string | { fileId: string };

export interface InputImageOptions {
  /** Default `'auto'`. */
  detail?: 'low' | 'high' | 'auto' | (string & {}) | undefined;
  /** The MIME type when the source carries none (a Blob's `type` wins); else it is sniffed (PNG, JPEG, GIF, WebP). */
  mimeType?: string | undefined;
  /** Larger sources are a ValidationError before they are read. Default 50 MiB. */
  maxBytes?: number | undefined;
}
export interface InputFileOptions {
  /** The filename when the source carries none (a File's `name` wins); else `file.<ext>` from the MIME type. */
  filename?: string | undefined;
  /** The MIME type when the source carries none; else sniffed (PDF, the image types), else `application/octet-stream`. */
  mimeType?: string | undefined;
  /** Default 50 MiB. */
  maxBytes?: number | undefined;
}

/**
 * An `input_image` content part: `{ type, image_url: 'data:<mime>;base64,…', detail }` for bytes
 * and Blobs, `{ type, image_url: url, detail }` for a URL, `{ type, file_id, detail }` for a file
 * id. Bytes that are not an image (and a declared non-image type) reject with a ValidationError
 * (`param: 'image'`); so does a source over `maxBytes`.
 */
export function inputImage(
  source: AttachmentSource,
  options?: InputImageOptions,
): Promise<InputImageContent & ({ image_url: string; detail: string } | { file_id: string; detail: string })>;
/**
 * An `input_file` content part: `{ type, filename, file_data: 'data:<mime>;base64,…' }`,
 * `{ type, file_url }` for an http(s) URL, or `{ type, file_id }`. ValidationError `param: 'file'`.
 */
export function inputFile(
  source: AttachmentSource,
  options?: InputFileOptions,
): Promise<InputFileContent & ({ filename: string; file_data: string } | { file_url: string } | { file_id: string })>;

/** One text redacted as it arrives in chunks: all strings or all bytes (an HTTP body). */
export interface RedactorStream {
  /** What can be passed on now (a possible start of the key at the end waits for the next chunk). */
  push(chunk: string): string;
  push(chunk: Uint8Array): Uint8Array;
  /**
   * The last chunk and everything held back, redacted; the stream starts over. Without a chunk:
   * a string after string chunks, else bytes (typed as bytes: write `end('')` for text).
   */
  end(last: string): string;
  end(last?: Uint8Array): Uint8Array;
}
/** What a proxy that holds the API key uses to keep it out of what it passes on. */
export interface Redactor {
  /** `text` with the key and every run of 10+ bytes of it replaced by `[redacted]`. */
  redact(text: string): string;
  /**
   * An error message redacted: `redact(text)`, and anything shaped like an API key (`sk-` at the
   * start of a word and 4+ of `A-Za-z0-9*._-`, another key or a masked echo) replaced by `[redacted]`.
   */
  message(text: string): string;
  /** `value` with every string and property name redacted (parts without the key shared). */
  value<T>(value: T): T;
  /**
   * A stream (a fragment split across chunks is found too). `hold` (default 1): a possible start
   * of the key this many bytes long or longer at the end of a chunk waits for the next chunk; 1 passes
   * on nothing of the key, more passes text on sooner and up to `hold - 1` bytes of a key before
   * its mask.
   */
  stream(options?: { hold?: number | undefined }): RedactorStream;
}
/**
 * The client's own redactor for `key`: the key and every run of 10+ of its bytes (the key without
 * its `sk-` prefix, a cut of it) become `[redacted]`; a key shorter than 10 bytes is redacted whole;
 * an empty key (and `null` / `undefined`: an unset `process.env.COMETAPI_KEY`) redacts nothing.
 */
export function createRedactor(key: string | null | undefined): Redactor;

export function functionTool<S extends StandardSchemaV1>(
  definition: FunctionToolDefinition<StandardSchemaV1.InferOutput<S>> & { validate: S },
): RunnableFunctionTool<StandardSchemaV1.InferOutput<S>>;
export function functionTool<Args = unknown>(definition: FunctionToolDefinition<Args> & { validate?: undefined }): RunnableFunctionTool<Args>;

/** `runTools` params: any create params, with tools that may carry `execute`. */
export type RunToolsParams = Omit<ResponseCreateParamsBase, 'tools' | 'stream'> &
  ResponseModelAndInput & {
    tools: Array<Tool | RunnableFunctionTool>;
  };

export interface RunToolsOptions extends RequestOptions {
  /** Responses at most (default 10). */
  maxSteps?: number | undefined;
  /** `execute` calls running at once at most (default 8; a positive integer, else ValidationError). Outputs keep the calls' order. */
  concurrency?: number | undefined;
  /** Run the loop over this WebSocket: each step sends only the new items + previous_response_id (with store: false too). */
  socket?: ResponsesSocket | undefined;
}

/** Why a tool run stopped. */
export type ToolRunStopReason = 'no_tool_calls' | 'max_steps' | 'pending_calls' | 'no_response_id' | 'incomplete';

/** A function call of the final response that the run did not run. */
export interface PendingToolCall {
  call_id: string;
  name: string;
  /** The arguments as generated (JSON text). */
  arguments: string;
}

/** One function call of a step and what was sent back for it. */
export interface ToolCallRecord {
  call_id: string;
  name: string;
  /** The arguments as generated (JSON text). */
  arguments: string;
  /**
   * The `function_call_output` sent back: the result (a string as is, anything else
   * JSON-encoded; `undefined` as ""), or `Error: <message>` for a failed call. Calls left pending
   * (a tool without `execute`) are not here: they are in the final response.
   */
  output: string;
  /**
   * Why the call failed (set whenever `output` is an `Error: …` the loop wrote): what `execute`
   * threw (a thrown non-Error wrapped in an Error), the TypeError of a result `JSON.stringify`
   * cannot encode (a cycle, a BigInt), or an OutputParseError for arguments that are not valid
   * JSON (`text`) or fail `validate` (`issues`).
   */
  error?: Error | undefined;
}

/** One response of a run and the calls it made. */
export interface ToolRunStep {
  response: Response;
  toolCalls: ToolCallRecord[];
}

/**
 * A tool loop in progress: iterate it for every step's wire events, in order. Each response's
 * function calls run concurrently (at most `concurrency` at once); the next request chains with
 * `previous_response_id` (or, with `store: false`, resends the whole history). It stops when a
 * response has no call to answer, after `maxSteps` responses, when a called tool has no
 * `execute`, or when a response was cut off (none of its calls runs). A response with an item the
 * loop cannot answer (an `mcp_approval_request`, `custom_tool_call`, `computer_call`,
 * `local_shell_call`, `shell_call`, `apply_patch_call`) stops it too, with `'pending_calls'` (unless
 * cut off or at `maxSteps`): none of its function calls runs; the caller answers those items itself
 * (they are in the final response's `output`, not in `pendingCalls`).
 */
export interface ToolRun<TParsed = never> extends AsyncIterable<ResponseStreamEvent> {
  [Symbol.asyncIterator](): AsyncIterator<ResponseStreamEvent, undefined>;
  /** The last Response (reads the run to its end if needed); with a json_schema format, its `output_parsed`. */
  finalResponse(): Promise<[TParsed] extends [never] ? Response : ParsedResponse<TParsed>>;
  /** One entry per response so far. */
  readonly steps: readonly ToolRunStep[];
  /**
   * Why the run stopped; null until it did. `'incomplete'`: the last response had function calls
   * and was cut off (`status: "incomplete"`, or a function call still `in_progress` /
   * `incomplete`), so none of its calls ran. A cut-off response without calls is the answer
   * (`'no_tool_calls'`; its `status` says it was cut).
   */
  readonly stopReason: ToolRunStopReason | null;
  /**
   * Once stopped: the final response's function calls that did not run (empty after an answer,
   * and when its only calls are items of other kinds, such as an `mcp_approval_request`).
   */
  readonly pendingCalls: readonly PendingToolCall[];
  /** Stops everything: no further request; the run rejects with AbortError. */
  abort(): void;
}

// ───────────────────────────────────────────────────────────── compact, input tokens, conversations

/** The body of POST /responses/compact (sent as given). */
export interface CompactParams {
  model: string;
  input?: string | InputItem[] | null | undefined;
  instructions?: string | null | undefined;
  previous_response_id?: string | null | undefined;
  prompt_cache_key?: string | null | undefined;
  prompt_cache_retention?: PromptCacheRetention | null | undefined;
  service_tier?: ServiceTier | null | undefined;
}
/** The answer of POST /responses/compact: the user messages, then one compaction item. */
export interface CompactedResponse {
  id: string;
  object: 'response.compaction';
  created_at: number;
  output: OutputItem[];
  usage: ResponseUsage;
}

/** The body of POST /responses/input_tokens. */
export interface InputTokensParams {
  model?: string | null | undefined;
  input?: string | InputItem[] | null | undefined;
  instructions?: string | null | undefined;
  conversation?: string | { id: string } | null | undefined;
  previous_response_id?: string | null | undefined;
  parallel_tool_calls?: boolean | null | undefined;
  reasoning?: ReasoningConfig | null | undefined;
  text?: TextConfig | null | undefined;
  tool_choice?: ToolChoice | null | undefined;
  tools?: Tool[] | null | undefined;
  truncation?: Truncation | null | undefined;
}
export interface InputTokenCount {
  object: 'response.input_tokens';
  input_tokens: number;
}

export interface Conversation {
  id: string;
  object: 'conversation';
  created_at: number;
  metadata: Record<string, string> | null;
}
export interface ConversationDeleted {
  id: string;
  object: 'conversation.deleted';
  deleted: boolean;
}
export interface ConversationCreateParams {
  /** Up to 20 items to start with. */
  items?: InputItem[] | null | undefined;
  metadata?: Record<string, string> | null | undefined;
}
export interface ConversationUpdateParams {
  metadata: Record<string, string> | null;
}
/** A message stored in a conversation (user, assistant, system or developer). */
export interface ConversationMessage {
  type: 'message';
  id: string;
  role: Role | 'unknown' | 'critic' | 'discriminator' | 'tool';
  status: ItemStatus;
  content: Array<
    | InputTextContent
    | OutputTextContent
    | { type: 'text'; text: string }
    | SummaryTextContent
    | ReasoningTextContent
    | RefusalContent
    | InputImageContent
    | (ComputerScreenshot & { detail?: string | undefined })
    | InputFileContent
  >;
  phase?: 'commentary' | 'final_answer' | null | undefined;
}
/** An item stored in a conversation: a message or any other item, always with its `id`. */
export type ConversationItem = ConversationMessage | (Exclude<OutputItem, OutputMessage> & { id: string });
export interface ConversationItemList {
  object: 'list';
  data: ConversationItem[];
  first_id: string | null;
  last_id: string | null;
  has_more: boolean;
}
export interface ConversationItemsCreateParams {
  /** Up to 20 items. */
  items: InputItem[];
}
/** Options of `items.create` and `items.retrieve`: `include` goes in the query string. */
export interface ConversationItemOptions extends RequestOptions {
  include?: Includable[] | undefined;
}

// ───────────────────────────────────────────────────────────── files

/** A file uploaded with `client.files.create`. */
export interface FileObject {
  id: string;
  object: 'file';
  bytes: number;
  created_at: number;
  expires_at?: number | null | undefined;
  filename: string;
  purpose: 'assistants' | 'batch' | 'fine-tune' | 'vision' | 'user_data' | 'evals' | (string & {});
  status?: 'uploaded' | 'processed' | 'error' | (string & {}) | undefined;
  status_details?: string | null | undefined;
}
export interface FileCreateParams {
  /** The bytes to upload. */
  file: Blob | ArrayBuffer | ArrayBufferView;
  /** When the file carries no name (a File's `name` wins); else `file.<ext>` from its type, sniffed when not given. */
  filename?: string | undefined;
  purpose: FileObject['purpose'];
  /** When the file expires (sent as the multipart fields `expires_after[anchor]`, `expires_after[seconds]`). */
  expires_after?: { anchor: 'created_at' | (string & {}); seconds: number } | undefined;
}
export interface FileListOptions extends RequestOptions {
  purpose?: string | undefined;
  /** 1–10000. */
  limit?: number | undefined;
  after?: string | undefined;
  order?: 'asc' | 'desc' | undefined;
}
export interface FileList {
  object: 'list';
  data: FileObject[];
  first_id?: string | null | undefined;
  last_id?: string | null | undefined;
  has_more: boolean;
}
export interface FileDeleted {
  id: string;
  object: 'file';
  deleted: boolean;
}

/**
 * `client.files`: the Files API (same options, retries, errors and id rules as every method).
 * Every method but `content` resolves with `null` on a success without a body (a 204 some
 * servers send for a delete); each is typed as the body the API documents, as openai-node
 * types them.
 */
export interface Files {
  /** POST /files, a multipart/form-data body (`purpose`, `file`, and the other members as fields: `a[b]` for an object's, `a[]` for an array's). */
  create(params: FileCreateParams, opts?: RequestOptions): Promise<FileObject>;
  /** GET /files/{id}. */
  retrieve(id: string, opts?: RequestOptions): Promise<FileObject>;
  /** GET /files. */
  list(opts?: FileListOptions): Promise<FileList>;
  /** DELETE /files/{id}. */
  delete(id: string, opts?: RequestOptions): Promise<FileDeleted>;
  /**
   * GET /files/{id}/content: the HTTP response, its body unread (`await res.arrayBuffer()`,
   * `res.body`). Errors (404, …) reject as ApiError, after retries; the timeout covers the
   * request until its headers. Never `null`: a 204 is handed over as its Response too.
   */
  content(id: string, opts?: RequestOptions): Promise<globalThis.Response>;
}

/**
 * `client.conversations`: the Conversations API. Each method (and each of `items`) resolves
 * with `null` on a success without a body (a 204 some servers send for a delete); each is typed
 * as the body the API documents, as openai-node types them.
 */
export interface Conversations {
  /** POST /conversations. */
  create(params?: ConversationCreateParams, opts?: RequestOptions): Promise<Conversation>;
  /** GET /conversations/{id}. */
  retrieve(id: string, opts?: RequestOptions): Promise<Conversation>;
  /** POST /conversations/{id}. */
  update(id: string, params: ConversationUpdateParams, opts?: RequestOptions): Promise<Conversation>;
  /** DELETE /conversations/{id}. */
  delete(id: string, opts?: RequestOptions): Promise<ConversationDeleted>;
  readonly items: ConversationItems;
}
/** `client.conversations.items`: the items of a conversation. */
export interface ConversationItems {
  /** POST /conversations/{id}/items → the items added. */
  create(id: string, params: ConversationItemsCreateParams, opts?: ConversationItemOptions): Promise<ConversationItemList>;
  /** GET /conversations/{id}/items?after&limit&order&include. */
  list(id: string, opts?: InputItemsOptions): Promise<ConversationItemList>;
  /** GET /conversations/{id}/items/{item_id}. */
  retrieve(id: string, itemId: string, opts?: ConversationItemOptions): Promise<ConversationItem>;
  /** DELETE /conversations/{id}/items/{item_id} → the conversation. */
  delete(id: string, itemId: string, opts?: RequestOptions): Promise<Conversation>;
}

// ───────────────────────────────────────────────────────────── client

/**
 * A `Headers` (or any object with `entries()` and `get()`, such as a Map), read once when the
 * options are given. An array of `[name, value]` pairs is not taken (a TypeError).
 */
export interface HeadersLike {
  entries(): Iterable<[string, string]>;
  get(name: string): string | null | undefined;
}

export interface ClientOptions {
  /** Sent as `Authorization: Bearer …`; omit behind a proxy that adds it. */
  apiKey?: string | undefined;
  /** Default "https://api.cometapi.com/v1". */
  baseURL?: string | undefined;
  /**
   * Default globalThis.fetch. Called with the URL as a string and an init (`method`, `headers`,
   * `signal`, `body`). A call signature rather than `typeof fetch`, which carries a runtime's
   * extra members (Bun's `fetch.preconnect`) that a custom function has no need of.
   */
  fetch?: ((url: string, init: RequestInit) => Promise<globalThis.Response>) | undefined;
  /** Sent with every request: a plain object of strings, or a `Headers`. */
  headers?: Record<string, string> | HeadersLike | undefined;
  /**
   * Retries of 408, 409, 429, ≥ 500, timeouts and connection errors (none once a success's headers
   * have come); a background stream's resumes in a row without progress count against it too.
   * Default 2.
   */
  maxRetries?: number | undefined;
  /** Per attempt, ms: until the headers, then between two chunks of the body. Default 600000. */
  timeout?: number | undefined;
  /**
   * The largest event a stream takes, in bytes (an integer ≥ 1; default 16 MiB): a larger one
   * ends the stream with StreamError. Raise it for responses whose final event carries large
   * results (several generated images in base64).
   */
  maxEventSize?: number | undefined;
}

export interface RequestOptions {
  signal?: AbortSignal | undefined;
  timeout?: number | undefined;
  maxRetries?: number | undefined;
  /** Added to the client's (they win): a plain object of strings, or a `Headers`. */
  headers?: Record<string, string> | HeadersLike | undefined;
}

export interface RetrieveOptions extends RequestOptions {
  /** Extra output to include (`include[]` in the query), as `create`'s `include`. */
  include?: Includable[] | undefined;
}

export interface RetrieveStreamOptions extends RetrieveOptions {
  /** Yield only the events after this sequence number (`stream.response` still holds the whole response). */
  startingAfter?: number | undefined;
}

export interface InputItemsOptions extends RequestOptions {
  after?: string | undefined;
  /** 1–100. */
  limit?: number | undefined;
  order?: 'asc' | 'desc' | undefined;
  include?: Includable[] | undefined;
}

/** A client of the Responses API (CometAPI by default, any compatible server by baseURL). */
export class ResponsesClient {
  constructor(options?: ClientOptions);
  /** POST /responses (non-streaming). Throws ValidationError before sending for invalid params. */
  create(params: ResponseCreateParams, opts?: RequestOptions): Promise<Response>;
  /**
   * POST /responses with stream: true. Returns at once; throws ValidationError synchronously for
   * invalid params. With a json_schema format, the stream has `partialParsed` and its final
   * response `output_parsed`.
   */
  stream<T, TInput>(params: ParseParams<T, TInput>, opts?: RequestOptions): ResponseStream<T, TInput>;
  stream(params: ResponseCreateParams, opts?: RequestOptions): ResponseStream;
  /** create() with a json_schema format, its output text parsed (and validated) into `output_parsed`. */
  parse<T>(params: ParseParams<T, unknown>, opts?: RequestOptions): Promise<ParsedResponse<T>>;
  /** A tool loop: streams each response, runs its function calls, sends the results back. */
  runTools<T>(
    params: Omit<ResponseCreateParamsBase, 'tools' | 'stream' | 'text'> &
      ResponseModelAndInput & {
        tools: Array<Tool | RunnableFunctionTool>;
        text: Omit<TextConfig, 'format'> & { format: JsonSchemaFormat<T, unknown> };
      },
    opts?: RunToolsOptions,
  ): ToolRun<T>;
  runTools(params: RunToolsParams, opts?: RunToolsOptions): ToolRun;
  retrieve(id: string, opts?: RetrieveOptions): Promise<Response>;
  /**
   * Replays a background response's events (GET /responses/{id}?stream=true, from its first event
   * so that `stream.response` is whole: `startingAfter` hides the events through it; a resume after
   * a dropped connection asks for those after the last one read, with `starting_after`).
   */
  retrieveStream(id: string, opts?: RetrieveStreamOptions): ResponseStream;
  cancel(id: string, opts?: RequestOptions): Promise<Response>;
  /**
   * DELETE /responses/{id}. This method, `inputItems`, `compact` and `countInputTokens` resolve
   * with `null` on a success without a body (a 204 some servers send for a delete); each is
   * typed as the body the API documents, as openai-node types them. create, retrieve, cancel
   * and parse need a Response: a success without a body is a StreamError.
   */
  delete(id: string, opts?: RequestOptions): Promise<ResponseDeleted>;
  inputItems(id: string, opts?: InputItemsOptions): Promise<InputItemList>;
  /** POST /responses/compact. */
  compact(params: CompactParams, opts?: RequestOptions): Promise<CompactedResponse>;
  /** POST /responses/input_tokens. */
  countInputTokens(params: InputTokensParams, opts?: RequestOptions): Promise<InputTokenCount>;
  readonly conversations: Conversations;
  /** The Files API. */
  readonly files: Files;
  /**
   * WebSocket mode: opens wss:// (ws:// for http) of baseURL + '/responses' and resolves with
   * the socket once open (ConnectionError when it cannot). `Authorization: Bearer <apiKey>` goes
   * on the upgrade where the runtime allows headers (Workers, Node ≥ 22, Bun, Deno, or a
   * `WebSocket` constructor such as the ws package's); without an apiKey, no header.
   */
  connect(opts?: ConnectOptions): Promise<ResponsesSocket>;
}

export interface ConnectOptions {
  signal?: AbortSignal | undefined;
  /** ms to wait for the connection to open. */
  timeout?: number | undefined;
  /** A WebSocket constructor taking `(url, { headers })`, e.g. `import WebSocket from 'ws'`. */
  WebSocket?: unknown;
}

export interface SocketRequestOptions {
  signal?: AbortSignal | undefined;
  /** The lane: same lane FIFO, different lanes concurrently (the wire's `stream_id`). */
  streamId?: string | undefined;
}

/** One WebSocket connection to /responses for many responses (from `client.connect()`). */
export class ResponsesSocket {
  private constructor();
  readonly url: string;
  /** Resolves once the socket is closed by close() (a dropped connection reconnects on the next call). */
  readonly closed: Promise<void>;
  /** A response over the socket (the same ResponseStream as over HTTP). Invalid params throw at once. */
  stream<T, TInput>(params: ParseParams<T, TInput>, opts?: SocketRequestOptions): ResponseStream<T, TInput>;
  stream(params: ResponseCreateParams, opts?: SocketRequestOptions): ResponseStream;
  create(params: ResponseCreateParams, opts?: SocketRequestOptions): Promise<Response>;
  /** Sends `generate: false`: prepares the request state; resolves with the (empty) Response to chain from. */
  warmup(params: ResponseCreateParams, opts?: SocketRequestOptions): Promise<Response>;
  /**
   * Adds input to the response running on the lane, once its `response.created` came (`await
   * stream.ready()`; before it: ValidationError); rejects with ApiError when the server refuses it.
   */
  steer(input: string | InputItem[], opts?: { streamId?: string | undefined }): Promise<'accepted' | 'pending'>;
  /** 'response': a response the server started by itself (a steered response's successor). */
  on(type: 'response', handler: (stream: ResponseStream) => void): this;
  close(): void;
}

/**
 * A stream of Responses events; single consumer; leaving `for await` early aborts the request.
 * `TParsed` is the output type of a json_schema stream (`never` for others), `TInput` the type
 * of its JSON before validation (the format's validator's input type; `TParsed` without one).
 */
export class ResponseStream<TParsed = never, TInput = TParsed> implements AsyncIterableIterator<ResponseStreamEvent> {
  private constructor();
  /**
   * Parses any ReadableStream of SSE bytes (e.g. from your own proxy). An `event: error` frame
   * written by `toReadableStream()` becomes the error it stands for (ApiError with `status` and
   * `requestId`, ConnectionError, TimeoutError, StreamError). Aborting `signal`, or a body whose
   * read fails with an AbortError (its fetch was aborted), ends the stream with AbortError.
   */
  static fromReadableStream(body: ReadableStream<Uint8Array>, opts?: { signal?: AbortSignal | undefined; maxEventSize?: number | undefined }): ResponseStream;
  /**
   * Reads a fetch Response of your own route (e.g. one `toResponse()` made): a success status as
   * an SSE stream, an error status as the API's error body (ApiError with its `status`, `code`,
   * `type`, `param`, `message`, `requestId`; the classes `toResponse()` writes for other failures).
   */
  static fromResponse(res: globalThis.Response, opts?: { signal?: AbortSignal | undefined; maxEventSize?: number | undefined }): ResponseStream;
  [Symbol.asyncIterator](): ResponseStream<TParsed, TInput>;
  next(): Promise<IteratorResult<ResponseStreamEvent, undefined>>;
  return(): Promise<IteratorResult<ResponseStreamEvent, undefined>>;
  /**
   * Resolves with the completed or incomplete Response. Reads the rest itself only when nobody
   * else does: beside a `for await` or `toResponse()` / `toReadableStream()` started in the same
   * task (a route recording usage), it waits for their end and they keep every event.
   */
  finalResponse(): Promise<[TParsed] extends [never] ? Response : ParsedResponse<TParsed>>;
  /**
   * `handler(event)` for each event of `type` ("*": every event) as the stream is read. Starts
   * reading if nothing else does (after the current task); what it reads before an iterator or
   * `finalResponse()` asks is kept for them, so they still see every event. `error` events (not
   * accepted here) and `response.failed` are never handed out (to handlers or to iteration): they
   * end the stream with an ApiError, which on('error') gets; a `response.failed` handler never runs.
   */
  on<T extends Exclude<ResponseStreamEventType, 'error'>>(type: T, handler: (event: EventOfType<T>) => void): this;
  on(type: '*', handler: (event: ResponseStreamEvent) => void): this;
  /**
   * `handler(error)` when the stream fails: 'abort' gets the AbortError, 'error' any other
   * failure: an ApiError (an HTTP error, or an in-stream `error` / `response.failed` event),
   * ConnectionError, TimeoutError or StreamError. One more case is typed out: a value an event
   * handler of yours throws ends the stream and reaches this handler as it was thrown. Without
   * them a failure nobody awaits is dropped silently (no unhandled rejection); `finalResponse()`
   * still rejects with it.
   */
  on(type: 'error', handler: (error: ApiError | ConnectionError | TimeoutError | StreamError) => void): this;
  on(type: 'abort', handler: (error: AbortError) => void): this;
  off(type: string, handler: (event: never) => void): this;
  /**
   * The Response built from the events read so far, the one in hand included; null only before
   * the first event that writes output or a lifecycle event (a bridge may send no response.created).
   */
  readonly response: Response | null;
  /**
   * json_schema streams: the best-effort value of the output text so far, reflecting every event
   * yielded so far (the one in hand included); undefined before any text, and on other streams.
   * It is the JSON as it arrives, never validated: typed from the validator's input type (a zod
   * `z.string().transform(Number)` field is a string here, a number in `output_parsed`).
   */
  readonly partialParsed: [TParsed] extends [never] ? undefined : PartialParsed<TInput> | undefined;
  abort(): void;
  /**
   * The events as text/event-stream bytes (for proxies), each as the server sent it. A failure
   * with no event of its own (an HTTP error before the first byte, an unreachable upstream, a
   * timeout, a broken body) ends the bytes with an `event: error` frame in the API's error
   * shape plus `status`, `request_id` and `class` (redacted), which `fromReadableStream()`
   * reads back as the same error. Only an abort errors the ReadableStream. Event handlers
   * registered before it in the same task (`on()`) see each event as it is passed on, and
   * `response` follows; a handler that throws or aborts errors the ReadableStream.
   */
  toReadableStream(): ReadableStream<Uint8Array>;
  /**
   * Resolves once the first event arrived (it is kept for whoever reads next); rejects with the
   * error when the request failed before any event, or when the first event is an in-stream
   * failure (`error`, `response.failed`). Lets a route choose its HTTP status.
   */
  ready(): Promise<void>;
  /**
   * A Response for a server route: 200 with `toReadableStream()` as text/event-stream (an
   * in-stream failure that is the first event too, as the server sent it), or, on a failure
   * before the first event, the upstream's status (502 without one, 504 for a timeout) with the
   * API's JSON error body (`{"error":{…, "status", "request_id"}}`). Rejects only with
   * AbortError. `init.headers` (anything `new Headers()` takes) are added.
   */
  toResponse(init?: { headers?: ConstructorParameters<typeof Headers>[0] | undefined }): Promise<globalThis.Response>;
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
  /** A known event, or any object with a `type` (an event this version does not list). */
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
  maxEventSize?: number | undefined;
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
  /** The x-request-id header of the answer that carried the error (an error body, or the stream an in-stream error came in). */
  readonly requestId: string | undefined;
  /** The error body (parsed JSON when it is JSON), or the event. */
  readonly body: JsonValue | undefined;
  /** The Response the error belongs to (response.failed; the partial snapshot for error events). */
  readonly response: Response | null;
}
/** fetch rejected (DNS, refused, reset) after retries. */
export class ConnectionError extends CometApiError {
  readonly name: 'ConnectionError';
  /** A response cut by a lost WebSocket connection: its snapshot so far. */
  readonly response?: Response | null | undefined;
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
/**
 * A structured output that does not parse: the output text is not valid JSON (`issues`
 * undefined), or its value fails the format's `validate` schema (`issues` says why).
 */
export class OutputParseError extends CometApiError {
  readonly name: 'OutputParseError';
  /** The output text. */
  readonly text: string;
  /** The validator's issues; undefined when the text is not valid JSON. */
  readonly issues: ReadonlyArray<StandardSchemaV1.Issue> | undefined;
  /** The Response whose output this is (the API key redacted); null for a tool's arguments. */
  readonly response: Response | null;
}
/** Params break a documented rule; thrown before any request is sent. */
export class ValidationError extends CometApiError {
  readonly name: 'ValidationError';
  readonly param: string;
}

/**
 * Resolves once the wasm is ready. The `/web` entry loads it here (call it before first use: a
 * constructor called before it throws an `Error` that says so);
 * every other entry is ready on import and resolves at once — except the browser entry on an engine
 * that refuses to compile the module synchronously on a page's main thread (Chrome and Edge before
 * 115), where it resolves when the asynchronous compile is done.
 */
export function init(moduleOrPath?: unknown): Promise<void>;
