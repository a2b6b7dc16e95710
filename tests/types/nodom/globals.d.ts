// The web globals of a runtime typed without the DOM lib (`lib: ["ES2022"]` with @types/node,
// whose globals come from undici-types, or @types/bun): the classes, `fetch` and RequestInit, but
// none of the DOM's aliases (HeadersInit, BodyInit, RequestInfo, …), which such a project cannot
// name. Bun's `fetch` also has a `preconnect` member, so `typeof fetch` is more than a call there.
// Declared by hand (no dependency), with only the members the package's types and ./runtime.ts
// use: a name pkg/index.d.ts needs that is missing here is one these runtimes do not declare.
export {};

declare global {
  interface AbortSignal {
    readonly aborted: boolean;
  }
  var AbortSignal: { prototype: AbortSignal; abort(reason?: unknown): AbortSignal };

  interface Blob {
    readonly size: number;
    readonly type: string;
  }
  var Blob: { prototype: Blob; new (parts?: Array<string | ArrayBuffer | ArrayBufferView | Blob>, options?: { type?: string }): Blob };

  interface ReadableStream<R = unknown> {
    readonly locked: boolean;
    cancel(reason?: unknown): Promise<void>;
    /** Never called: carries R. */
    readonly __chunk?: R;
  }
  var ReadableStream: { prototype: ReadableStream; new <R = unknown>(source?: object): ReadableStream<R> };

  interface Headers {
    get(name: string): string | null;
    set(name: string, value: string): void;
    entries(): IterableIterator<[string, string]>;
  }
  var Headers: { prototype: Headers; new (init?: Headers | Array<[string, string]> | Record<string, string>): Headers };

  interface URL {
    readonly href: string;
  }
  var URL: { prototype: URL; new (url: string, base?: string | URL): URL };

  interface Request {
    readonly url: string;
  }
  var Request: { prototype: Request; new (input: string | URL | Request, init?: RequestInit): Request };

  interface RequestInit {
    method?: string;
    headers?: Headers | Array<[string, string]> | Record<string, string>;
    body?: string | Uint8Array | Blob | ReadableStream<Uint8Array> | null;
    signal?: AbortSignal | null;
    keepalive?: boolean;
  }

  interface Response {
    readonly status: number;
    readonly headers: Headers;
    readonly body: ReadableStream<Uint8Array> | null;
  }
  var Response: {
    prototype: Response;
    new (body?: string | ReadableStream<Uint8Array> | null, init?: { status?: number; headers?: Headers | Record<string, string> }): Response;
  };

  function fetch(input: string | URL | Request, init?: RequestInit): Promise<Response>;
  namespace fetch {
    function preconnect(url: string | URL): void;
  }
}
