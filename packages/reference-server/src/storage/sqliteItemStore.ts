import * as t from 'io-ts'
import * as E from 'fp-ts/lib/Either.js'
import { WireItemCodec } from '@jwt-sync/core'
import type { AcceptedItem, ItemStore } from './itemStore.js'

const RowCodec = t.type({
  app_id: t.string,
  item_id: t.string,
  batch_id: t.string,
  identifier: t.union([t.string, t.null]),
  received_at: t.number,
  item: t.string,
})

const SCHEMA = `
CREATE TABLE IF NOT EXISTS items (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  app_id TEXT NOT NULL,
  item_id TEXT NOT NULL,
  batch_id TEXT NOT NULL,
  identifier TEXT,
  received_at INTEGER NOT NULL,
  item TEXT NOT NULL,
  UNIQUE (app_id, item_id)
)`

const rowToItem = (row: unknown): AcceptedItem | null => {
  const decoded = RowCodec.decode(row)
  if (E.isLeft(decoded)) return null
  let parsed: unknown
  try {
    parsed = JSON.parse(decoded.right.item)
  } catch {
    return null
  }
  const item = WireItemCodec.decode(parsed)
  if (E.isLeft(item)) return null
  const { app_id, batch_id, identifier, received_at } = decoded.right
  return { appId: app_id, batchId: batch_id, identifier, receivedAt: received_at, item: item.right }
}

/**
 * Keeps accepted items in a SQLite file (the `--db` option), so de-duplication survives restarts.
 * better-sqlite3 is loaded only here, on demand: the server runs without the native module when
 * no database is asked for. Rejects when the file cannot be opened.
 *
 * @example
 * ```ts
 * const store = await openSqliteItemStore('/tmp/items.db')
 * store.store('app-1', batch, Date.now())
 * store.close()
 * ```
 */
export const openSqliteItemStore = async (path: string): Promise<ItemStore> => {
  const { default: Database } = await import('better-sqlite3')
  const db = new Database(path)
  db.pragma('journal_mode = WAL')
  db.exec(SCHEMA)
  const insert = db.prepare(
    'INSERT OR IGNORE INTO items (app_id, item_id, batch_id, identifier, received_at, item) VALUES (?, ?, ?, ?, ?, ?)',
  )
  const selectAll = db.prepare('SELECT app_id, item_id, batch_id, identifier, received_at, item FROM items ORDER BY seq')
  const selectApp = db.prepare('SELECT app_id, item_id, batch_id, identifier, received_at, item FROM items WHERE app_id = ? ORDER BY seq')
  const storeBatch = db.transaction((appId: string, batch: Parameters<ItemStore['store']>[1], receivedAt: number) => {
    let accepted = 0
    for (const item of batch.items) {
      accepted += insert.run(appId, item.id, batch.batchId, batch.identity?.value ?? null, receivedAt, JSON.stringify(item)).changes
    }
    return { accepted, duplicates: batch.items.length - accepted }
  })
  return {
    store: (appId, batch, receivedAt) => storeBatch(appId, batch, receivedAt),
    list: (appId) =>
      (appId === undefined ? selectAll.all() : selectApp.all(appId))
        .map(rowToItem)
        .filter((item): item is AcceptedItem => item !== null),
    close: () => {
      if (db.open) db.close()
    },
  }
}
