import type { BatchBody, WireItem } from '@jwt-sync/core'

/**
 * An item the server accepted, with where it came from.
 *
 * @example
 * ```ts
 * server.items('demo').map((record: AcceptedItem) => record.item.id)
 * ```
 */
export type AcceptedItem = {
  readonly appId: string
  readonly batchId: string
  /** `identity.value` of the batch, null for anonymous items. */
  readonly identifier: string | null
  readonly receivedAt: number
  readonly item: WireItem
}

/**
 * How many items of a batch were new and how many the server already had (`docs/wire-protocol.md`).
 *
 * @example
 * ```ts
 * const outcome: StoreOutcome = store.store('demo', batch, Date.now()) // { accepted: 2, duplicates: 1 }
 * ```
 */
export type StoreOutcome = { readonly accepted: number; readonly duplicates: number }

/**
 * Where accepted items go; de-duplicates by item id per app (step 10 of `docs/wire-protocol.md`).
 *
 * @example
 * ```ts
 * const store: ItemStore = createMemoryItemStore()
 * ```
 */
export type ItemStore = {
  /**
   * Keeps the batch's items whose id the app has not stored yet, all at `receivedAt`, and counts
   * the rest as duplicates: a retried batch (R14) is acknowledged without being stored twice.
   */
  readonly store: (appId: string, batch: BatchBody, receivedAt: number) => StoreOutcome
  /** Items in the order they were accepted; all apps when `appId` is omitted. */
  readonly list: (appId?: string) => readonly AcceptedItem[]
  /** Releases the storage (closes the SQLite file; nothing for memory). Safe to call twice. The server calls it on `stop()`. */
  readonly close: () => void
}

/**
 * The default store: memory, gone when the server stops.
 *
 * @example
 * ```ts
 * const store = createMemoryItemStore()
 * store.store('app-1', batch, Date.now()) // { accepted: 2, duplicates: 0 }
 * ```
 */
export const createMemoryItemStore = (): ItemStore => {
  const byApp = new Map<string, Map<string, AcceptedItem>>()
  const all: AcceptedItem[] = []
  return {
    store: (appId, batch, receivedAt) => {
      let seen = byApp.get(appId)
      if (seen === undefined) {
        seen = new Map()
        byApp.set(appId, seen)
      }
      let accepted = 0
      let duplicates = 0
      for (const item of batch.items) {
        if (seen.has(item.id)) {
          duplicates += 1
          continue
        }
        const record: AcceptedItem = { appId, batchId: batch.batchId, identifier: batch.identity?.value ?? null, receivedAt, item }
        seen.set(item.id, record)
        all.push(record)
        accepted += 1
      }
      return { accepted, duplicates }
    },
    list: (appId) => (appId === undefined ? [...all] : all.filter((record) => record.appId === appId)),
    close: () => {},
  }
}
