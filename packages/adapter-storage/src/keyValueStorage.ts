import * as E from '@jwt-sync/core/either'
import * as t from 'io-ts'
import type { CommitResult, Storage, StorageFailure, StorageNamespace, StorageWrite } from '@jwt-sync/core'
import { CommitRecordCodec, RECORD_FORMAT_VERSION, type CommitRecord } from './commitRecord.js'
import { indexedNamespace } from './indexedNamespace.js'
import { openKeyValueLog } from './keyValueLog.js'
import type { KeyValueStore } from './keyValueStore.js'
import { NamespaceIndex } from './namespaceIndex.js'
import { unexpectedFailure } from './storageFailure.js'

/**
 * Options of the key-value storage.
 *
 * @example
 * ```ts
 * const options: KeyValueStorageOptions = { store: AsyncStorage, keyPrefix: 'my-app-analytics' }
 * ```
 */
export type KeyValueStorageOptions = {
  /** The store: AsyncStorage, an MMKV wrapper, or anything with `getItem`/`setItem`/`removeItem`. */
  readonly store: KeyValueStore
  /** Prefix of every key (`<prefix>:<namespace>:...`). Default `jwt-sync`. */
  readonly keyPrefix?: string
  /** Log size (in characters) from which a log dominated by acknowledged records is compacted. Default 256 Ki. */
  readonly compactionThresholdChars?: number
}

const StoredTextCodec = t.type({ v: t.number, r: t.unknown })
/** Items per record a compaction writes: one value stays well below AsyncStorage's per-entry limits on Android. */
const COMPACTED_ITEMS_PER_RECORD = 200

const encodeText = (record: CommitRecord): string => JSON.stringify({ v: RECORD_FORMAT_VERSION, r: record })

const decodeText = (text: string): E.Either<unknown, CommitRecord> => {
  try {
    const stored = StoredTextCodec.decode(JSON.parse(text))
    if (E.isRight(stored) && stored.right.v !== RECORD_FORMAT_VERSION) return E.left('unknown format version')
    return E.isRight(stored) ? CommitRecordCodec.decode(stored.right.r) : stored
  } catch {
    return E.left('not JSON')
  }
}

/**
 * Replays record texts (the web storage's format); damaged, future-version and malformed ones
 * are counted, never fatal. Notes which record last set each state key in `stateSetBy`.
 */
const replay = (texts: readonly string[], index: NamespaceIndex, stateSetBy: Map<string, number>): number => {
  let chars = 0
  for (const [seq, text] of texts.entries()) {
    chars += text.length
    const decoded = decodeText(text)
    if (E.isLeft(decoded)) {
      index.skippedRecords++
      continue
    }
    index.apply(decoded.right, text.length / NamespaceIndex.weightOf(decoded.right), false)
    for (const key of Object.keys(decoded.right.s ?? {})) stateSetBy.set(key, seq)
  }
  return chars
}

/**
 * Namespaces open in this JavaScript runtime, per store: a second open of the same namespace
 * (two SDK instances with one appId) gets `locked` instead of writing the same log.
 */
const openNames = new WeakMap<KeyValueStore, Set<string>>()

