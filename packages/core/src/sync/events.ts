import type { AuthenticationError } from '../jwt/errorCodes.js'
import type { Identifier, IdentityKey } from '../model/identity.js'
import type { StoredItem } from '../model/item.js'
import type { TokenRequestReason } from '../model/config.js'
import type { StorageWrite } from '../ports/storage.js'
import type { SdkProblem } from '../model/problem.js'
import type { SendOutcome } from '../wire/classifyResponse.js'
import type { FrozenBatch, RefusedToken, SessionRecord, TokenRecord } from './context.js'
import type { NextBatchItems } from './nextBatch.js'

/** What the statechart restored from storage at start. */
export type RestoredState = {
  readonly identifier: Identifier | null
  readonly session: SessionRecord | null
  readonly tokens: Readonly<Record<string, TokenRecord>>
  readonly refusedTokens: Readonly<Record<string, readonly RefusedToken[]>>
  readonly pendingByIdentity: Readonly<Record<string, number>>
  readonly deadLetterCount: number
  readonly outbox: readonly FrozenBatch[]
  readonly loggingOut: readonly Identifier[]
  /** R9: the earliest next attempt a server's Retry-After asked for; absent when none was stored. */
  readonly retryAfterUntil?: number | null
}

/**
 * Items the facade tracked since it last told the statechart: counts per identity key and the
 * time of the latest. They arrive as `ITEMS_TRACKED`, or, while the sync loop is busy, with the
 * event that ends its step (`tracked`), so the next decision sees them without an event of their own.
 *
 * @example
 * ```ts
 * const tracked: TrackedItems = { counts: { anon: 100 }, lastActivityAt: Date.now() }
 * ```
 */
export type TrackedItems = { readonly counts: Readonly<Record<string, number>>; readonly lastActivityAt: number }

/**
 * Events the statechart accepts. Commands from the facade carry the time they were made (`at`).
 *
 * @example
 * ```ts
 * const event: SyncEvent = { type: 'IDENTIFY', identifier: 'user-42' as Identifier, at: Date.now() }
 * actor.send(event)
 * ```
 */
export type SyncEvent =
  | { readonly type: 'RESTORED'; readonly restored: RestoredState }
  /** The calls made before the restore finished have been applied: sync may decide now. */
  | { readonly type: 'RESUME' }
  | { readonly type: 'ACTIVITY'; readonly at: number }
  | ({ readonly type: 'ITEMS_TRACKED' } & TrackedItems)
  | { readonly type: 'IDENTIFY'; readonly identifier: Identifier; readonly at: number }
  | { readonly type: 'LOGOUT'; readonly at: number }
  | { readonly type: 'TOKEN_PASSED'; readonly identifier: Identifier; readonly token: string; readonly at: number }
  | { readonly type: 'FLUSH' }
  /** An automatic trigger (R12): periodic, background, batch full, new session. */
  | { readonly type: 'SYNC' }
  | { readonly type: 'FOREGROUND'; readonly at: number }
  | { readonly type: 'BACKGROUND' }
  | { readonly type: 'BATCH_FORMED'; readonly identity: IdentityKey; readonly items: readonly StoredItem[]; readonly tracked?: TrackedItems }
  | {
      readonly type: 'BATCH_SENT'
      readonly batch: FrozenBatch
      readonly token: string | null
      readonly outcome: SendOutcome
      readonly tracked?: TrackedItems
      /** After a delivery: the same identity's next items, when the actor was asked to read them. */
      readonly nextBatch?: NextBatchItems
    }
  /** While a batch is in flight: the same identity's next full batch, read ahead to be frozen now. */
  | { readonly type: 'NEXT_BATCH_READ'; readonly identity: IdentityKey; readonly items: readonly StoredItem[] }
  /** Storage could not be read: treated as a transient failure (R9). */
  | { readonly type: 'BATCH_FORM_FAILED'; readonly reason: string; readonly tracked?: TrackedItems }
  /** An R11 deletion is durable in storage. */
  | { readonly type: 'ITEMS_DELETED'; readonly tracked?: TrackedItems }
  | { readonly type: 'SHUTDOWN' }

/**
 * Effects the statechart asks the runtime to carry out (XState `emit`): it does no IO itself.
 *
 * @example
 * ```ts
 * actor.on('persist', ({ write }) => namespace.commit(write)())
 * actor.on('log', ({ level, message, fields }) => logger[level](message, fields))
 * ```
 */
export type SyncEmitted =
  | { readonly type: 'persist'; readonly write: StorageWrite }
  | { readonly type: 'authError'; readonly error: AuthenticationError; readonly dedupeKey: string }
  | { readonly type: 'authResolved'; readonly identifier: Identifier }
  | { readonly type: 'problem'; readonly problem: SdkProblem }
  | { readonly type: 'log'; readonly level: 'debug' | 'info' | 'warn' | 'error'; readonly message: string; readonly fields: Readonly<Record<string, unknown>> }
  | { readonly type: 'tokenWanted'; readonly identifier: Identifier; readonly reason: TokenRequestReason }
  | { readonly type: 'tokenStored'; readonly identifier: Identifier; readonly expiresAt: number | null }
