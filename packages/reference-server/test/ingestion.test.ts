import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import * as E from 'fp-ts/lib/Either.js'
import { AcceptedBodyCodec, ValidationErrorBodyCodec } from '@jwt-sync/core'
import { startReferenceServer, type ReferenceServer } from '../src/index.js'
import { makeBatch, postBatch } from './support/batches.js'
import { testIssuer } from './support/issuer.js'

const issuer = testIssuer()
const directory = mkdtempSync(join(tmpdir(), 'jwt-sync-reference-'))
afterAll(() => rmSync(directory, { recursive: true, force: true }))

describe('reference server: de-duplication and storage (step 10)', () => {
  let server: ReferenceServer
  beforeAll(async () => {
    server = await startReferenceServer({ defaultEnforcement: 'disabled' })
  })
  afterAll(async () => {
    await server.stop()
  })

  it('R14: items are de-duplicated by id per app; the answer counts duplicates', async () => {
    const first = await postBatch(server.batchUrl('dedup'), makeBatch('alice', ['a', 'b']))
    expect(E.isRight(AcceptedBodyCodec.decode(first.json))).toBe(true)
    expect(first.json).toEqual({ accepted: 2, duplicates: 0 })
    // A resent batch after an ambiguous failure: same ids.
    expect((await postBatch(server.batchUrl('dedup'), makeBatch('alice', ['a', 'b']))).json).toEqual({ accepted: 0, duplicates: 2 })
    expect((await postBatch(server.batchUrl('dedup'), makeBatch(null, ['b', 'c', 'c']))).json).toEqual({ accepted: 1, duplicates: 2 })
    // Ids are per app.
    expect((await postBatch(server.batchUrl('dedup-other'), makeBatch('alice', ['a']))).json).toEqual({ accepted: 1, duplicates: 0 })
    const stored = server.items('dedup')
    expect(stored.map((record) => record.item.id)).toEqual(['a', 'b', 'c'])
    expect(stored.map((record) => record.identifier)).toEqual(['alice', 'alice', null])
    expect(server.items().length).toBe(4)
    const overHttp = (await (await fetch(`${server.url}/admin/apps/dedup/items`)).json()) as { items: unknown[] }
    expect(overHttp.items).toHaveLength(3)
  })

  it('a body that is not JSON or not a batch is a 400 VALIDATION; bad items a 422 naming them', async () => {
    const notJson = await postBatch(server.batchUrl('validation'), '{"batchId":')
    expect(notJson.status).toBe(400)
    expect(E.isRight(ValidationErrorBodyCodec.decode(notJson.json))).toBe(true)
    const noItems = await postBatch(server.batchUrl('validation'), JSON.stringify({ ...makeBatch(null), items: undefined }))
    expect(noItems.status).toBe(400)
    expect(noItems.json).toMatchObject({ error: { type: 'VALIDATION', message: expect.stringContaining('items') } })
    const batch = makeBatch(null, ['good', 'bad'])
    const withBadItem = { ...batch, items: [batch.items[0], { id: 'bad', type: 'event', name: 42 }] }
    const partly = await postBatch(server.batchUrl('validation'), JSON.stringify(withBadItem))
    expect(partly.status).toBe(422)
    expect(partly.json).toMatchObject({ error: { type: 'VALIDATION', itemIds: ['bad'] } })
    expect(server.items('validation')).toHaveLength(0)
  })

  it('a body over the limit is a 413; the limit is configurable', async () => {
    const small = await startReferenceServer({ defaultEnforcement: 'disabled', maxBodyBytes: 2048 })
    try {
      const big = makeBatch(null, 40)
      expect(JSON.stringify(big).length).toBeGreaterThan(2048)
      const answer = await postBatch(small.batchUrl('limits'), big)
      expect(answer.status).toBe(413)
      expect(small.items()).toHaveLength(0)
      // The connection stays usable: the next request is served.
      expect((await postBatch(small.batchUrl('limits'), makeBatch(null, 1))).status).toBe(200)
    } finally {
      await small.stop()
    }
    const defaultLimit = await postBatch(server.batchUrl('limits'), makeBatch(null, 1))
    expect(defaultLimit.status).toBe(200)
    const overOneMegabyte = { ...makeBatch(null, 1), padding: 'x'.repeat(1024 * 1024) }
    expect((await postBatch(server.batchUrl('limits'), JSON.stringify(overOneMegabyte))).status).toBe(413)
  })

  it('unknown routes are 404 and other methods on the batch route 405', async () => {
    expect((await fetch(`${server.url}/v2/whatever`)).status).toBe(404)
    expect((await fetch(server.batchUrl('x'))).status).toBe(405)
    expect((await fetch(`${server.url}/health`)).status).toBe(200)
  })
})

describe('reference server: --db keeps accepted items in SQLite', () => {
  let server: ReferenceServer | null = null
  afterEach(async () => {
    await server?.stop()
    server = null
  })

  it('R14: de-duplication survives a restart on the same database file', async () => {
    const databasePath = join(directory, 'items.db')
    const token = await issuer.issue({ identifier: 'alice' })
    server = await startReferenceServer({ databasePath, apps: { db: { publicKeys: [issuer.publicKeyPem] } } })
    expect((await postBatch(server.batchUrl('db'), makeBatch('alice', ['x1', 'x2']), token)).json).toEqual({ accepted: 2, duplicates: 0 })
    await server.stop()
    server = await startReferenceServer({ databasePath, apps: { db: { publicKeys: [issuer.publicKeyPem] } } })
    expect((await postBatch(server.batchUrl('db'), makeBatch('alice', ['x2', 'x3']), token)).json).toEqual({ accepted: 1, duplicates: 1 })
    const stored = server.items('db')
    expect(stored.map((record) => record.item.id)).toEqual(['x1', 'x2', 'x3'])
    expect(stored[0]).toMatchObject({ appId: 'db', identifier: 'alice', item: { type: 'event', name: 'Added to cart' } })
  })

  it('a database path that cannot be opened rejects the start', async () => {
    await expect(startReferenceServer({ databasePath: join(directory, 'missing', 'dir', 'items.db') })).rejects.toThrow()
  })
})

describe('reference server: browsers on another origin', () => {
  it('answers the CORS preflight and exposes Retry-After and X-Auth-Result', async () => {
    const server = await startReferenceServer({ defaultEnforcement: 'optional' })
    try {
      const preflight = await fetch(server.batchUrl('web'), {
        method: 'OPTIONS',
        headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
      })
      expect(preflight.status).toBe(204)
      expect(preflight.headers.get('access-control-allow-origin')).toBe('*')
      expect(preflight.headers.get('access-control-allow-headers')).toMatch(/Authorization/)
      expect(preflight.headers.get('access-control-allow-methods')).toContain('POST')
      const answer = await postBatch(server.batchUrl('web'), makeBatch('alice', 1), undefined, { origin: 'http://localhost:5173' })
      expect(answer.status).toBe(200)
      expect(answer.headers.get('access-control-allow-origin')).toBe('*')
      expect(answer.headers.get('access-control-expose-headers')).toContain('X-Auth-Result')
    } finally {
      await server.stop()
    }
  })
})