const openNamespace = async (options: KeyValueStorageOptions, namespace: string): Promise<E.Either<StorageFailure, StorageNamespace>> => {
  if (namespace.length === 0) return E.left({ kind: 'io', message: 'namespace must be a non-empty string' })
  // Escaped, so that `:` in an appId cannot reach into another namespace's keys.
  const name = `${options.keyPrefix ?? 'jwt-sync'}:${encodeURIComponent(namespace)}`
  const names = openNames.get(options.store) ?? new Set<string>()
  openNames.set(options.store, names)
  if (names.has(name)) return E.left({ kind: 'locked', message: `${name} is already open in this runtime` })
  names.add(name)
  const release = (): void => {
    names.delete(name)
  }

  const opened = await openKeyValueLog(options.store, name)
  if (E.isLeft(opened)) {
    release()
    return opened
  }
  const log = opened.right
  const texts = await log.read()
  if (E.isLeft(texts)) {
    release()
    return texts
  }
  const index = new NamespaceIndex()
  /** Per state key, the record that last set (or deleted) it: the only one that may hold its value. */
  const stateSetBy = new Map<string, number>()
  let logChars = replay(texts.right, index, stateSetBy)
  /** Earlier records still holding superseded state values, and which keys to take out of them. */
  const scrubs = new Map<number, Set<string>>()
  const threshold = options.compactionThresholdChars ?? 256 * 1024
  let nextCompactionAt = threshold

  /** Rewrites the store as the live data in a new generation. Answers whether it did. */
  const compact = async (): Promise<boolean> => {
    const compacted = [...index.compactedRecords(COMPACTED_ITEMS_PER_RECORD)].map(encodeText)
    const replaced = await log.replace(compacted)
    const chars = compacted.reduce((sum, text) => sum + text.length, 0)
    if (E.isRight(replaced)) {
      logChars = chars
      // The live state is the first compacted record's; nothing older is left to scrub.
      stateSetBy.clear()
      scrubs.clear()
      for (const key of Object.keys(index.snapshot().state)) stateSetBy.set(key, 0)
    }
    nextCompactionAt = Math.max(threshold, (E.isRight(replaced) ? chars : logChars) * 2)
    return E.isRight(replaced)
  }
  /** An erasing commit whose compaction failed: every later commit tries again until one succeeds. */
  let eraseOwed = false

  /**
   * Takes superseded state values out of earlier records, one `setItem` per record, so an old
   * value (a logged-out user's token, R11) does not stay at rest until the next compaction.
   * Replaying the rewritten record gives the same state: a later record sets those keys anyway.
   * A record that cannot be rewritten now is tried again after the next commit.
   */
  const scrub = async (): Promise<void> => {
    for (const [seq, keys] of [...scrubs]) {
      const text = await log.readAt(seq)
      if (E.isLeft(text)) return
      const decoded = text.right === null ? E.left('missing') : decodeText(text.right)
      if (E.isLeft(decoded)) {
        scrubs.delete(seq) // damaged or gone: replay skips it anyway
        continue
      }
      const state = Object.fromEntries(Object.entries(decoded.right.s ?? {}).filter(([key]) => !keys.has(key)))
      const { s: _old, ...rest } = decoded.right
      const rewritten = encodeText(Object.keys(state).length > 0 ? { ...rest, s: state } : rest)
      if (E.isLeft(await log.rewrite(seq, rewritten))) return
      scrubs.delete(seq)
    }
  }

  const commit = async (write: StorageWrite): Promise<E.Either<StorageFailure, CommitResult>> => {
    let record: CommitRecord
    let text: string
    try {
      record = index.recordOf(write)
      text = encodeText(record)
    } catch (error) {
      return E.left({ kind: 'io', message: `cannot encode the write: ${error instanceof Error ? error.message : String(error)}` })
    }
    if (Object.keys(record).length === 0) {
      if (write.erase === true || eraseOwed) eraseOwed = !(await compact())
      return E.right({ removedByIdentity: {} })
    }
    const seq = log.size()
    const appended = await log.append(text)
    if (E.isLeft(appended)) return appended
    logChars += text.length
    const result = index.apply(record, text.length / NamespaceIndex.weightOf(record), true)
    for (const key of Object.keys(record.s ?? {})) {
      const previous = stateSetBy.get(key)
      if (previous !== undefined && previous !== seq) scrubs.set(previous, (scrubs.get(previous) ?? new Set()).add(key))
      stateSetBy.set(key, seq)
    }
    // Failed cleanups change nothing that was committed; the commit still succeeded.
    // An erasing commit (R11) compacts at once: what it removed or overwrote leaves the store now.
    // A logout deletion is one even when a caller did not say so.
    if (write.erase === true || record.ri !== undefined || eraseOwed) eraseOwed = !(await compact())
    else if (logChars >= nextCompactionAt && logChars > 2 * index.liveBytes) await compact()
    else await scrub()
    return E.right(result)
  }

  return E.right(
    indexedNamespace({
      index,
      commit,
      close: async () => {
        log.close()
        release()
      },
    }),
  )
}

/**
 * Durable storage on a React Native key-value store (AsyncStorage, MMKV): the queue is a log
 * segmented across keys, one key per commit, so tracking never rewrites the queue (R13); `peek`
 * reads an index in memory. A compaction rewrites the live data once acknowledged records
 * dominate, switching to it with one `setItem`, so a crash at any moment neither loses nor
 * repeats an item. Store errors are failure values (`quota` for a full store).
 *
 * @example
 * ```ts
 * import AsyncStorage from '@react-native-async-storage/async-storage'
 * const storage = createKeyValueStorage({ store: AsyncStorage })
 * const sdk = createSdk(config, { transport: createFetchTransport(), storage })
 * ```
 */
export const createKeyValueStorage = (options: KeyValueStorageOptions): Storage => ({
  open: (namespace) => () => openNamespace(options, namespace).catch(unexpectedFailure(`open ${namespace}`)),
})
