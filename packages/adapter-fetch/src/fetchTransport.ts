import * as E from '@jwt-sync/core/either'
import type { HttpRequest, HttpResponse, Transport, TransportFailure } from '@jwt-sync/core'
import { platformGzip, type Gzip } from './gzipBody.js'

/**
 * The slice of WHATWG `fetch` the transport uses, so any implementation (Node, browsers, React Native, a test double) fits.
 *
 * @example
 * ```ts
 * createFetchTransport({ fetch: (url, init) => globalThis.fetch(url, init) })
 * ```
 */
export type FetchFunction = (
  url: string,
  init: { method: string; headers: Record<string, string>; body: string | Uint8Array; signal?: AbortSignal },
) => Promise<FetchResponse>

/**
 * The slice of a WHATWG `Response` the transport reads.
 *
 * @example
 * ```ts
 * const response: FetchResponse = { status: 200, headers: new Headers(), text: async () => '{}' }
 * ```
 */
export type FetchResponse = {
  readonly status: number
  /** The response headers; only `forEach` is read, so a `Headers` object or a small stand-in fits. */
  readonly headers: {
    /**
     * Calls `callback` once per header with its value and name (the transport lower-cases the
     * name). A throw here fails the request as `network`.
     */
    forEach: (callback: (value: string, key: string) => void) => void
  }
  /**
   * Reads the whole body as text; called once per response. A throw or a rejection is a
   * `network` failure; a body still arriving when the timeout ends is a `timeout` failure.
   */
  readonly text: () => Promise<string>
}

/**
 * Options of `createFetchTransport`.
 *
 * @example
 * ```ts
 * const options: FetchTransportOptions = { timeoutMs: 10_000, useAbortController: false }
 * ```
 */
export type FetchTransportOptions = {
  /** The fetch to use (globalThis.fetch). */
  readonly fetch?: FetchFunction
  /**
   * Upper bound for every request, in ms (none). Each request's own `timeoutMs` applies; this caps
   * it, and stands in when a request carries no usable timeout.
   */
  readonly timeoutMs?: number
  /**
   * Abort timed-out requests with AbortController (true when the platform has one). Without it
   * the transport races the request against a timer and leaves the abandoned fetch to finish
   * unobserved (JavaScriptCore and some React Native versions have no AbortController).
   */
  readonly useAbortController?: boolean
  /**
   * How bodies are gzip-compressed when the core allows it (R20): the platform's gzip by default
   * (zlib in Node, `CompressionStream` in browsers); `null` sends every body as it is.
   */
  readonly gzip?: Gzip | null
}

/** Used when neither the request nor the options carry a usable timeout: the core's default (R12). */
const FALLBACK_TIMEOUT_MS = 30_000

const isUsableTimeout = (ms: number | undefined): ms is number => typeof ms === 'number' && Number.isFinite(ms) && ms > 0

/** `message: code` from an error and its `cause` chain (undici puts ECONNREFUSED etc. in `cause`). */
const describeError = (error: unknown): string => {
  const parts: string[] = []
  let current: unknown = error
  for (let depth = 0; depth < 4 && current !== undefined && current !== null; depth++) {
    if (typeof current === 'object') {
      const { message, code } = current as { message?: unknown; code?: unknown }
      const text = [typeof code === 'string' ? code : null, typeof message === 'string' ? message : null].filter((part) => part !== null).join(' ')
      if (text.length > 0 && !parts.includes(text)) parts.push(text)
      current = (current as { cause?: unknown }).cause
    } else {
      parts.push(String(current))
      break
    }
  }
  return parts.length > 0 ? parts.join(': ') : 'unknown error'
}

const readHeaders = (response: FetchResponse): Record<string, string> => {
  const headers: Record<string, string> = {}
  response.headers.forEach((value, key) => {
    headers[key.toLowerCase()] = value
  })
  return headers
}

