import type * as E from '@jwt-sync/core/either'
import type { StorageFailure } from '@jwt-sync/core'

/**
 * Where the web storage keeps one namespace's log: an ordered list of record texts. A medium
 * (IndexedDB, localStorage) only stores and returns texts; the namespace logic, the index and the
 * format live in `webStorage.ts`.
 *
 * @example
 * ```ts
 * const log: WebLog = await openIndexedDbLog(indexedDB, 'jwt-sync:my-app', 'fsync')
 * await log.append('{"v":1,"r":{}}')
 * ```
 */
export type WebLog = {
  /** Every record text, oldest first. */
  readonly read: () => Promise<E.Either<StorageFailure, readonly string[]>>
  /** Stores one record as one atomic write. */
  readonly append: (text: string) => Promise<E.Either<StorageFailure, void>>
  /** Replaces the whole log with these records, atomically (compaction). */
  readonly replace: (texts: readonly string[]) => Promise<E.Either<StorageFailure, void>>
  readonly close: () => void
}

/**
 * Whether an error thrown or reported by a browser storage API means the quota is exhausted.
 *
 * @example
 * ```ts
 * isQuotaError(new DOMException('full', 'QuotaExceededError')) // true
 * ```
 */
export const isQuotaError = (error: unknown): boolean => {
  const name = typeof error === 'object' && error !== null ? (error as { name?: unknown }).name : undefined
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined
  // Firefox used NS_ERROR_DOM_QUOTA_REACHED; old WebKit reports code 22.
  return name === 'QuotaExceededError' || name === 'NS_ERROR_DOM_QUOTA_REACHED' || code === 22
}

/**
 * A browser storage error as the port's failure value.
 *
 * @example
 * ```ts
 * webFailure('IndexedDB commit', transaction.error)
 * ```
 */
export const webFailure = (what: string, error: unknown): StorageFailure => {
  const detail =
    typeof error === 'object' && error !== null
      ? `${String((error as { name?: unknown }).name ?? 'Error')}: ${String((error as { message?: unknown }).message ?? '')}`
      : String(error)
  return { kind: isQuotaError(error) ? 'quota' : 'io', message: `${what}: ${detail}` }
}
