// The request body is built from a head and the items' JSON, which the send step may prepare while
// the previous request is in flight: the bytes must be those of the whole body stringified.
import { describe, expect, it } from 'vitest'
import type { BatchId, Identifier, IdentityKey, ItemId, SessionId, StoredItem } from '@jwt-sync/core'
import { buildBatchRequest, wireItemsJson } from '../src/wire/buildRequest.js'

const items: StoredItem[] = [
  { id: 'i1' as ItemId, identity: 'user:u1' as IdentityKey, timestamp: 1, sessionId: 's1' as SessionId, type: 'event', name: 'Opened', attributes: { page: '/', n: 1.5, tags: ['a'] } },
  { id: 'i2' as ItemId, identity: 'user:u1' as IdentityKey, timestamp: 2, sessionId: 's1' as SessionId, type: 'user_attribute', name: 'plan', value: { tier: 'pro' } },
]

const input = { baseUrl: 'https://ingest.example.com', appId: 'app', environment: 'live' as const, timeoutMs: 30_000, batchId: 'b1' as BatchId, identifier: 'u1' as Identifier, items, token: 'eyJ', sentAt: 123 }

describe('the request body', () => {
  it('R14: is the JSON of the whole batch, byte for byte, with the items prepared earlier or not', () => {
    const expected = JSON.stringify({
      batchId: 'b1',
      sentAt: 123,
      environment: 'live',
      identity: { key: 'uid', value: 'u1' },
      items: [
        { id: 'i1', type: 'event', name: 'Opened', attributes: { page: '/', n: 1.5, tags: ['a'] }, timestamp: 1, sessionId: 's1' },
        { id: 'i2', type: 'user_attribute', name: 'plan', value: { tier: 'pro' }, timestamp: 2, sessionId: 's1' },
      ],
    })
    expect(buildBatchRequest(input).body).toBe(expected)
    const prepared = items.slice()
    wireItemsJson(prepared)
    expect(buildBatchRequest({ ...input, items: prepared }).body).toBe(expected)
    expect(buildBatchRequest({ ...input, identifier: null, token: null }).body).toBe(expected.replace('{"key":"uid","value":"u1"}', 'null'))
  })

  it('R14: a resend of the same frozen batch reuses its items\' JSON; only sentAt changes', () => {
    const first = buildBatchRequest(input).body
    const again = buildBatchRequest({ ...input, sentAt: 456 }).body
    expect(again).toBe(first.replace('"sentAt":123', '"sentAt":456'))
  })
})
