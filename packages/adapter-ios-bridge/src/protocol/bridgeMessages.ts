import * as t from 'io-ts'
import { DeadLetterCodec, StoredItemCodec } from '@jwt-sync/core'

/**
 * Messages the JS side sends to the native host (JS -> host). The bridge builds them itself; the
 * codecs document them exactly and let hosts and tests check every message they receive.
 */

const headers = t.record(t.string, t.string)
const json = t.unknown

/** Why the bridge refused a host message or an SDK call failed. */
export const BridgeErrorCodec = t.intersection([t.type({ code: t.string, message: t.string }), t.partial({ field: t.string, numericCode: t.number })])
export type BridgeError = t.TypeOf<typeof BridgeErrorCodec>

/**
 * Protocol-level error codes (SDK errors such as `INVALID_INPUT` or `JWT_DISABLED` pass through
 * unchanged).
 *
 * @example
 * ```ts
 * const error: BridgeError = { code: PROTOCOL_ERRORS.UNKNOWN_KIND, message: 'unknown message kind "jump"' }
 * ```
 */
export const PROTOCOL_ERRORS = {
  /** Not a JSON text. */
  MALFORMED_JSON: 'MALFORMED_JSON',
  /** JSON, but not the shape its kind requires; `field` names the faulty field. */
  MALFORMED_MESSAGE: 'MALFORMED_MESSAGE',
  /** `v` is missing or not 1. */
  UNSUPPORTED_VERSION: 'UNSUPPORTED_VERSION',
  /** `kind` names no message. */
  UNKNOWN_KIND: 'UNKNOWN_KIND',
  /** An answer whose id matches no pending request (never sent, answered twice, or timed out). */
  UNKNOWN_REQUEST: 'UNKNOWN_REQUEST',
  /** A `timerFired` for a timer that is not armed (cleared, or fired twice). */
  UNKNOWN_TIMER: 'UNKNOWN_TIMER',
  /** An SDK call before `initialize` or after `shutdown`. */
  NOT_INITIALIZED: 'NOT_INITIALIZED',
  /** A second `initialize`. */
  ALREADY_INITIALIZED: 'ALREADY_INITIALIZED',
  /** The config is invalid; `field` names it. */
  INVALID_CONFIG: 'INVALID_CONFIG',
  /** The SDK failed in an unexpected way (a bug); the message says how. */
  INTERNAL: 'INTERNAL',
} as const

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
    request: t.type({ url: t.string, method: t.literal('POST'), headers, body: t.string, timeoutMs: t.number }),
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

/** Any JS -> host message. */
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
export type BridgeMessage = t.TypeOf<typeof BridgeMessageCodec>

/** A storage operation as sent to the host (the core's storage port, one message per call). */
export type StorageRequest = t.TypeOf<typeof StorageRequestCodec>

/** What a `storageResult` must hold for each operation (decoded when it arrives). */
export const STORAGE_RESULT_CODECS = {
  open: t.null,
  load: t.type({
    pendingByIdentity: t.record(t.string, t.number),
    deadLetterCount: t.number,
    state: t.UnknownRecord,
    skippedRecords: t.number,
  }),
  peek: t.readonlyArray(StoredItemCodec),
  commit: t.type({ removedByIdentity: t.record(t.string, t.number) }),
  readDeadLetters: t.readonlyArray(DeadLetterCodec),
  close: t.null,
} as const
