import * as E from '@jwt-sync/core/either'
import * as t from 'io-ts'
import type { CommitResult, Storage, StorageFailure, StorageNamespace, StorageWrite } from '@jwt-sync/core'
import { CommitRecordCodec, RECORD_FORMAT_VERSION, type CommitRecord } from './commitRecord.js'
import { openIndexedDbLog, type IndexedDbFactory } from './indexedDbLog.js'
import { openLocalStorageLog, type KeyValueArea } from './localStorageLog.js'
import { NamespaceIndex } from './namespaceIndex.js'
import { unexpectedFailure } from './storageFailure.js'
import { indexedNamespace } from './indexedNamespace.js'
import type { WebLog } from './webLog.js'

/**
 * Options of the browser storage. Everything defaults to the page's globals.
 *
 * @example
 * ```ts
 * const storage = createWebStorage({ databasePrefix: 'my-app-analytics' })
 * ```
 */
export type WebStorageOptions = {
  /** Prefix of database and key names (`<prefix>:<namespace>`). Default `jwt-sync`. */
  readonly databasePrefix?: string
  /** `fsync` (default): IndexedDB transactions with `durability: 'strict'`; `os`: `relaxed`. */
  readonly durability?: 'fsync' | 'os'
  /** Defaults to `globalThis.indexedDB`; `null` forces the localStorage fallback. */
  readonly indexedDB?: unknown
  /** Defaults to `globalThis.localStorage`. */
  readonly localStorage?: unknown
  /** Log size (in characters) from which a log dominated by acknowledged records is compacted. Default 256 Ki. */
  readonly compactionThresholdChars?: number
}

const StoredTextCodec = t.type({ v: t.number, r: t.unknown })
const COMPACTED_ITEMS_PER_RECORD = 500

const encodeText = (record: CommitRecord): string => JSON.stringify({ v: RECORD_FORMAT_VERSION, r: record })

/** Replays record texts; damaged, future-version and malformed ones are counted, never fatal. */
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

type WebLocks = {
  request(name: string, options: { ifAvailable: boolean }, callback: (lock: unknown) => Promise<void>): Promise<unknown>
}

/**
 * Holds a Web Lock named after the namespace while it is open, so a second tab (or a second open
 * in this one) gets `locked` instead of writing the same log. Where Web Locks are missing the
 * namespace opens unlocked.
 */
const holdLock = (name: string): Promise<E.Either<StorageFailure, () => Promise<void>>> => {
  const locks = (globalThis as { navigator?: { locks?: WebLocks } }).navigator?.locks
  if (locks === undefined) return Promise.resolve(E.right(() => Promise.resolve()))
  return new Promise((resolve) => {
    let release: () => void = () => undefined
    let held: Promise<unknown>
    try {
      held = locks.request(name, { ifAvailable: true }, (lock) => {
        if (lock === null) {
          resolve(E.left({ kind: 'locked', message: `${name} is open in another tab or context` }))
          return Promise.resolve()
        }
        return new Promise<void>((done) => {
          release = done
          resolve(
            E.right(async () => {
              release()
              await held
            }),
          )
        })
      })
    } catch {
      // e.g. a SecurityError in an opaque origin: open unlocked, as where Web Locks are missing.
      resolve(E.right(() => Promise.resolve()))
      return
    }
    held.catch((error: unknown) => resolve(E.left({ kind: 'io', message: `Web Locks failed: ${String(error)}` })))
  })
}

const openLog = async (options: WebStorageOptions, name: string): Promise<E.Either<StorageFailure, WebLog>> => {
  const factory = ('indexedDB' in options ? options.indexedDB : (globalThis as { indexedDB?: unknown }).indexedDB) as IndexedDbFactory | null | undefined
  const durability = options.durability === 'os' ? 'relaxed' : 'strict'
  if (factory !== null && factory !== undefined) {
    const opened = await openIndexedDbLog(factory, name, durability)
    // IndexedDB present but refusing (some private modes): the fallback is better than nothing.
    if (E.isRight(opened) || opened.left.kind === 'locked') return opened
  }
  let area: KeyValueArea | null | undefined
  try {
    area = ('localStorage' in options ? options.localStorage : (globalThis as { localStorage?: unknown }).localStorage) as KeyValueArea | null | undefined
  } catch (error) {
    return E.left({ kind: 'io', message: `localStorage is not accessible: ${String(error)}` })
  }
  if (area === null || area === undefined) return E.left({ kind: 'io', message: 'neither IndexedDB nor localStorage is available' })
  return openLocalStorageLog(area, name)
}

const openNamespace = async (options: WebStorageOptions, namespace: string): Promise<E.Either<StorageFailure, StorageNamespace>> => {
  if (namespace.length === 0) return E.left({ kind: 'io', message: 'namespace must be a non-empty string' })
  const name = `${options.databasePrefix ?? 'jwt-sync'}:${namespace}`
  const locked = await holdLock(name)
  if (E.isLeft(locked)) return locked
  const releaseLock = locked.right
  const opened = await openLog(options, name)
  if (E.isLeft(opened)) {
    await releaseLock()
    return opened
  }
  const log = opened.right
  const texts = await log.read()
  if (E.isLeft(texts)) {
    log.close()
    await releaseLock()
    return texts
  }
  const index = new NamespaceIndex()
  let logChars = replay(texts.right, index)
  const threshold = options.compactionThresholdChars ?? 256 * 1024
  let nextCompactionAt = threshold

  /** Rewrites the log as the live data (bounded size; R11: an erasing commit's leftovers go). Answers whether it did. */
  const compact = async (): Promise<boolean> => {
    const compacted = [...index.compactedRecords(COMPACTED_ITEMS_PER_RECORD)].map(encodeText)
    const replaced = await log.replace(compacted)
    const chars = compacted.reduce((sum, text) => sum + text.length, 0)
    if (E.isRight(replaced)) logChars = chars
    nextCompactionAt = Math.max(threshold, (E.isRight(replaced) ? chars : logChars) * 2)
    return E.isRight(replaced)
  }
  /** An erasing commit whose compaction failed: every later commit tries again until one succeeds. */
  let eraseOwed = false

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
    const appended = await log.append(text)
    if (E.isLeft(appended)) return appended
    logChars += text.length
    const result = index.apply(record, text.length / NamespaceIndex.weightOf(record), true)
    // The commit stands either way; a failed erase is owed and retried, never a reason to lose data.
    if (write.erase === true || eraseOwed) eraseOwed = !(await compact())
    else if (logChars >= nextCompactionAt && logChars > 2 * index.liveBytes) await compact()
    return E.right(result)
  }

  // Commits run one at a time, in call order (indexedNamespace), each as one write.
  return E.right(
    indexedNamespace({
      index,
      commit,
      close: async () => {
        log.close()
        await releaseLock()
      },
    }),
  )
}

/**
 * Durable storage for browsers: IndexedDB (one database per namespace, one readwrite transaction
 * per commit), or localStorage where IndexedDB is missing. Records, index and compaction are the
 * file storage's; a `QuotaExceededError` is a `quota` failure value and loses nothing already
 * stored (the core reports it and keeps the items in memory). A Web Lock keeps a second tab out.
 *
 * @example
 * ```ts
 * const storage = createWebStorage()
 * const sdk = createSdk(config, { transport: createFetchTransport(), storage })
 * ```
 */
export const createWebStorage = (options: WebStorageOptions = {}): Storage => ({
  open: (namespace) => () => openNamespace(options, namespace).catch(unexpectedFailure(`open ${namespace}`)),
})
