import * as t from 'io-ts'

/**
 * Messages the JS side sends to the native host (JS -> host). The bridge builds them itself; the
 * codecs document them exactly and let hosts and tests check every message they receive. The
 * bundle imports only the types from here, so these codecs add nothing to its size.
 */

const headers = t.record(t.string, t.string)
const json = t.unknown

/**
 * Codec of the `error` field of an `error` answer.
 *
 * @example
 * ```ts
 * BridgeErrorCodec.is({ code: 'UNSUPPORTED_VERSION', message: 'protocol version 2 is not supported', field: 'v' }) // true
 * ```
 */
export const BridgeErrorCodec = t.intersection([t.type({ code: t.string, message: t.string }), t.partial({ field: t.string, numericCode: t.number })])


const StorageRequestCodec = t.union([
  t.type({ op: t.literal('open') }),
  t.type({ op: t.literal('load') }),
  t.type({ op: t.literal('peek'), identity: t.string, limit: t.number }),
  t.type({ op: t.literal('commit'), write: t.UnknownRecord }),
  t.type({ op: t.literal('readDeadLetters'), limit: t.number }),
  t.type({ op: t.literal('close') }),
])

/**
 * One io-ts codec per JS -> host message kind.
 *
 * @example
 * ```ts
 * BRIDGE_MESSAGE_CODECS.setTimer.is({ v: 1, kind: 'setTimer', timerId: 't1', ms: 60000 }) // true
 * ```
 */
export const BRIDGE_MESSAGE_CODECS = {
  /** The answer to an SDK call that succeeded. */
  result: t.type({ v: t.literal(1), kind: t.literal('result'), id: t.string, value: json }),
  /** The answer to an SDK call that failed, or to a host message the bridge refused (`id` null when it had none). */
  error: t.type({ v: t.literal(1), kind: t.literal('error'), id: t.union([t.string, t.null]), error: BridgeErrorCodec }),
  http: t.type({
    v: t.literal(1),
    kind: t.literal('http'),
    id: t.string,
    request: t.intersection([
      t.type({ url: t.string, method: t.literal('POST'), headers, body: t.string, timeoutMs: t.number }),
      /** Only to a host that declared `capabilities.gzip`: gzip `body` and send `Content-Encoding: gzip` (R20). */
      t.partial({ compressBody: t.literal('gzip') }),
    ]),
  }),
  storage: t.intersection([t.type({ v: t.literal(1), kind: t.literal('storage'), id: t.string, namespace: t.string }), StorageRequestCodec]),
  setTimer: t.type({ v: t.literal(1), kind: t.literal('setTimer'), timerId: t.string, ms: t.number }),
  clearTimer: t.type({ v: t.literal(1), kind: t.literal('clearTimer'), timerId: t.string }),
  authError: t.type({ v: t.literal(1), kind: t.literal('authError'), error: t.UnknownRecord }),
  problem: t.type({ v: t.literal(1), kind: t.literal('problem'), problem: t.UnknownRecord }),
  log: t.type({
    v: t.literal(1),
    kind: t.literal('log'),
    level: t.union([t.literal('debug'), t.literal('info'), t.literal('warn'), t.literal('error')]),
    message: t.string,
    fields: t.UnknownRecord,
  }),
} as const

/**
 * Any JS -> host message; hosts written in JS (and the tests) check what they receive with it.
 *
 * @example
 * ```ts
 * const decoded = BridgeMessageCodec.decode(JSON.parse(json)) // Right({ v: 1, kind: 'setTimer', ... })
 * ```
 */
export const BridgeMessageCodec = t.union([
  BRIDGE_MESSAGE_CODECS.result,
  BRIDGE_MESSAGE_CODECS.error,
  BRIDGE_MESSAGE_CODECS.http,
  BRIDGE_MESSAGE_CODECS.storage,
  BRIDGE_MESSAGE_CODECS.setTimer,
  BRIDGE_MESSAGE_CODECS.clearTimer,
  BRIDGE_MESSAGE_CODECS.authError,
  BRIDGE_MESSAGE_CODECS.problem,
  BRIDGE_MESSAGE_CODECS.log,
])
/**
 * A JS -> host message, discriminated by `kind`.
 *
 * @example
 * ```ts
 * const message: BridgeMessage = { v: 1, kind: 'clearTimer', timerId: 't3' }
 * ```
 */
export type BridgeMessage = t.TypeOf<typeof BridgeMessageCodec>

/**
 * A storage operation as sent to the host (the core's storage port, one message per call).
 *
 * @example
 * ```ts
 * const request: StorageRequest = { op: 'peek', identity: 'user:alice', limit: 100 }
 * ```
 */
export type StorageRequest = t.TypeOf<typeof StorageRequestCodec>
