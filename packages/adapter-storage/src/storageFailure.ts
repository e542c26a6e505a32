import type { StorageFailure } from '@jwt-sync/core'

const codeOf = (error: unknown): string | undefined =>
  typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string'
    ? (error as { code: string }).code
    : undefined

/**
 * Maps a Node file-system error to the port's failure value: a full disk or exhausted quota is
 * `quota` (the core keeps the items in memory and reports it), everything else `io`, with the
 * operation and the system's own code in the message.
 *
 * @example
 * ```ts
 * fileFailure('append to /data/app.log', error) // { kind: 'quota', message: 'append to /data/app.log: ENOSPC ...' }
 * ```
 */
export const fileFailure = (what: string, error: unknown): StorageFailure => {
  const code = codeOf(error)
  const detail = error instanceof Error ? error.message : String(error)
  const kind = code === 'ENOSPC' || code === 'EDQUOT' ? 'quota' : 'io'
  return { kind, message: `${what}: ${detail}` }
}

/**
 * The failure every call on a closed namespace returns.
 *
 * @example
 * ```ts
 * if (closed) return E.left(closedFailure)
 * ```
 */
export const closedFailure: StorageFailure = { kind: 'closed', message: 'storage namespace is closed' }

/**
 * The last line of defence of "failures are values": an exception escaping a driver operation
 * (a bug, or a platform API throwing where it should not) becomes an `io` failure.
 *
 * @example
 * ```ts
 * open: (namespace) => () => openNamespace(options, namespace).catch(unexpectedFailure('open'))
 * ```
 */
export const unexpectedFailure =
  (what: string) =>
  (error: unknown): { readonly _tag: 'Left'; readonly left: StorageFailure } => ({
    _tag: 'Left',
    left: { kind: 'io', message: `${what} failed unexpectedly: ${error instanceof Error ? error.message : String(error)}` },
  })
