import type { Either } from 'fp-ts/lib/Either.js'
import type { InspectionEvent, Observer, AnyActorRef } from 'xstate'
import type { AuthenticationError, JwtErrorCode } from '../jwt/errorCodes.js'
import type { Attributes, AttributeValue, ItemId } from '../model/item.js'
import type { Clock } from '../ports/clock.js'
import type { Logger } from '../ports/logger.js'
import type { Storage } from '../ports/storage.js'
import type { Transport } from '../ports/transport.js'

/** The IO an SDK instance uses (api.md). Only `transport` is required. */
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
 * An error value. Every method that can fail returns one of these in a `Left`; none throws.
 * `field` names the argument at fault for `INVALID_INPUT`.
 */
export type SdkError =
  | { readonly code: 'INVALID_INPUT'; readonly field: string; readonly message: string }
  | { readonly code: 'JWT_DISABLED'; readonly message: string }
  | { readonly code: 'SHUT_DOWN'; readonly message: string }
  | { readonly code: JwtErrorCode; readonly numericCode: number; readonly message: string }

/** A token's status in the token record (behaviour.md, Vocabulary). */
export type TokenStatus = 'usable' | 'rejected' | 'invalid' | 'expired'

/** Why items stay pending after a sync attempt. */
export type PendingReason =
  | 'awaiting-token'
  | 'suspended'
  | 'retry-after'
  | 'backoff'
  | 'storage-unavailable'

/** What a `flush()` or `logout()` attempt did, from its start until sync came to rest. */
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

/** The plain, serialisable snapshot of `getState()` (R19). Tokens are redacted (R18). */
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
  /** Earliest time of the next automatic attempt after a transient failure, or null. */
  readonly retryAt: number | null
  readonly tokens: Readonly<Record<string, { readonly status: TokenStatus; readonly token: string; readonly expiresAt: number | null }>>
}

/** An authentication listener: an object with `onError` or a plain function. */
export type AuthenticationListener = { readonly onError: (error: AuthenticationError) => void } | ((error: AuthenticationError) => void)

/** A non-authentication problem worth an app's attention: dead letters (R10), storage failures. */
export type SdkProblem =
  | { readonly type: 'DEAD_LETTER'; readonly itemIds: readonly string[]; readonly status: number; readonly reason: string }
  | { readonly type: 'STORAGE'; readonly kind: string; readonly message: string }
  | { readonly type: 'CORRUPT_RECORDS'; readonly skipped: number }

/** The SDK instance returned by `createSdk` (api.md). */
export type Sdk = {
  identify(identifier: string): Either<SdkError, void>
  passAuthenticationDetails(details: { token: string; identifier: string }): Either<SdkError, void>
  registerAuthenticationListener(listener: AuthenticationListener): () => void
  /** Problems other than authentication (dead letters, storage). */
  registerProblemListener(listener: (problem: SdkProblem) => void): () => void
  track(name: string, attributes?: Attributes): Either<SdkError, { readonly id: ItemId }>
  setUserAttribute(name: string, value: AttributeValue): Either<SdkError, { readonly id: ItemId }>
  logout(): Promise<Either<SdkError, SyncReport>>
  flush(): Promise<Either<SdkError, SyncReport>>
  onAppForeground(): void
  onAppBackground(): void
  whenPersisted(): Promise<void>
  getState(): SdkState
  subscribe(listener: (state: SdkState) => void): () => void
  readonly actor: AnyActorRef
  shutdown(): Promise<void>
}
