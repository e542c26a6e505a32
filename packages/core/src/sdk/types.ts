import type { Either } from '../model/either.js'
import type { InspectionEvent, Observer, AnyActorRef } from 'xstate'
import type { AuthenticationError, JwtErrorCode } from '../jwt/errorCodes.js'
import type { Attributes, AttributeValue, DeadLetter, ItemId } from '../model/item.js'
import type { Clock } from '../ports/clock.js'
import type { Logger } from '../ports/logger.js'
import type { Storage } from '../ports/storage.js'
import type { Transport } from '../ports/transport.js'
import type { AuthenticationListener } from '../model/authenticationListener.js'
import type { PendingReason } from '../model/pendingReason.js'
import type { SdkProblem } from '../model/problem.js'
import type { TokenStatus } from '../model/tokenStatus.js'

export type { AuthenticationListener, PendingReason, SdkProblem, TokenStatus }

/**
 * The IO an SDK instance uses. Only `transport` is required.
 *
 * @example
 * ```ts
 * const ports: SdkPorts = { transport, storage: createMemoryStorage(), clock: systemClock() }
 * const sdk = createSdk(config, ports)
 * ```
 */
export type SdkPorts = {
  readonly transport: Transport
  readonly storage?: Storage
  readonly clock?: Clock
  readonly logger?: Logger
  /** Passed to XState's `createActor` (e.g. `createBrowserInspector().inspect`). */
  readonly inspect?: Observer<InspectionEvent> | ((event: InspectionEvent) => void)
  /** Random source in [0, 1) for backoff jitter and ids; injectable for deterministic tests. */
  readonly random?: () => number
}

/**
 * The statechart's active state per region, as dotted paths below the region: what the inspector
 * and the README diagram show.
 *
 * @example
 * ```ts
 * const chart: ChartState | null = sdk.getState().chart
 * if (chart?.sync === 'rest.awaitingToken') askMyServerForAToken()
 * // presence: foreground | background
 * // session:  active | suspended                                           (R8)
 * // auth:     jwtDisabled | anonymous | loggingOut | identified.noToken | identified.tokenUsable
 * //           | identified.tokenRefused | identified.tokenExpired | identified.tokenInvalid
 * // sync:     resuming | deciding | rest.nothingToSend | rest.waitingForTrigger | rest.awaitingToken | rest.suspended
 * //           | rest.backingOff | rest.retryAfter | rest.storageUnavailable | attempt.forming
 * //           | attempt.sending | logoutFlush.forming | logoutFlush.sending | logoutFlush.deleting
 * ```
 */
export type ChartState = { readonly presence: string; readonly session: string; readonly auth: string; readonly sync: string }

/**
 * What is in the queue: per identity with pending items, how many and the oldest one's timestamp;
 * and the dead letters (R10) with the status and reason they were given up for.
 *
 * @example
 * ```ts
 * const queue = await sdk.getQueue()
 * if (E.isRight(queue)) for (const { identity, count, oldestTimestamp } of queue.right.pending) console.log(identity, count, oldestTimestamp)
 * ```
 */
export type QueueView = {
  readonly pending: readonly { readonly identity: string; readonly count: number; readonly oldestTimestamp: number | null }[]
  readonly deadLetters: readonly DeadLetter[]
}

/**
 * What `flushAndShutdown` did: the flush's report, and whether its deadline cut it short.
 *
 * @example
 * ```ts
 * const report = await sdk.flushAndShutdown({ timeoutMs: 5_000 })
 * if (E.isRight(report) && report.right.timedOut) console.warn(report.right.pending, 'items left for the next launch')
 * ```
 */
export type ShutdownReport = SyncReport & { readonly timedOut: boolean }

/**
 * An error value. Every method that can fail returns one of these in a `Left`; none throws.
 * `field` names the argument at fault for `INVALID_INPUT`.
 *
 * @example
 * ```ts
 * const result = sdk.track('')
 * if (E.isLeft(result)) console.warn(result.left.code, result.left.message) // 'INVALID_INPUT' ...
 * ```
 */
export type SdkError =
  | { readonly code: 'INVALID_INPUT'; readonly field: string; readonly message: string }
  | { readonly code: 'JWT_DISABLED'; readonly message: string }
  | { readonly code: 'SHUT_DOWN'; readonly message: string }
  | { readonly code: 'STORAGE_UNAVAILABLE'; readonly message: string }
  | { readonly code: JwtErrorCode; readonly numericCode: number; readonly message: string }

/**
 * What a `flush()` or `logout()` attempt did, from its start until sync came to rest.
 *
 * @example
 * ```ts
 * const report = await sdk.flush()
 * if (E.isRight(report)) console.log(report.right.delivered, report.right.pending, report.right.waiting)
 * ```
 */
