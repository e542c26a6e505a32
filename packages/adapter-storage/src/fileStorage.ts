import { constants } from 'node:fs'
import { access, mkdir, open, readFile, rename, unlink, type FileHandle } from 'node:fs/promises'
import { join } from 'node:path'
import * as E from '@jwt-sync/core/either'
import type { CommitResult, Storage, StorageFailure, StorageNamespace, StorageWrite } from '@jwt-sync/core'
import { CommitRecordCodec, RECORD_FORMAT_VERSION, type CommitRecord } from './commitRecord.js'
import { acquireFileLock, type FileLock } from './fileLock.js'
import { NamespaceIndex } from './namespaceIndex.js'
import { encodeFrame, scanFrames } from './recordFrame.js'
import { fileFailure, unexpectedFailure } from './storageFailure.js'
import { indexedNamespace } from './indexedNamespace.js'

/**
 * Options of the Node file storage.
 *
 * @example
 * ```ts
 * const options: FileStorageOptions = { directory: '/var/lib/my-app/jwt-sync', durability: 'fsync' }
 * ```
 */
export type FileStorageOptions = {
  /** Created if missing. Each namespace keeps `<name>.log` and `<name>.lock` in it. */
  readonly directory: string
  /**
   * `fsync` (default): a commit resolves once its bytes are on the device, so it survives power
   * loss. `os`: once the operating system has them, so it survives the process crashing, not the
   * machine.
   */
  readonly durability?: 'fsync' | 'os'
  /** The log is compacted once it is larger than this and more than half of it is dead. Default 1 MiB. */
  readonly compactionThresholdBytes?: number
}

const ITEMS_PER_COMPACTED_RECORD = 1000
const COMPACTION_WRITE_BYTES = 1 << 20

/**
 * A file name for a namespace that is safe everywhere: lower-case letters, digits, `-` and `_`
 * stay, every other byte is `%XX` (so `App` and `app` differ on case-insensitive disks too).
 */
const fileNameOf = (namespace: string): string =>
  [...Buffer.from(namespace, 'utf8')].map((byte) => (/[a-z0-9_-]/.test(String.fromCharCode(byte)) ? String.fromCharCode(byte) : `%${byte.toString(16).padStart(2, '0').toUpperCase()}`)).join('')

/** Makes a rename or a new file's name durable; not every platform can fsync a directory. */
const syncDirectory = async (directory: string): Promise<void> => {
  const handle = await open(directory, 'r').catch(() => undefined)
  if (handle === undefined) return
  await handle.sync().catch(() => undefined)
  await handle.close().catch(() => undefined)
}

const writeAll = async (handle: FileHandle, bytes: Buffer, position: number): Promise<void> => {
  let written = 0
  while (written < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, written, bytes.length - written, position + written)
    written += bytesWritten
  }
}

const encodeRecord = (record: CommitRecord): { frame: Buffer; payloadBytes: number } => {
  const payload = Buffer.from(JSON.stringify(record), 'utf8')
  return { frame: encodeFrame(RECORD_FORMAT_VERSION, payload), payloadBytes: payload.length }
}

/** Replays a log into an index; damaged, unknown-version and malformed records are counted. */
const replay = (log: Buffer, index: NamespaceIndex): number => {
  const scan = scanFrames(log)
  index.skippedRecords += scan.damaged
  for (const frame of scan.frames) {
    if (frame.version !== RECORD_FORMAT_VERSION) {
      index.skippedRecords++
      continue
    }
    let record: unknown
    try {
      record = JSON.parse(frame.payload.toString('utf8'))
    } catch {
      record = undefined
    }
    // The codec's type guard, not `decode`: the same checks without building a result and its
    // error context for each of 100,000 items, which made a restart cost 1.8x parsing the JSON.
    if (!CommitRecordCodec.is(record)) {
      index.skippedRecords++
      continue
    }
    index.apply(record, frame.payload.length / NamespaceIndex.weightOf(record), false)
  }
  return scan.intactEnd
}

type OpenLog = { handle: FileHandle; end: number }

