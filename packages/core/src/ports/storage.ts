import type { TaskEither } from 'fp-ts/lib/TaskEither.js'
import type { IdentityKey } from '../model/identity.js'
import type { DeadLetter, ItemId, StoredItem } from '../model/item.js'

/**
 * A JSON value kept in the small key-value state. The core decodes what it reads back (io-ts).
 *
 * @example
 * ```ts
 * const value: StateValue = { id: 's1', startedAt: 1_700_000_000_000, tags: ['a', 'b'] }
 * await namespace.commit({ state: { session: value, stale: null } })() // null deletes `stale`
 * ```
 */
export type StateValue = null | boolean | number | string | readonly StateValue[] | { readonly [key: string]: StateValue }

/**
 * Why a storage operation failed. `quota` is a full disk or an exhausted browser quota; `corrupt`
 * is data the driver could not read back; `locked` is a second process on the same data.
 *
 * @example
 * ```ts
 * const failure: StorageFailure = { kind: 'quota', message: 'QuotaExceededError: the origin is out of space' }
 * ```
 */
export type StorageFailure = {
  readonly kind: 'quota' | 'io' | 'corrupt' | 'locked' | 'closed'
  readonly message: string
}

/**
 * One grouped write. A driver applies it as one unit (all or nothing where the medium allows), in
 * this order: `append`, `remove`, `removeIdentities`, `deadLetters`, `state`.
 *
 * @example
 * ```ts
 * const write: StorageWrite = { append: [item] }
 * await namespace.commit(write)()
 * ```
 */
export type StorageWrite = {
  /** New items, in tracking order. */
  readonly append?: readonly StoredItem[]
  /** Items delivered, dead-lettered or deleted: they leave the queue. Unknown ids are ignored. */
  readonly remove?: readonly ItemId[]
  /** Every pending item of these identities leaves the queue (R11 deletion on logout). */
  readonly removeIdentities?: readonly IdentityKey[]
  /** Items given up on (R10); kept for inspection, never sent again. */
  readonly deadLetters?: readonly DeadLetter[]
  /** Key-value state: a value sets the key, `null` deletes it. */
  readonly state?: Readonly<Record<string, StateValue | null>>
  /**
   * R11: this write forgets a logged-out user. Once it has committed, neither the items it
   * removes nor any earlier value of the state keys it sets or deletes may remain readable at rest
   * (a user's token among them). A driver that keeps history, such as an append-only log, rewrites
   * it (compacts) as part of this commit; one that keeps none has nothing to do.
   */
  readonly erase?: boolean
}

/**
 * What a commit did: how many pending items each `removeIdentities` entry removed.
 *
 * @example
 * ```ts
 * const result = await namespace.commit({ removeIdentities: [identityKeyOf('user-42' as Identifier)] })()
 * if (E.isRight(result)) result.right.removedByIdentity // { 'user:user-42': 3 }
 * ```
 */
export type CommitResult = { readonly removedByIdentity: Readonly<Record<string, number>> }

/**
 * Everything a namespace holds, read once when an SDK instance starts.
 *
 * @example
 * ```ts
 * const snapshot = await namespace.load()()
 * if (E.isRight(snapshot)) console.log(snapshot.right.pendingByIdentity, snapshot.right.skippedRecords)
 * ```
 */
export type StorageSnapshot = {
  /** Pending items per identity key. */
  readonly pendingByIdentity: Readonly<Record<string, number>>
  readonly deadLetterCount: number
  readonly state: Readonly<Record<string, StateValue>>
  /** Records the driver skipped because they were corrupt or of an unknown format version. */
  readonly skippedRecords: number
}

/**
 * One app's storage: a durable queue of pending items, partitioned by identity, a dead-letter
 * store, and small key-value state (session, tokens, identity, frozen batches).
 *
 * @example
 * ```ts
 * const opened = await createMemoryStorage().open('my-app')()
 * if (E.isRight(opened)) await opened.right.peek(ANONYMOUS, 100)()
 * ```
 */
export type StorageNamespace = {
  /** Reads the counts and the key-value state (at start). */
  readonly load: () => TaskEither<StorageFailure, StorageSnapshot>
  /** The oldest `limit` pending items of one identity, in tracking order. */
  readonly peek: (identity: IdentityKey, limit: number) => TaskEither<StorageFailure, readonly StoredItem[]>
  /** Applies one grouped write; see {@link StorageWrite}. */
  readonly commit: (write: StorageWrite) => TaskEither<StorageFailure, CommitResult>
  /** The dead letters, oldest first. */
  readonly readDeadLetters: (limit: number) => TaskEither<StorageFailure, readonly DeadLetter[]>
  /** Releases files, locks and connections. Later calls fail with `closed`. */
  readonly close: () => Promise<void>
}

/**
 * The storage port. `open(appId)` gives that app's namespace; two namespaces never see each
 * other's data.
 *
 * @example
 * ```ts
 * const storage = createMemoryStorage()
 * const sdk = createSdk(config, { transport, storage })
 * ```
 */
export type Storage = {
  /** Opens one app's namespace (creating it when new). */
  readonly open: (namespace: string) => TaskEither<StorageFailure, StorageNamespace>
}