export type SyncReport = {
  readonly delivered: number
  readonly deadLettered: number
  /** Items deleted under R11 (logout). */
  readonly deleted: number
  /** Items still pending when the attempt came to rest. */
  readonly pending: number
  /** Why the remaining items wait; empty when nothing is pending. */
  readonly waiting: readonly PendingReason[]
}

/**
 * The plain, serialisable snapshot of `getState()` (R19). Tokens are redacted (R18).
 *
 * @example
 * ```ts
 * const unsubscribe = sdk.subscribe((state: SdkState) => console.log(state.status, state.pendingCount, state.sync))
 * ```
 */
export type SdkState = {
  readonly status: 'starting' | 'running' | 'stopped'
  readonly appId: string
  readonly identifier: string | null
  readonly sessionId: string
  readonly consecutiveAuthFailures: number
  readonly suspended: boolean
  readonly pendingCount: number
  readonly pendingByIdentity: Readonly<Record<string, number>>
  readonly deadLetterCount: number
  readonly foreground: boolean
  readonly sync: 'idle' | 'sending' | 'backing-off'
  /** The active state of each statechart region while running (null while starting or stopped). */
  readonly chart: ChartState | null
  /** Logged-out users whose pending items are still being flushed (R11). */
  readonly loggingOut: readonly string[]
  /** Earliest time of the next automatic attempt after a transient failure, or null. */
  readonly retryAt: number | null
  readonly tokens: Readonly<Record<string, { readonly status: TokenStatus; readonly token: string; readonly expiresAt: number | null }>>
}


/**
 * The SDK instance returned by `createSdk` . No method throws on bad input: results are
 * fp-ts `Either` values whose `Left` names the field at fault.
 *
 * @example
 * ```ts
 * const sdk: Sdk = createSdk(config, { transport: createFetchTransport() })
 * sdk.identify('user-42')
 * sdk.track('Opened app')
 * ```
 */
export type Sdk = {
  /** Sets the identity stamped on items tracked from now on (activity). Earlier items keep theirs. */
  identify(identifier: string): Either<SdkError, void>
  /**
   * Hands over a token for an identifier. Checked on the device first (R6, unless
   * `clientValidation: false`): a `Left` carries the code, and such a token is never sent. A token
   * the server already refused answers `Left` too (R7). `JWT_DISABLED` when JWT is off (R1).
   */
  passAuthenticationDetails(details: { token: string; identifier: string }): Either<SdkError, void>
  /** Adds a listener for authentication errors (R15); returns the function that removes it. */
  registerAuthenticationListener(listener: AuthenticationListener): () => void
  /** Problems other than authentication (dead letters, storage). */
  registerProblemListener(listener: (problem: SdkProblem) => void): () => void
  /** Queues an event with optional JSON attributes; answers its id at once (R13, R17). */
  track(name: string, attributes?: Attributes): Either<SdkError, { readonly id: ItemId }>
  /** Queues a user attribute change, like `track`. */
  setUserAttribute(name: string, value: AttributeValue): Either<SdkError, { readonly id: ItemId }>
  /**
   * Logs the user out (R11): starts a new session, makes later items anonymous, and flushes the
   * user's pending items with the user's token; settles with the report, never waiting on timers.
   */
  logout(): Promise<Either<SdkError, SyncReport>>
  /** Sends what can be sent now (R12) and settles with the report, never waiting on timers. */
  flush(): Promise<Either<SdkError, SyncReport>>
  /** The app came to the foreground (activity; the periodic flush runs again). */
  onAppForeground(): void
  /** The app went to the background: sync now, no periodic flush until foreground. */
  onAppBackground(): void
  /** Resolves once everything tracked before the call is in storage and survives a crash (R13). */
  whenPersisted(): Promise<void>
  /** A plain, serialisable snapshot (R19), tokens redacted. */
  getState(): SdkState
  /** Calls `listener` with a new snapshot on every change; returns the unsubscribe function. */
  subscribe(listener: (state: SdkState) => void): () => void
  /** The XState actor, for the inspector and advanced observation (R19). */
  readonly actor: AnyActorRef
  /**
   * Reads the queue: pending items per identity (count, oldest timestamp) and up to
   * `deadLetterLimit` (default 100) dead letters with their reason.
   */
  getQueue(options?: { readonly deadLetterLimit?: number }): Promise<Either<SdkError, QueueView>>
  /** Writes what is pending (bounded by `timeoutMs`), stops timers and releases storage. */
  shutdown(): Promise<void>
  /**
   * Flushes what can be sent within `timeoutMs` (default: the config's `timeoutMs`), then shuts
   * down: what a Node script or server calls before it exits. Items left unsent stay in storage.
   */
  flushAndShutdown(options?: { readonly timeoutMs?: number }): Promise<Either<SdkError, ShutdownReport>>
}
