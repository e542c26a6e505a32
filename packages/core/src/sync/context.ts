import type { Identifier, IdentityKey } from '../model/identity.js'
import type { BatchId, SessionId, StoredItem } from '../model/item.js'
import type { BackoffSettings } from './backoff.js'
import type { TokenStatus } from '../model/tokenStatus.js'
import type { JwtErrorCode } from '../jwt/errorCodes.js'
import type { SyncPlan } from './plan.js'
import type { NextBatchItems } from './nextBatch.js'

/**
 * The settings the statechart decides with: the resolved config minus functions and IO.
 *
 * @example
 * ```ts
 * const settings: MachineSettings = { ...DEFAULTS, appId: 'my-app', isJwtEnabled: true, clientValidation: true, compression: 'gzip' }
 * createActor(createSyncMachine(deps), { input: { settings, startedAt: Date.now() } })
 * ```
 */
export type MachineSettings = {
  readonly appId: string
  readonly isJwtEnabled: boolean
  readonly maxConsecutiveAuthFailures: number
  readonly inactivityTimeoutMs: number
  readonly periodicFlushMs: number
  readonly maxBatchSize: number
  readonly clockSkewMs: number
  readonly clientValidation: boolean
  readonly allowedAlgorithms: readonly string[]
  readonly backoff: BackoffSettings
  /** Whether request bodies may be gzip-compressed (R20); absent: not. */
  readonly compression?: 'gzip' | 'none'
}

/**
 * A token kept for one identifier (docs/rules.md, vocabulary).
 *
 * @example
 * ```ts
 * const record: TokenRecord = { token, status: 'usable', expiresAt: expiryMsOf(payload) }
 * ```
 */
export type TokenRecord = {
  readonly token: string
  readonly status: TokenStatus
  /** `exp` in ms, when the token could be decoded. */
  readonly expiresAt: number | null
  /** The code the server or a client check gave, for a token that is not usable. */
  readonly errorCode?: JwtErrorCode
}

/**
 * A token the server refused, with the code it gave. Only a digest is kept (`hash64` of the
 * token): enough for R7 to recognise the token when it is passed again, and no full token of a
 * user stays at rest once the user logged out (R11).
 */
export type RefusedToken = { readonly digest: string; readonly code: JwtErrorCode }

/** How many refused tokens are remembered per identifier. */
export const REFUSED_TOKENS_KEPT = 10

/**
 * An R5 wait: an identifier with pending items and no usable token. `openedByError` is set when
 * an R6/R7 error opened it (the app was told already, so no TOKEN_NOT_AVAILABLE).
 */
export type WaitRecord = { readonly id: number; readonly openedByError: boolean; readonly notified: boolean }

/**
 * A batch formed from the queue. Once formed it is frozen (R14): every resend carries the same
 * id and items, until it is delivered, split (413), dead-lettered or deleted (R11).
 * At most `maxBatchSize` items, so keeping it in context stays cheap.
 *
 * @example
 * ```ts
 * const batchIds = actor.getSnapshot().context.outbox.map((batch: FrozenBatch) => batch.batchId)
 * ```
 */
export type FrozenBatch = {
  readonly batchId: BatchId
  readonly identity: IdentityKey
  readonly items: readonly StoredItem[]
}

/** The session and its consecutive-authentication-failure counter, persisted together (R8). */
export type SessionRecord = {
  readonly id: SessionId
  readonly startedAt: number
  readonly lastActivityAt: number
  readonly consecutiveAuthFailures: number
}

/** Transient-failure state (R9): consecutive failures and the two deadlines. */
export type RetryState = {
  readonly consecutiveTransientFailures: number
  /** Automatic attempts wait until then; an explicit flush does not. */
  readonly backoffUntil: number | null
  /** Nothing is sent before then, explicit flush included (Retry-After). */
  readonly retryAfterUntil: number | null
  /** The last failure was storage that could not be read, not the network. */
  readonly storageFailing: boolean
}

/** Running totals, so a flush can report what happened between its start and its end. */
export type SyncTotals = { readonly delivered: number; readonly deadLettered: number; readonly deleted: number }

/**
 * An R11 deletion the sync loop owes: a logged-out user's flush failed with a JWT error. The
 * `logoutFlush.deleting` state carries it out.
 */
export type OwedDeletion = {
  readonly identifier: Identifier
  readonly source: 'server' | 'client'
  readonly code: JwtErrorCode
  readonly message: string
  /** The token that failed, for the listener; absent when no token existed. */
  readonly token?: string
}

/**
 * The statechart's context: control data only. Pending items live in storage; the context keeps
 * their counts per identity and the (bounded) frozen batches.
 *
 * @example
 * ```ts
 * const context: SyncContext = actor.getSnapshot().context
 * console.log(context.pendingByIdentity, context.session.consecutiveAuthFailures)
 * ```
 */
export type SyncContext = {
  readonly settings: MachineSettings
  readonly identifier: Identifier | null
  readonly session: SessionRecord
  readonly tokens: Readonly<Record<string, TokenRecord>>
  /** Tokens the server refused, per identifier (latest few): never used again (R7, S1). */
  readonly refusedTokens: Readonly<Record<string, readonly RefusedToken[]>>
  readonly waits: Readonly<Record<string, WaitRecord>>
  readonly nextWaitId: number
  readonly pendingByIdentity: Readonly<Record<string, number>>
  readonly deadLetterCount: number
  readonly outbox: readonly FrozenBatch[]
  /** Users whose logout flush is still owed (R11). */
  readonly loggingOut: readonly Identifier[]
  /** R11 deletions decided by a send outcome, carried out at the next decision. Not persisted. */
  readonly owedDeletions: readonly OwedDeletion[]
  readonly retry: RetryState
  readonly foreground: boolean
  /** Explicit flush requests (flush, logout) made and completed: a flush settles when completed >= its number. */
  readonly flushRequests: { readonly requested: number; readonly completed: number }
  readonly totals: SyncTotals
  /** What the sync loop decided at its last decision; the states after `deciding` act on it. */
  readonly plan: SyncPlan
  /** R20: the server answered 415 to a compressed body; requests stay uncompressed from then on. Not persisted; absent: false. */
  readonly compressionRefused?: boolean
  /** The next batch's items, read after a delivery; the decision that follows uses them or drops them. Not persisted. */
  readonly nextBatch?: NextBatchItems | null
}
