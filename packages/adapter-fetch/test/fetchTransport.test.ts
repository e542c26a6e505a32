import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as E from 'fp-ts/lib/Either.js'
import { BatchBodyCodec, JwtErrorBodyCodec, PROTOCOL_PATH, type HttpRequest } from '@jwt-sync/core'
import { createTokenIssuer, startReferenceServer, type ReferenceServer, type TokenIssuer } from '@jwt-sync/reference-server'
import { createFetchTransport, type FetchFunction } from '../src/index.js'

const request = (url: string, overrides: Partial<HttpRequest> = {}): HttpRequest => ({
  url,
  method: 'POST',
  headers: { 'Content-Type': 'application/json' },
  body: '{}',
  timeoutMs: 5000,
  ...overrides,
})

describe('adapter-fetch against the reference server', () => {
  let server: ReferenceServer
  let issuer: TokenIssuer
  beforeAll(async () => {
    const created = createTokenIssuer()
    if (E.isLeft(created)) throw new Error(created.left)
    issuer = created.right
    server = await startReferenceServer({ apps: { shop: { publicKeys: [issuer.publicKeyPem] } } })
  })
  afterAll(async () => {
    await server.stop()
  })

  const batch = (identifier: string): string =>
    JSON.stringify(
      BatchBodyCodec.encode({
        batchId: `b-${identifier}`,
        sentAt: Date.now(),
        environment: 'test',
        identity: { key: 'uid', value: identifier },
        items: [{ id: `i-${identifier}`, type: 'event', name: 'Opened', attributes: {}, timestamp: Date.now(), sessionId: 's' }],
      }),
    )

  it('R3: a signed batch is accepted; a refused token comes back as a 401 response value with its code (R7)', async () => {
    const transport = createFetchTransport()
    const url = `${server.url}${PROTOCOL_PATH('shop')}`
    const token = await issuer.issue({ identifier: 'alice' })
    const accepted = await transport.send(request(url, { body: batch('alice'), headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` } }))()
    expect(E.isRight(accepted) && accepted.right).toMatchObject({ status: 200, body: JSON.stringify({ accepted: 1, duplicates: 0 }) })
    const refused = await transport.send(request(url, { body: batch('bob'), headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` } }))()
    if (E.isLeft(refused)) return expect.fail(refused.left.message)
    expect(refused.right.status).toBe(401)
    const body = JwtErrorBodyCodec.decode(JSON.parse(refused.right.body))
    expect(E.isRight(body) && body.right.error.code).toBe('IDENTIFIER_MISMATCH')
  })

  it('R9: 503 with Retry-After reaches the core as a response with a lower-case header', async () => {
    server.injectFault({ kind: 'status', status: 503, retryAfter: 12 })
    const result = await createFetchTransport().send(request(`${server.url}${PROTOCOL_PATH('shop')}`))()
    expect(E.isRight(result) && result.right.status).toBe(503)
    expect(E.isRight(result) && result.right.headers['retry-after']).toBe('12')
  })
})

describe('adapter-fetch failures are values', () => {
  it('DNS failure -> network', async () => {
    const result = await createFetchTransport().send(request('http://host-that-does-not-exist.invalid/v1'))()
    expect(E.isLeft(result) && result.left.kind).toBe('network')
    expect(E.isLeft(result) && result.left.message).toMatch(/ENOTFOUND|EAI_AGAIN|getaddrinfo/)
  })

  it('a fetch that throws synchronously, or rejects with a non-Error, -> network', async () => {
    const throwing: FetchFunction = () => {
      throw new TypeError('polyfill exploded')
    }
    const rejecting: FetchFunction = () => Promise.reject('plain string')
    const thrown = await createFetchTransport({ fetch: throwing }).send(request('http://127.0.0.1:1/'))()
    expect(thrown).toEqual(E.left({ kind: 'network', message: 'request failed: polyfill exploded' }))
    const rejected = await createFetchTransport({ fetch: rejecting }).send(request('http://127.0.0.1:1/'))()
    expect(rejected).toEqual(E.left({ kind: 'network', message: 'request failed: plain string' }))
  })

  it('a body read error -> network; header names from any fetch are lower-cased', async () => {
    const fetchWithBrokenBody: FetchFunction = async () => ({
      status: 200,
      headers: { forEach: (callback) => callback('v', 'X-Upper') },
      text: () => Promise.reject(new Error('stream broke')),
    })
    const broken = await createFetchTransport({ fetch: fetchWithBrokenBody }).send(request('http://127.0.0.1:1/'))()
    expect(broken).toEqual(E.left({ kind: 'network', message: 'response body read failed: stream broke' }))
    const fetchWithUpperHeaders: FetchFunction = async () => ({
      status: 202,
      headers: { forEach: (callback) => callback('v', 'X-Upper') },
      text: async () => 'ok',
    })
    const answered = await createFetchTransport({ fetch: fetchWithUpperHeaders }).send(request('http://127.0.0.1:1/'))()
    expect(answered).toEqual(E.right({ status: 202, headers: { 'x-upper': 'v' }, body: 'ok' }))
  })

  it('options.timeoutMs caps the request timeout; a fetch that never settles -> timeout', async () => {
    const neverSettles: FetchFunction = () => new Promise(() => {})
    const started = Date.now()
    const capped = await createFetchTransport({ fetch: neverSettles, timeoutMs: 100, useAbortController: false }).send(request('http://127.0.0.1:1/', { timeoutMs: 60_000 }))()
    expect(capped).toEqual(E.left({ kind: 'timeout', message: 'no complete response within 100 ms' }))
    expect(Date.now() - started).toBeLessThan(1000)
    const fallback = await createFetchTransport({ fetch: neverSettles, timeoutMs: 80 }).send(request('http://127.0.0.1:1/', { timeoutMs: Number.NaN }))()
    expect(E.isLeft(fallback) && fallback.left.kind).toBe('timeout')
  })

  it('with AbortController the timed-out fetch is aborted, not left running', async () => {
    let signal: AbortSignal | undefined
    const observing: FetchFunction = (_url, init) => {
      signal = init.signal
      return new Promise(() => {})
    }
    await createFetchTransport({ fetch: observing }).send(request('http://127.0.0.1:1/', { timeoutMs: 50 }))()
    expect(signal?.aborted).toBe(true)
  })
})
