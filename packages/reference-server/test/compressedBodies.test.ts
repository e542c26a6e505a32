// R20 on the server side: gzip bodies are read, bounded once decompressed, and a gzip bomb is
// refused with 413 without being inflated.
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startReferenceServer, type ReferenceServer } from '../src/index.js'
import { makeBatch } from './support/batches.js'

const MiB = 1024 * 1024

/** POSTs raw bytes with the given headers; answers status and body text. */
const postBytes = async (url: string, body: Uint8Array, headers: Record<string, string>): Promise<{ status: number; text: string }> => {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body })
  return { status: response.status, text: await response.text() }
}

describe('reference server: compressed bodies (R20)', () => {
  let server: ReferenceServer
  beforeAll(async () => {
    server = await startReferenceServer({ defaultEnforcement: 'disabled', maxBodyBytes: 4 * MiB })
  })
  afterAll(async () => {
    await server.stop()
  })

  it('R20: a gzip body (Content-Encoding: gzip) is stored like an uncompressed one', async () => {
    const gzipped = await postBytes(server.batchUrl('gzip'), gzipSync(JSON.stringify(makeBatch(null, ['z1', 'z2']))), { 'content-encoding': 'gzip' })
    expect(gzipped).toMatchObject({ status: 200, text: JSON.stringify({ accepted: 2, duplicates: 0 }) })
    const plain = await postBytes(server.batchUrl('gzip'), Buffer.from(JSON.stringify(makeBatch(null, ['z3']))), { 'content-encoding': 'identity' })
    expect(plain.status).toBe(200)
    expect(server.items('gzip').map((record) => record.item.id)).toEqual(['z1', 'z2', 'z3'])
  })

  it('R10 R20: a body small on the wire but over maxBodyBytes once decompressed is a 413', async () => {
    const batch = makeBatch(null, 1)
    const padded = { ...batch, items: batch.items.map((item) => ({ ...item, attributes: { padding: 'x'.repeat(5 * MiB) } })) }
    const wire = gzipSync(JSON.stringify(padded))
    expect(wire.length).toBeLessThan(64 * 1024)
    const answer = await postBytes(server.batchUrl('gzip-large'), wire, { 'content-encoding': 'gzip' })
    expect(answer.status).toBe(413)
    expect(answer.text).toContain('decompressed')
    expect(server.items('gzip-large')).toEqual([])
  })

  it('a gzip bomb (2 GiB of zeros in 2 MB) is refused with 413 without exhausting memory', async () => {
    // 32 gzip members of 64 MiB of zeros each: a valid gzip stream, 1000 times smaller than its content.
    const member = gzipSync(Buffer.alloc(64 * MiB), { level: 9 })
    const bomb = Buffer.concat(Array.from({ length: 32 }, () => member))
    expect(bomb.length).toBeLessThan(4 * MiB)
    const peakBefore = process.resourceUsage().maxRSS * 1024
    const started = Date.now()
    const answer = await postBytes(server.batchUrl('bomb'), bomb, { 'content-encoding': 'gzip' })
    expect(answer.status).toBe(413)
    // Inflated, the bomb would hold 2 GiB in this process; the server stops at 4 MiB.
    const grownBy = process.resourceUsage().maxRSS * 1024 - peakBefore
    expect(grownBy).toBeLessThan(256 * MiB)
    expect(Date.now() - started).toBeLessThan(10_000)
    // The connection stays usable: the server drained the rest instead of resetting it.
    expect((await postBytes(server.batchUrl('bomb'), gzipSync(JSON.stringify(makeBatch(null, ['after']))), { 'content-encoding': 'gzip' })).status).toBe(200)
  })

  it('R20: an encoding other than gzip is a 415 (the SDK then sends uncompressed); bytes that are not gzip a 400', async () => {
    const brotli = await postBytes(server.batchUrl('gzip-other'), Buffer.from(JSON.stringify(makeBatch(null))), { 'content-encoding': 'br' })
    expect(brotli.status).toBe(415)
    const notGzip = await postBytes(server.batchUrl('gzip-other'), Buffer.from(JSON.stringify(makeBatch(null))), { 'content-encoding': 'gzip' })
    expect(notGzip.status).toBe(400)
    expect(notGzip.text).toContain('not valid gzip')
  })

  it('R20: browsers may send Content-Encoding across origins (CORS preflight)', async () => {
    const preflight = await fetch(server.batchUrl('gzip'), { method: 'OPTIONS' })
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/Content-Encoding/)
  })
})
