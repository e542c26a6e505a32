import type { TaskEither } from 'fp-ts/lib/TaskEither.js'

/**
 * One HTTP request, already built by the core (docs/wire-protocol.md). A transport only moves bytes.
 *
 * @example
 * ```ts
 * const request: HttpRequest = { url: 'https://ingest.example.com/v1/apps/my-app/batches', method: 'POST',
 *   headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body), timeoutMs: 30_000 }
 * ```
 */
export type HttpRequest = {
  readonly url: string
  readonly method: 'POST'
  readonly headers: Record<string, string>
  readonly body: string
  readonly timeoutMs: number
  /**
   * `'gzip'`: the core allows the body to go gzip-compressed (R20). A transport whose platform can
   * compress sends the gzip bytes with `Content-Encoding: gzip`; one that cannot sends `body` as it is.
   */
  readonly compressBody?: 'gzip'
}

/**
 * The server's answer. Header names are lower-case.
 *
 * @example
 * ```ts
 * const response: HttpResponse = { status: 200, headers: { 'content-type': 'application/json' }, body: '{"accepted":2,"duplicates":0}' }
 * ```
 */
export type HttpResponse = {
  readonly status: number
  readonly headers: Record<string, string>
  readonly body: string
}

/**
 * Why no response arrived. Both kinds are transient failures for the core (R9).
 *
 * @example
 * ```ts
 * const failure: TransportFailure = { kind: 'timeout', message: 'no response after 30000 ms' }
 * return E.left(failure)
 * ```
 */
export type TransportFailure = { readonly kind: 'network' | 'timeout'; readonly message: string }

/**
 * The transport port: sends one request and never throws or rejects; every failure is a value.
 *
 * @example
 * ```ts
 * const transport: Transport = {
 *   send: (request) => () => myHttp(request).then(E.right, (e) => E.left({ kind: 'network', message: String(e) })),
 * }
 * ```
 */
export type Transport = {
  /** Sends one request; a network error or timeout is a `Left`, any HTTP status a `Right`. */
  readonly send: (request: HttpRequest) => TaskEither<TransportFailure, HttpResponse>
}
