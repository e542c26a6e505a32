import * as E from 'fp-ts/lib/Either.js'
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

/** Replays record texts (the web storage's format); damaged, future-version and malformed ones are counted, never fatal. */
const replay = (texts: readonly string[], index: NamespaceIndex): number => {
  let chars = 0
  for (const text of texts) {
    chars += text.length
    let decoded: E.Either<unknown, CommitRecord>
    try {
      const stored = StoredTextCodec.decode(JSON.parse(text))
      if (E.isRight(stored) && stored.right.v !== RECORD_FORMAT_VERSION) decoded = E.left('unknown format version')
      else decoded = E.isRight(stored) ? CommitRecordCodec.decode(stored.right.r) : stored
    } catch {
      decoded = E.left('not JSON')
    }
    if (E.isLeft(decoded)) index.skippedRecords++
    else index.apply(decoded.right, text.length / NamespaceIndex.weightOf(decoded.right), false)
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
  let logChars = replay(texts.right, index)
  const threshold = options.compactionThresholdChars ?? 256 * 1024
  let nextCompactionAt = threshold

  const compact = async (): Promise<void> => {
    const compacted = [...index.compactedRecords(COMPACTED_ITEMS_PER_RECORD)].map(encodeText)
    const replaced = await log.replace(compacted)
    const chars = compacted.reduce((sum, text) => sum + text.length, 0)
    if (E.isRight(replaced)) logChars = chars
    nextCompactionAt = Math.max(threshold, (E.isRight(replaced) ? chars : logChars) * 2)
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
    if (Object.keys(record).length === 0) return E.right({ removedByIdentity: {} })
    const appended = await log.append(text)
    if (E.isLeft(appended)) return appended
    logChars += text.length
    const result = index.apply(record, text.length / NamespaceIndex.weightOf(record), true)
    // A failed compaction changes nothing that was committed; the commit still succeeded.
    if (logChars >= nextCompactionAt && logChars > 2 * index.liveBytes) await compact()
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
