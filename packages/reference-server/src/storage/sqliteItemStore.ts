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

/**
 * The `code` of the error `openSqliteItemStore` (and so `startReferenceServer` with a
 * `databasePath`) rejects with when better-sqlite3 is not installed.
 *
 * @example
 * ```ts
 * startReferenceServer({ databasePath: 'items.db' }).catch((error) => {
 *   if (error.code === SQLITE_NOT_INSTALLED) console.error('npm i better-sqlite3@12')
 * })
 * ```
 */
export const SQLITE_NOT_INSTALLED = 'JWT_SYNC_SQLITE_NOT_INSTALLED'

// Node's error when the package itself (not one of its own imports) cannot be found.
const isBetterSqliteMissing = (error: unknown): boolean =>
  typeof error === 'object' &&
  error !== null &&
  (error as { code?: unknown }).code === 'ERR_MODULE_NOT_FOUND' &&
  String((error as { message?: unknown }).message).includes("'better-sqlite3'")

// The module as `import()` gives it (its CommonJS export under `default`), type inferred.
const importBetterSqlite = async () => {
  try {
    return await import('better-sqlite3')
  } catch (error) {
    if (!isBetterSqliteMissing(error)) throw error
    throw Object.assign(new Error('a database needs better-sqlite3, an optional peer dependency that is not installed: npm i better-sqlite3@12'), {
      code: SQLITE_NOT_INSTALLED,
    })
  }
}

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
 * better-sqlite3 is loaded only here, on demand: it is an optional peer dependency, so installing
 * the server or the CLI does not compile the native module for users who never ask for a database.
 * Rejects when the file cannot be opened, and with an error whose `code` is
 * `SQLITE_NOT_INSTALLED` when better-sqlite3 is missing.
 *
 * @example
 * ```ts
 * const store = await openSqliteItemStore('/tmp/items.db')
 * store.store('app-1', batch, Date.now())
 * store.close()
 * ```
 */
export const openSqliteItemStore = async (path: string): Promise<ItemStore> => {
  const { default: Database } = await importBetterSqlite()
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
