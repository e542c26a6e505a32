import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSink, type Sink } from '../src/sink.js'
import type { PayloadFormat } from '../src/payloadFormats.js'

// Each format's batch of items seq 0..2 under message ids m0..m2: what that SDK puts on the wire.
const bodies: Record<PayloadFormat, { path: string; body: (seqs: readonly number[]) => unknown; success: unknown }> = {
  'jwt-sync': {
    path: '/jwt-sync/v1/apps/bench/batches',
    body: (seqs) => ({ batchId: 'b', sentAt: 0, environment: 'test', identity: { key: 'uid', value: 'u' }, items: seqs.map((s) => ({ id: `m${s}`, type: 'event', name: 'e', attributes: { seq: s }, timestamp: 0, sessionId: 's' })) }),
    success: { accepted: 3, duplicates: 0 },
  },
  segment: { path: '/segment/v1/batch', body: (seqs) => ({ batch: seqs.map((s) => ({ type: 'track', event: 'e', userId: 'u', messageId: `m${s}`, properties: { seq: s } })) }), success: { success: true } },
  posthog: { path: '/posthog/batch/', body: (seqs) => ({ api_key: 'k', batch: seqs.map((s) => ({ event: 'e', distinct_id: 'u', uuid: `m${s}`, properties: { seq: s } })) }), success: { status: 1 } },
  amplitude: { path: '/amplitude/2/httpapi', body: (seqs) => ({ api_key: 'k', events: seqs.map((s) => ({ event_type: 'e', user_id: 'u', insert_id: `m${s}`, event_properties: { seq: s } })) }), success: { code: 200, events_ingested: 3 } },
  raw: { path: '/raw/batches', body: (seqs) => ({ items: seqs.map((s) => ({ id: `m${s}`, name: 'e', attributes: { seq: s } })) }), success: { accepted: 3 } },
}

describe('benchmark sink', () => {
  let sink: Sink
  beforeAll(async () => {
    sink = await startSink()
  })
  afterAll(async () => {
    await sink.close()
  })

  for (const [name, spec] of Object.entries(bodies)) {
    const format = name as PayloadFormat
    it(`${format}: counts requests and items, de-duplicates a retransmitted batch, answers the SDK's success body`, async () => {
      sink.reset()
      const post = async (seqs: readonly number[]): Promise<Response> => {
        const json = JSON.stringify(spec.body(seqs))
        // PostHog gzips its batches; the sink must read them as the SDK sends them.
        const gzip = format === 'posthog'
        return fetch(`${sink.url}${spec.path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: 'Bearer eyJhbGciOiJSUzI1NiJ9.e30.sig', ...(gzip ? { 'content-encoding': 'gzip' } : {}) },
          body: gzip ? gzipSync(json) : json,
        })
      }
      const first = await post([0, 1, 2])
      expect(first.status).toBe(200)
      expect(await first.json()).toMatchObject(spec.success as object)
      await post([0, 1, 2]) // a retry of the same batch: same message ids
      await post([3])
      const stats = sink.stats(format)
      expect(stats).toMatchObject({ requests: 3, received: 7, uniqueMessages: 4, distinctItems: 4, authorizedRequests: 3, rejectedRequests: 0 })
      expect(stats.bytes).toBeGreaterThan(0)
      // Other formats are untouched.
      const other = format === 'raw' ? 'segment' : 'raw'
      expect(sink.stats(other).received).toBe(0)
      const polled = (await (await fetch(`${sink.url}/stats/${format}`)).json()) as { distinctItems: number }
      expect(polled.distinctItems).toBe(4)
    })
  }

  it('rejects a body that is not the format of its path, and counts no item from it', async () => {
    sink.reset()
    const response = await fetch(`${sink.url}/segment/v1/batch`, { method: 'POST', body: JSON.stringify({ items: [{ id: 'x', attributes: { seq: 1 } }] }) })
    expect(response.status).toBe(400)
    expect(sink.stats('segment')).toMatchObject({ requests: 0, received: 0, rejectedRequests: 1 })
  })
})
