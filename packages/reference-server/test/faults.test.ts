import { request } from 'node:http'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startReferenceServer, type ReferenceServer } from '../src/index.js'
import { makeBatch, postBatch } from './support/batches.js'

let server: ReferenceServer
beforeAll(async () => {
  server = await startReferenceServer({ defaultEnforcement: 'disabled' })
})
afterEach(() => server.clearFaults())
afterAll(async () => {
  await server.stop()
})

/** What happened to one raw HTTP exchange: a response, or the socket error code. */
const exchange = (url: string, timeoutMs = 2000): Promise<{ status: number; body: string } | { error: string }> =>
  new Promise((resolve) => {
    const body = JSON.stringify(makeBatch(null, 1))
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (text += chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }))
      res.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }))
    })
    req.setTimeout(timeoutMs, () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })))
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }))
    req.end(body)
  })

describe('reference server: fault injection (the next N batch requests)', () => {
  it('status: the next N answers are 503 with Retry-After, then normal service', async () => {
    server.injectFault({ kind: 'status', status: 503, retryAfter: 7 }, 2)
    for (let i = 0; i < 2; i++) {
      const answer = await postBatch(server.batchUrl('faults'), makeBatch(null, 1))
      expect(answer.status).toBe(503)
      expect(answer.headers.get('retry-after')).toBe('7')
    }
    expect((await postBatch(server.batchUrl('faults'), makeBatch(null, 1))).status).toBe(200)
  })

  it('rate-limit: 429 with Retry-After as seconds or an HTTP date', async () => {
    const date = new Date(Date.now() + 60_000).toUTCString()
    server.injectFault({ kind: 'rate-limit', retryAfter: date })
    const answer = await postBatch(server.batchUrl('faults'), makeBatch(null, 1))
    expect(answer.status).toBe(429)
    expect(answer.headers.get('retry-after')).toBe(date)
  })

  it('hang: no answer until the client gives up; the server still stops', async () => {
    server.injectFault({ kind: 'hang' })
    const storedBefore = server.items('faults').length
    const started = Date.now()
    expect(await exchange(server.batchUrl('faults'), 300)).toEqual({ error: 'TIMEOUT' })
    expect(Date.now() - started).toBeGreaterThanOrEqual(250)
    expect(server.items('faults')).toHaveLength(storedBefore)
  })

  it('reset: the connection is reset without an answer', async () => {
    server.injectFault({ kind: 'reset' })
    expect(await exchange(server.batchUrl('faults'))).toEqual({ error: 'ECONNRESET' })
  })

  it('close: the connection is closed without an answer', async () => {
    server.injectFault({ kind: 'close' })
    const outcome = await exchange(server.batchUrl('faults'))
    expect(outcome).toEqual({ error: 'ECONNRESET' }) // Node reports "socket hang up" as ECONNRESET
  })

  it('garbage: a body that is not JSON, with the chosen status', async () => {
    server.injectFault({ kind: 'garbage' })
    server.injectFault({ kind: 'garbage', status: 401 })
    const ok = await postBatch(server.batchUrl('faults'), makeBatch(null, 1))
    expect(ok.status).toBe(200)
    expect(ok.json).toBeNull()
    const unreadable401 = await postBatch(server.batchUrl('faults'), makeBatch(null, 1))
    expect(unreadable401.status).toBe(401)
    expect(unreadable401.json).toBeNull()
  })

  it('stall-body: headers arrive, the body never completes', async () => {
    server.injectFault({ kind: 'stall-body' })
    expect(await exchange(server.batchUrl('faults'), 300)).toEqual({ error: 'TIMEOUT' })
  })

  it('delay: the normal answer comes after the delay', async () => {
    server.injectFault({ kind: 'delay', ms: 200 })
    const started = Date.now()
    expect((await postBatch(server.batchUrl('faults'), makeBatch(null, 1))).status).toBe(200)
    expect(Date.now() - started).toBeGreaterThanOrEqual(190)
  })

  it('R14: processFirst stores the batch and then fails, so the resend comes back as duplicates', async () => {
    const batch = makeBatch(null, ['ambiguous-1', 'ambiguous-2'])
    server.injectFault({ kind: 'reset', processFirst: true })
    await expect(postBatch(server.batchUrl('ambiguous'), batch)).rejects.toThrow()
    expect(server.items('ambiguous')).toHaveLength(2)
    expect((await postBatch(server.batchUrl('ambiguous'), batch)).json).toEqual({ accepted: 0, duplicates: 2 })
  })

  it('faults are injected and listed over the admin API, and logged', async () => {
    const injected = await fetch(`${server.url}/admin/faults`, {
      method: 'POST',
      body: JSON.stringify({ fault: { kind: 'status', status: 500 }, count: 2 }),
    })
    expect(injected.status).toBe(200)
    expect(((await (await fetch(`${server.url}/admin/faults`)).json()) as { pending: unknown[] }).pending).toHaveLength(2)
    expect((await postBatch(server.batchUrl('faults'), makeBatch(null, 1))).status).toBe(500)
    await fetch(`${server.url}/admin/faults`, { method: 'DELETE' })
    expect((await postBatch(server.batchUrl('faults'), makeBatch(null, 1))).status).toBe(200)
    const bad = await fetch(`${server.url}/admin/faults`, { method: 'POST', body: JSON.stringify({ fault: { kind: 'meteor' } }) })
    expect(bad.status).toBe(400)
    const log = (await (await fetch(`${server.url}/admin/log`)).json()) as { entries: { fault?: string; status: number | null }[] }
    expect(log.entries.some((entry) => entry.fault === 'status 500' && entry.status === 500)).toBe(true)
  })
})
