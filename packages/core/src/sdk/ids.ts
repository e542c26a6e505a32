import type { BatchId, ItemId, SessionId } from '../model/item.js'

/** Instances created in this process: part of every id prefix, so two instances never share ids. */
let instancesCreated = 0

const randomText = (random: () => number, length: number): string => {
  let out = ''
  while (out.length < length) out += Math.floor(random() * 36 ** 6).toString(36).padStart(6, '0')
  return out.slice(0, length)
}

/**
 * Ids for items, batches and sessions. They must never repeat, across instances and relaunches,
 * even with an injected, seeded random source: the server de-duplicates items by id (R14) and
 * sessions bound R8. Each id is a per-instance prefix (start time, instance number, randomness)
 * plus a counter.
 *
 * @example
 * ```ts
 * const ids = createIds(Date.now(), Math.random)
 * ids.item() // 'mi3k2x0a1b2c3-0'
 * ```
 */
export const createIds = (startedAt: number, random: () => number) => {
  const prefix = `${startedAt.toString(36)}${(instancesCreated++).toString(36)}${randomText(random, 6)}`
  let items = 0
  let batches = 0
  let sessions = 0
  return {
    item: (): ItemId => `${prefix}-${(items++).toString(36)}` as ItemId,
    batch: (): BatchId => `b-${prefix}-${(batches++).toString(36)}` as BatchId,
    session: (): SessionId => `s-${prefix}-${(sessions++).toString(36)}` as SessionId,
  }
}