/**
 * The core's `Transport` over WHATWG fetch (Node 20+, browsers, React Native). Never throws and
 * never rejects: refused connections, resets, DNS failures and body read errors are `network`
 * failures; no complete response within the timeout is a `timeout` failure. Response header names
 * are lower-cased.
 *
 * @example
 * ```ts
 * const transport = createFetchTransport({ timeoutMs: 10_000 })
 * const result = await transport.send({ url, method: 'POST', headers: {}, body: '{}', timeoutMs: 5_000 })()
 * if (E.isLeft(result)) console.log(result.left.kind) // 'network' | 'timeout'
 * ```
 */
export const createFetchTransport = (options: FetchTransportOptions = {}): Transport => {
  const fetchFunction: FetchFunction | undefined =
    options.fetch ?? (typeof globalThis.fetch === 'function' ? (globalThis.fetch.bind(globalThis) as unknown as FetchFunction) : undefined)
  const hasAbortController = typeof globalThis.AbortController === 'function'
  const useAbortController = (options.useAbortController ?? hasAbortController) && hasAbortController
  const gzip = options.gzip === undefined ? platformGzip() : options.gzip

  /** The body and headers to send: gzip bytes when the core allows it and the platform can (R20). */
  const encode = async (request: HttpRequest): Promise<{ body: string | Uint8Array; headers: Record<string, string> }> => {
    const headers = { ...request.headers }
    if (request.compressBody !== 'gzip' || gzip === null) return { body: request.body, headers }
    try {
      const body = await gzip(request.body)
      headers['Content-Encoding'] = 'gzip'
      return { body, headers }
    } catch {
      // A body that cannot be compressed still goes, as it is: compression is never worth an item.
      return { body: request.body, headers }
    }
  }

  const timeoutFor = (request: HttpRequest): number => {
    const own = isUsableTimeout(request.timeoutMs) ? request.timeoutMs : undefined
    const cap = isUsableTimeout(options.timeoutMs) ? options.timeoutMs : undefined
    if (own !== undefined && cap !== undefined) return Math.min(own, cap)
    return own ?? cap ?? FALLBACK_TIMEOUT_MS
  }

  const send = (request: HttpRequest, encoded: { body: string | Uint8Array; headers: Record<string, string> }): Promise<E.Either<TransportFailure, HttpResponse>> =>
    new Promise((resolve) => {
      if (fetchFunction === undefined) {
        resolve(E.left({ kind: 'network', message: 'no fetch function on this platform; pass one to createFetchTransport' }))
        return
      }
      const timeoutMs = timeoutFor(request)
      const controller = useAbortController ? new AbortController() : null
      let settled = false
      let timedOut = false
      const settle = (outcome: E.Either<TransportFailure, HttpResponse>): void => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        resolve(outcome)
      }
      const timer = setTimeout(() => {
        timedOut = true
        // With AbortController the socket is released too; without, the race alone decides.
        controller?.abort()
        settle(E.left({ kind: 'timeout', message: `no complete response within ${timeoutMs} ms` }))
      }, timeoutMs)
      const fail = (stage: string) => (error: unknown): void =>
        settle(timedOut ? E.left({ kind: 'timeout', message: `no complete response within ${timeoutMs} ms` }) : E.left({ kind: 'network', message: `${stage}: ${describeError(error)}` }))

      let pending: Promise<FetchResponse>
      try {
        pending = fetchFunction(request.url, {
          method: request.method,
          headers: encoded.headers,
          body: encoded.body,
          ...(controller === null ? {} : { signal: controller.signal }),
        })
      } catch (error) {
        // A fetch that throws synchronously (bad URL in some polyfills) is a failure like any other.
        fail('request failed')(error)
        return
      }
      Promise.resolve(pending).then((response) => {
        let headers: Record<string, string>
        try {
          headers = readHeaders(response)
        } catch (error) {
          fail('unreadable response headers')(error)
          return
        }
        let text: Promise<string>
        try {
          text = response.text()
        } catch (error) {
          fail('response body read failed')(error)
          return
        }
        Promise.resolve(text).then((body) => settle(E.right({ status: response.status, headers, body })), fail('response body read failed'))
      }, fail('request failed'))
    })

  return { send: (request) => () => encode(request).then((encoded) => send(request, encoded)) }
}
