import type { Identifier } from '../model/identity.js'
import type { BatchId, StoredItem } from '../model/item.js'
import type { HttpRequest } from '../ports/transport.js'
import { PROTOCOL_PATH, SDK_VERSION, type WireItem } from './protocol.js'

export type BatchRequestInput = {
  readonly baseUrl: string
  readonly appId: string
  readonly environment: 'live' | 'test'
  readonly timeoutMs: number
  readonly batchId: BatchId
  readonly identifier: Identifier | null
  readonly items: readonly StoredItem[]
  /** The bearer token, or null: anonymous items and JWT disabled (R1, R2). */
  readonly token: string | null
  /** R20: the body may be gzip-compressed by the transport (false when absent). */
  readonly compress?: boolean
  readonly sentAt: number
}

/** Drops the storage-only `identity` field: the wire carries identity once per batch (R4). */
const toWireItem = (item: StoredItem): WireItem => {
  if (item.type === 'event') {
    return { id: item.id, type: 'event', name: item.name, attributes: item.attributes, timestamp: item.timestamp, sessionId: item.sessionId }
  }
  return { id: item.id, type: 'user_attribute', name: item.name, value: item.value, timestamp: item.timestamp, sessionId: item.sessionId }
}

/** The items' JSON per frozen batch's item list: computed once, by a resend too. */
const itemsJsonCache = new WeakMap<readonly StoredItem[], string>()

/**
 * The `items` of a request body as JSON, cached for this very item list (a frozen batch keeps its
 * list, R14): the send step prepares the next batch's while a request is in flight, and a resend
 * does not serialise again.
 *
 * @example
 * ```ts
 * wireItemsJson(batch.items) // '[{"id":"i1","type":"event",...}]'
 * ```
 */
export const wireItemsJson = (items: readonly StoredItem[]): string => {
  let json = itemsJsonCache.get(items)
  if (json === undefined) {
    json = JSON.stringify(items.map(toWireItem))
    itemsJsonCache.set(items, json)
  }
  return json
}

/**
 * Builds `POST {baseUrl}/v1/apps/{appId}/batches` (docs/wire-protocol.md, The request). The batch id doubles as the
 * `Idempotency-Key`, so a resent frozen batch is recognisable (R14).
 *
 * @example
 * ```ts
 * const request = buildBatchRequest({ baseUrl, appId: 'app', environment: 'live', timeoutMs: 30_000,
 *   batchId, identifier: null, items, token: null, compress: true, sentAt: Date.now() })
 * ```
 */
export const buildBatchRequest = (input: BatchRequestInput): HttpRequest => {
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    'Idempotency-Key': input.batchId,
    'X-SDK-Version': `jwt-sync/${SDK_VERSION}`,
  }
  if (input.token !== null) headers['Authorization'] = `Bearer ${input.token}`
  const head = JSON.stringify({
    batchId: input.batchId,
    sentAt: input.sentAt,
    environment: input.environment,
    identity: input.identifier === null ? null : { key: 'uid', value: input.identifier },
  })
  // The same bytes as stringifying the whole body; the items part may have been prepared earlier.
  const body = `${head.slice(0, -1)},"items":${wireItemsJson(input.items)}}`
  const request = { url: `${input.baseUrl}${PROTOCOL_PATH(input.appId)}`, method: 'POST' as const, headers, body, timeoutMs: input.timeoutMs }
  return input.compress === true ? { ...request, compressBody: 'gzip' } : request
}