const openNamespace = async (options: FileStorageOptions, namespace: string): Promise<E.Either<StorageFailure, StorageNamespace>> => {
  const { directory } = options
  if (namespace.length === 0) return E.left({ kind: 'io', message: 'namespace must be a non-empty string' })
  try {
    await mkdir(directory, { recursive: true })
    await access(directory, constants.R_OK | constants.W_OK | constants.X_OK)
  } catch (error) {
    return E.left(fileFailure(`storage directory ${directory} is not usable`, error))
  }
  const base = join(directory, fileNameOf(namespace))
  const logPath = `${base}.log`
  const locked = await acquireFileLock(`${base}.lock`)
  if (E.isLeft(locked)) return locked
  const lock: FileLock = locked.right

  const index = new NamespaceIndex()
  let log: OpenLog
  try {
    const existing = await readFile(logPath).catch((error: { code?: string }) => {
      if (error.code === 'ENOENT') return undefined
      throw error
    })
    const handle = await open(logPath, constants.O_RDWR | constants.O_CREAT)
    const intactEnd = existing === undefined ? 0 : replay(existing, index)
    if (existing === undefined) await syncDirectory(directory)
    // A torn tail (a crash mid-write) or trailing damage: cut it so new records follow intact ones.
    else if (intactEnd < existing.length) {
      await handle.truncate(intactEnd)
      await handle.datasync()
    }
    log = { handle, end: intactEnd }
  } catch (error) {
    await lock.release()
    return E.left(fileFailure(`cannot read ${logPath}`, error))
  }

  const durable = options.durability !== 'os'
  const threshold = options.compactionThresholdBytes ?? 1 << 20
  let nextCompactionAt = threshold

  /**
   * Rewrites the live data to a new file and renames it over the log (R13: bounded disk use; R11:
   * what an erasing commit removed or overwrote leaves the disk). Answers whether it did.
   */
  const compact = async (): Promise<boolean> => {
    const temporary = `${logPath}.compact`
    let fresh: FileHandle | undefined
    try {
      fresh = await open(temporary, 'w+')
      let end = 0
      let pending: Buffer[] = []
      let pendingBytes = 0
      const flush = async (): Promise<void> => {
        const chunk = Buffer.concat(pending, pendingBytes)
        await writeAll(fresh!, chunk, end)
        end += chunk.length
        pending = []
        pendingBytes = 0
      }
      for (const record of index.compactedRecords(ITEMS_PER_COMPACTED_RECORD)) {
        const { frame } = encodeRecord(record)
        pending.push(frame)
        pendingBytes += frame.length
        if (pendingBytes >= COMPACTION_WRITE_BYTES) await flush()
      }
      await flush()
      await fresh.datasync()
      await rename(temporary, logPath)
      await syncDirectory(directory)
      const old = log.handle
      // The new handle follows the renamed file; the old one points at the replaced inode.
      log = { handle: fresh, end }
      fresh = undefined
      await old.close().catch(() => undefined)
      nextCompactionAt = Math.max(threshold, end * 2)
      return true
    } catch {
      // The old log is intact and still current; try again once it has doubled.
      await fresh?.close().catch(() => undefined)
      await unlink(temporary).catch(() => undefined)
      nextCompactionAt = log.end * 2
      return false
    }
  }
  /** An erasing commit whose compaction failed: every later commit tries again until one succeeds. */
  let eraseOwed = false

  const commit = async (write: StorageWrite): Promise<E.Either<StorageFailure, CommitResult>> => {
    let record: CommitRecord
    let encoded: { frame: Buffer; payloadBytes: number }
    try {
      record = index.recordOf(write)
      encoded = encodeRecord(record)
    } catch (error) {
      return E.left({ kind: 'io', message: `cannot encode the write: ${error instanceof Error ? error.message : String(error)}` })
    }
    if (Object.keys(record).length === 0) {
      if (write.erase === true || eraseOwed) eraseOwed = !(await compact())
      return E.right({ removedByIdentity: {} })
    }
    const { handle, end } = log
    try {
      await writeAll(handle, encoded.frame, end)
      if (durable) await handle.datasync()
    } catch (error) {
      // Nothing of this commit may stay behind a later one: cut back to the last whole record.
      await handle.truncate(end).catch(() => undefined)
      return E.left(fileFailure(`cannot append to ${logPath}`, error))
    }
    log.end = end + encoded.frame.length
    const result = index.apply(record, encoded.payloadBytes / NamespaceIndex.weightOf(record), true)
    // The commit stands either way; a failed erase is owed and retried, never a reason to lose data.
    if (write.erase === true || eraseOwed) eraseOwed = !(await compact())
    else if (log.end >= nextCompactionAt && log.end > 2 * index.liveBytes) await compact()
    return E.right(result)
  }

  // Commits run one at a time, in call order (indexedNamespace), each as one write.
  return E.right(
    indexedNamespace({
      index,
      commit,
      close: async () => {
        await log.handle.close().catch(() => undefined)
        await lock.release()
      },
    }),
  )
}

/**
 * Durable storage for Node: one append-only log per namespace in `directory`. Each commit is one
 * length-prefixed, CRC32-checked record written with one write (and, by default, one fsync);
 * acknowledgements are small records, never a rewrite of the queue; an in-memory index serves
 * `peek`; the log is compacted (temp file, rename, directory fsync) once acknowledged bytes
 * dominate. A torn tail after a crash loses only the unfinished record; damaged or future-version
 * records are skipped and counted in `skippedRecords`. A lock file keeps a second process out
 * (`locked`); a full disk is a `quota` failure and loses nothing already stored.
 *
 * @example
 * ```ts
 * const storage = createFileStorage({ directory: '/var/lib/my-app/jwt-sync' })
 * const sdk = createSdk(config, { transport, storage })
 * ```
 */
export const createFileStorage = (options: FileStorageOptions): Storage => ({
  open: (namespace) => () => openNamespace(options, namespace).catch(unexpectedFailure(`open ${namespace}`)),
})
