import * as t from 'io-ts'
import { HostCapabilitiesCodec } from './hostCapabilities.js'

/**
 * Messages the native host sends to the JS side (host -> JS): SDK calls, which carry an `id` the
 * answer echoes, and answers to the JS side's own requests (HTTP, storage, timers), which echo
 * the request's `id` (or `timerId`). Every message may carry `now` (epoch ms): the bridge clock
 * then follows the host's time from that moment on.
 */

const nonEmptyString = t.refinement(t.string, (s) => s.length > 0, 'non-empty string')
const headers = t.record(t.string, t.string)

/** A message with an `id`: an SDK call (its own id) or an answer (the id of the request it answers). */
const identified = <K extends string, P extends t.Props>(kind: K, props: P) =>
  t.type({ v: t.literal(1), kind: t.literal(kind), id: nonEmptyString, ...props }, kind)
const call = identified
const answer = identified

/**
 * Knobs of the bridge itself (not of the core), given with `initialize` as `options`.
 *
 * @example
 * ```ts
 * BridgeOptionsCodec.is({ storageTimeoutMs: 5000, httpGraceMs: 2000 }) // true
 * ```
 */
export const BridgeOptionsCodec = t.partial({
  /** How long a storage request may stay unanswered before it fails as `io` (default 10 s). */
  storageTimeoutMs: t.refinement(t.number, (n) => Number.isInteger(n) && n > 0, 'positive integer'),
  /** Added to an HTTP request's own `timeoutMs` before the bridge gives up on it (default 5 s). */
  httpGraceMs: t.refinement(t.number, (n) => Number.isInteger(n) && n >= 0, 'non-negative integer'),
})

/**
 * One io-ts codec per host message kind. The table doubles as the list of known kinds: a kind
 * missing here is answered with `UNKNOWN_KIND`.
 *
 * @example
 * ```ts
 * HOST_MESSAGE_CODECS.track.decode({ v: 1, kind: 'track', id: 'c2', name: 'Added to cart' })
 * ```
 */
export const HOST_MESSAGE_CODECS = {
  initialize: t.intersection([call('initialize', { config: t.UnknownRecord }), t.partial({ options: BridgeOptionsCodec, capabilities: HostCapabilitiesCodec })]),
  identify: call('identify', { identifier: t.string }),
  passAuthenticationDetails: call('passAuthenticationDetails', { token: t.string, identifier: t.string }),
  track: t.intersection([call('track', { name: t.string }), t.partial({ attributes: t.UnknownRecord })]),
  setUserAttribute: call('setUserAttribute', { name: t.string, value: t.unknown }),
  logout: call('logout', {}),
  flush: call('flush', {}),
  appForeground: call('appForeground', {}),
  appBackground: call('appBackground', {}),
  whenPersisted: call('whenPersisted', {}),
  getState: call('getState', {}),
  shutdown: call('shutdown', {}),
  httpResponse: answer('httpResponse', {
    response: t.type({ status: t.refinement(t.number, (n) => Number.isInteger(n) && n >= 100 && n <= 599, 'HTTP status'), headers, body: t.string }),
  }),
  httpFailure: answer('httpFailure', {
    failure: t.type({ kind: t.union([t.literal('network'), t.literal('timeout')]), message: t.string }),
  }),
  storageResult: answer('storageResult', { value: t.unknown }),
  storageFailure: answer('storageFailure', {
    failure: t.type({
      kind: t.union([t.literal('quota'), t.literal('io'), t.literal('corrupt'), t.literal('locked'), t.literal('closed')]),
      message: t.string,
    }),
  }),
  timerFired: t.type({ v: t.literal(1), kind: t.literal('timerFired'), timerId: nonEmptyString }, 'timerFired'),
} as const

/**
 * A known host message kind.
 *
 * @example
 * ```ts
 * const kind: HostMessageKind = 'passAuthenticationDetails'
 * ```
 */
export type HostMessageKind = keyof typeof HOST_MESSAGE_CODECS

/**
 * A decoded host message, discriminated by `kind`.
 *
 * @example
 * ```ts
 * const message: HostMessage = { v: 1, kind: 'timerFired', timerId: 't1' }
 * ```
 */
export type HostMessage = { [K in HostMessageKind]: t.TypeOf<(typeof HOST_MESSAGE_CODECS)[K]> }[HostMessageKind]

/**
 * The host messages that are SDK calls (they get a `result` or `error` answer).
 *
 * @example
 * ```ts
 * const call: SdkCallMessage = { v: 1, kind: 'identify', id: 'c2', identifier: 'alice' }
 * ```
 */
export type SdkCallMessage = Exclude<HostMessage, { kind: 'httpResponse' | 'httpFailure' | 'storageResult' | 'storageFailure' | 'timerFired' }>

/**
 * Whether a string names a host message kind (own keys only: `"constructor"` is not a kind).
 *
 * @example
 * ```ts
 * isHostMessageKind('flush') // true
 * isHostMessageKind('toString') // false
 * ```
 */
export const isHostMessageKind = (kind: string): kind is HostMessageKind => Object.prototype.hasOwnProperty.call(HOST_MESSAGE_CODECS, kind)
