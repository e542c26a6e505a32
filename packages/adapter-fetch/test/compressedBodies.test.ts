// R20 in the transport: where the core allows it, bodies go gzip-compressed (zlib in Node,
// CompressionStream in browsers); a body that cannot be compressed still goes.
import { gunzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as E from 'fp-ts/lib/Either.js'
import { PROTOCOL_PATH, type HttpRequest } from '@jwt-sync/core'
import { startReferenceServer, type ReferenceServer } from '@jwt-sync/reference-server'
import { createFetchTransport, type FetchFunction } from '../src/index.js'
import { platformGzip } from '../src/gzipBody.js'

const batchBody = (id: string): string =>
  JSON.stringify({ batchId: `b-${id}`, sentAt: 1, environment: 'test', identity: null, items: [{ id, type: 'event', name: 'Opened', attributes: { page: '/home' }, timestamp: 1, sessionId: 's' }] })

const request = (url: string, body: string, compressBody?: 'gzip'): HttpRequest => ({
  url,
  method: 'POST',
  headers: { 'Content-Type': 'application/json' },
  body,
  timeoutMs: 5000,
  ...(compressBody === undefined ? {} : { compressBody }),
})

/** A fetch that records what it was given and answers 200. */
const recordingFetch = () => {
  const seen: { headers: Record<string, string>; body: string | Uint8Array }[] = []
  const fetch: FetchFunction = async (_url, init) => {
    seen.push({ headers: init.headers, body: init.body })
    return { status: 200, headers: { forEach: () => undefined }, text: async () => '{}' }
  }
  return { seen, fetch }
}

describe('adapter-fetch: compressed bodies (R20)', () => {
  let server: ReferenceServer
  beforeAll(async () => {
    server = await startReferenceServer({ defaultEnforcement: 'disabled' })
  })
  afterAll(async () => {
    await server.stop()
  })

  it('R20: a body the core allows to compress goes gzip-compressed with Content-Encoding: gzip, and the server stores it', async () => {
    const { seen, fetch } = recordingFetch()
    const body = batchBody('gz-1')
    await createFetchTransport({ fetch }).send(request('http://127.0.0.1:1/', body, 'gzip'))()
    const [sent] = seen
    expect(sent?.headers['Content-Encoding']).toBe('gzip')
    expect(sent?.body).toBeInstanceOf(Uint8Array)
    expect(gunzipSync(sent?.body as Uint8Array).toString('utf8')).toBe(body)
    const result = await createFetchTransport().send(request(`${server.url}${PROTOCOL_PATH('gzip-app')}`, batchBody('gz-2'), 'gzip'))()
    expect(E.isRight(result) && result.right.status).toBe(200)
    expect(server.items('gzip-app').map((record) => record.item.id)).toEqual(['gz-2'])
  })

  it('R20: without the core\'s permission, or with gzip: null, the body goes as it is', async () => {
    const { seen, fetch } = recordingFetch()
    const body = batchBody('plain')
    await createFetchTransport({ fetch }).send(request('http://127.0.0.1:1/', body))()
    await createFetchTransport({ fetch, gzip: null }).send(request('http://127.0.0.1:1/', body, 'gzip'))()
    expect(seen.map((sent) => [sent.headers['Content-Encoding'], sent.body])).toEqual([
      [undefined, body],
      [undefined, body],
    ])
  })

  it('R20: a gzip that fails sends the body uncompressed: compression never costs an item', async () => {
    const { seen, fetch } = recordingFetch()
    const body = batchBody('broken-gzip')
    const result = await createFetchTransport({ fetch, gzip: () => Promise.reject(new Error('no memory')) }).send(request('http://127.0.0.1:1/', body, 'gzip'))()
    expect(E.isRight(result)).toBe(true)
    expect(seen.map((sent) => [sent.headers['Content-Encoding'], sent.body])).toEqual([[undefined, body]])
  })

  it('R20: without Node\'s zlib (a browser) the platform gzip is CompressionStream, and it is gzip', async () => {
    const nodeProcess = process as { getBuiltinModule?: unknown }
    const original = nodeProcess.getBuiltinModule
    nodeProcess.getBuiltinModule = undefined
    let gzip: ReturnType<typeof platformGzip>
    try {
      gzip = platformGzip()
    } finally {
      nodeProcess.getBuiltinModule = original
    }
    expect(gzip).not.toBeNull()
    const body = batchBody('stream')
    expect(gunzipSync(await gzip!(body)).toString('utf8')).toBe(body)
  })
})
