import * as E from 'fp-ts/lib/Either.js'
import type { HttpRequest, HttpResponse, Transport, TransportFailure } from '@jwt-sync/core'
import type { BridgeMessage } from '../protocol/bridgeMessages.js'
import type { HostCapabilities } from '../protocol/hostCapabilities.js'
import type { Outbox } from './outbox.js'
import type { AnswerReader, PendingRequests } from './pendingRequests.js'

/**
 * Default time the bridge waits beyond a request's own `timeoutMs` before giving up on the host.
 *
 * @example
 * ```ts
 * createChannelTransport(outbox, pending, DEFAULT_HTTP_GRACE_MS)
 * ```
 */
export const DEFAULT_HTTP_GRACE_MS = 5_000

const lowerCaseKeys = (headers: Readonly<Record<string, string>>): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) out[name.toLowerCase()] = value
  return out
}

const readHttpAnswer: AnswerReader<E.Either<TransportFailure, HttpResponse>> = (answer) => {
  if (answer.kind === 'httpResponse') {
    const { status, headers, body } = answer.response
    return E.right(E.right({ status, headers: lowerCaseKeys(headers), body }))
  }
  if (answer.kind === 'httpFailure') return E.right(E.left(answer.failure))
  return E.left(`request ${answer.id} is an HTTP request; answer it with httpResponse or httpFailure, not ${answer.kind}`)
}

type HttpMessageRequest = Extract<BridgeMessage, { kind: 'http' }>['request']

/**
 * The core's request as the `http` message carries it. The fields are listed, not spread, so
 * nothing the core adds later reaches hosts unannounced. `compressBody` goes only to a host that
 * declared `gzip`: the core says whether a body may be compressed (R20), the host whether it can,
 * and a host that cannot must get a message that asks nothing new of it.
 */
const toMessageRequest = (request: HttpRequest, capabilities: HostCapabilities): HttpMessageRequest => {
  const { url, method, body, timeoutMs } = request
  const carried = { url, method, headers: { ...request.headers }, body, timeoutMs }
  return capabilities.gzip === true && request.compressBody === 'gzip' ? { ...carried, compressBody: 'gzip' } : carried
}

/**
 * The transport port over the channel: each request is an `http` message the host performs with
 * its own networking. No answer within `timeoutMs + graceMs` is a `timeout` failure (transient).
 * `capabilities` are what the host declared with `initialize` (`{}`: none).
 *
 * @example
 * ```ts
 * const transport = createChannelTransport(outbox, pending, 5_000, { gzip: true })
 * const result = await transport.send(request)() // Right(response) or Left({ kind: 'timeout', ... })
 * ```
 */
export const createChannelTransport = (outbox: Outbox, pending: PendingRequests, graceMs: number, capabilities: HostCapabilities = {}): Transport => ({
  send: (request) => () =>
    pending.ask(
      'h',
      request.timeoutMs + graceMs,
      (id) => outbox({ v: 1, kind: 'http', id, request: toMessageRequest(request, capabilities) }),
      readHttpAnswer,
      () => E.left({ kind: 'timeout', message: `the host did not answer the HTTP request within ${request.timeoutMs + graceMs} ms` }),
    ),
})
