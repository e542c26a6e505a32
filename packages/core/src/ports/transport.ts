import type { TaskEither } from 'fp-ts/lib/TaskEither.js'

/** One HTTP request, already built by the core (wire-protocol.md). A transport only moves bytes. */
export type HttpRequest = {
  readonly url: string
  readonly method: 'POST'
  readonly headers: Record<string, string>
  readonly body: string
  readonly timeoutMs: number
}

/** The server's answer. Header names are lower-case. */
export type HttpResponse = {
  readonly status: number
  readonly headers: Record<string, string>
  readonly body: string
}

/** Why no response arrived. Both kinds are transient failures for the core (R9). */
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
