import * as E from '../model/either.js'
import { createMemoryStorage } from '../drivers/memoryStorage.js'
import type { SdkProblem } from '../model/problem.js'
import type { Storage, StorageNamespace } from '../ports/storage.js'
import { decodeRestoredState, rebuildOutbox } from '../runtime/persistedState.js'
import type { RestoredState, SyncEvent } from '../sync/events.js'

const NOTHING_STORED: RestoredState = {
  identifier: null,
  session: null,
  tokens: {},
  refusedTokens: {},
  pendingByIdentity: {},
  deadLetterCount: 0,
  outbox: [],
  loggingOut: [],
}

/**
 * Opens the app's storage namespace and reads back the persisted control state: the statechart's
 * `restore` actor runs this once at start. Storage that cannot be opened (e.g. locked by another
 * process) is replaced by memory storage, and the app is told; unreadable records are counted and
 * reported, never fatal.
 *
 * @example
 * ```ts
 * const restore = createRestore({ storage, appId: 'my-app', opened: (ns) => (namespace = ns), reportProblem })
 * const event = await restore() // { type: 'RESTORED', restored: { ... } }
 * ```
 */
export const createRestore = (options: {
  readonly storage: Storage
  readonly appId: string
  /** Receives the namespace every later read and write goes to. */
  readonly opened: (namespace: StorageNamespace | null) => void
  readonly reportProblem: (problem: SdkProblem) => void
}): (() => Promise<SyncEvent>) => {
  const { storage, appId, reportProblem } = options
  return async () => {
    let namespace: StorageNamespace | null
    const opened = await storage.open(appId)().catch((error: unknown) => E.left({ kind: 'io' as const, message: String(error) }))
    if (E.isLeft(opened)) {
      reportProblem({ type: 'STORAGE', kind: opened.left.kind, message: `${opened.left.message}; using memory storage` })
      const fallback = await createMemoryStorage().open(appId)()
      namespace = E.isRight(fallback) ? fallback.right : null
    } else {
      namespace = opened.right
    }
    options.opened(namespace)
    const loaded = namespace === null ? null : await namespace.load()().catch(() => null)
    if (namespace === null || loaded === null || E.isLeft(loaded)) {
      if (loaded !== null && E.isLeft(loaded)) reportProblem({ type: 'STORAGE', kind: loaded.left.kind, message: loaded.left.message })
      return { type: 'RESTORED', restored: NOTHING_STORED }
    }
    const { restored, outbox, skipped } = decodeRestoredState(loaded.right)
    if (skipped > 0) reportProblem({ type: 'CORRUPT_RECORDS', skipped })
    return { type: 'RESTORED', restored: { ...restored, outbox: await rebuildOutbox(namespace, outbox) } }
  }
}
