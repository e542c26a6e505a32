import * as t from 'io-ts'
import { DeadLetterCodec, type DeadLetter, type IdentityKey, type ItemId, type StateValue, type StoredItem } from '@jwt-sync/core'

/**
 * The format version every record carries. A reader skips (and counts) records of a version it
 * does not know instead of guessing at them, so an older SDK never misreads a newer one's data.
 *
 * @example
 * ```ts
 * if (version !== RECORD_FORMAT_VERSION) skipped++
 * ```
 */
export const RECORD_FORMAT_VERSION = 1

/**
 * One logged commit: the `StorageWrite` as applied, in the same short-keyed shape on every medium
 * (a file frame, an IndexedDB value, a localStorage value). Replaying the records in order
 * rebuilds the namespace. A compaction writes the live data back as ordinary records.
 *
 * @example
 * ```ts
 * const record: CommitRecord = { a: [item], s: { session: { id: 's1' } } }
 * ```
 */
export type CommitRecord = {
  /** appended items */
  readonly a?: readonly StoredItem[]
  /** removed item ids */
  readonly r?: readonly ItemId[]
  /** removed identities */
  readonly ri?: readonly IdentityKey[]
  /** dead letters */
  readonly d?: readonly DeadLetter[]
  /** state: a value sets a key, null deletes it */
  readonly s?: Readonly<Record<string, StateValue | null>>
}

const StateValueCodec: t.Type<StateValue, unknown, unknown> = t.recursion('StateValue', () =>
  t.union([t.null, t.boolean, t.number, t.string, t.readonlyArray(StateValueCodec), t.record(t.string, StateValueCodec)]),
)

/**
 * The stamp of a stored item, checked for every item when a namespace is read back. The deep
 * check of attributes (`StoredItemCodec`) runs when `peek` hands an item out: decoding every
 * attribute of 100,000 items at start would cost more than parsing them (bench/storage.bench.ts).
 */
const StoredItemStampCodec = t.type({
  id: t.string,
  identity: t.string,
  type: t.keyof({ event: null, user_attribute: null }),
  name: t.string,
  timestamp: t.number,
  sessionId: t.string,
})

/**
 * Decodes a record read back from a medium. Items are checked down to their stamp here and in
 * full when handed out (see `NamespaceIndex.peek`).
 *
 * @example
 * ```ts
 * const decoded = CommitRecordCodec.decode(JSON.parse(text))
 * ```
 */
export const CommitRecordCodec = t.partial({
  a: t.readonlyArray(StoredItemStampCodec),
  r: t.readonlyArray(t.string),
  ri: t.readonlyArray(t.string),
  d: t.readonlyArray(DeadLetterCodec),
  s: t.record(t.string, t.union([t.null, StateValueCodec])),
}) as unknown as t.Type<CommitRecord, unknown, unknown>
