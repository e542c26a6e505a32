import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import * as E from 'fp-ts/lib/Either.js'
import { createManualClock, createSdk, fingerprintToken, type AuthenticationError, type Sdk } from '@jwt-sync/core'
import { createTokenIssuer, startReferenceServer, type ReferenceServer, type TokenIssuer } from '@jwt-sync/reference-server'
import { createFetchTransport } from '../src/index.js'

// The whole path an app uses: core SDK -> fetch transport -> real HTTP on loopback -> reference server.
const APP = 'shop'
let server: ReferenceServer
let issuer: TokenIssuer
let sdk: Sdk | null = null

beforeAll(async () => {
  const created = createTokenIssuer()
  if (E.isLeft(created)) throw new Error(created.left)
  issuer = created.right
  server = await startReferenceServer({ apps: { [APP]: { publicKeys: [issuer.publicKeyPem] } } })
})
afterEach(async () => {
  await sdk?.shutdown()
  sdk = null
  server.clearFaults()
})
afterAll(async () => {
  await server.stop()
})

const startSdk = (appId: string): Sdk => {
  sdk = createSdk(
    { appId, baseUrl: server.url, environment: 'test', networkConfig: { authorizationConfig: { isJwtEnabled: true } } },
    // A manual clock: no periodic flush interferes; only flush() sends.
    { transport: createFetchTransport(), clock: createManualClock(Date.now()) },
  )
  return sdk
}

describe('SDK over adapter-fetch against the reference server', () => {
  it('R2, R3: anonymous items go without a token, identified ones with their user\'s token', async () => {
    const client = startSdk(APP)
    expect(E.isRight(client.track('Opened app'))).toBe(true)
    expect(E.isRight(client.identify('alice'))).toBe(true)
    const token = await issuer.issue({ identifier: 'alice' })
    expect(E.isRight(client.passAuthenticationDetails({ identifier: 'alice', token }))).toBe(true)
    expect(E.isRight(client.track('Added to cart', { sku: 'A1' }))).toBe(true)
    const report = await client.flush()
    expect(E.isRight(report) && report.right.pending).toBe(0)
    const stored = server.items(APP)
    expect(stored.map((record) => [record.item.name, record.identifier])).toEqual([
      ['Opened app', null],
      ['Added to cart', 'alice'],
    ])
    const log = server.requestLog().filter((entry) => entry.appId === APP)
    expect(log.find((entry) => entry.identifier === null)?.tokenFingerprint).toBeUndefined()
    expect(log.find((entry) => entry.identifier === 'alice')?.authResult).toBe('ok')
    expect(log.find((entry) => entry.identifier === 'alice')?.tokenFingerprint).toBe(fingerprintToken(token))
  })

  it('R7: a token the server refuses reaches the listener with its code; a new token delivers the pending items', async () => {
    const client = startSdk('shop-r7')
    server.addKey('shop-r7', issuer.publicKeyPem)
    const errors: AuthenticationError[] = []
    client.registerAuthenticationListener((error) => errors.push(error))
    client.identify('bob')
    // Signed by another key: passes every client check (R6), only the server can tell.
    const forged = await issuer.issueBad('foreign-key', 'bob')
    expect(E.isRight(client.passAuthenticationDetails({ identifier: 'bob', token: forged }))).toBe(true)
    client.track('Checkout')
    await client.flush()
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatchObject({ type: 'JWT', source: 'server', accountMeta: { appId: 'shop-r7' }, details: { code: 'INVALID_SIGNATURE', numericCode: 4003, identifier: 'bob', token: forged } })
    expect(server.items('shop-r7')).toHaveLength(0)
    expect(client.getState().pendingCount).toBe(1)
    client.passAuthenticationDetails({ identifier: 'bob', token: await issuer.issue({ identifier: 'bob' }) })
    await client.flush()
    expect(server.items('shop-r7').map((record) => record.item.name)).toEqual(['Checkout'])
  })

  it('R14: a batch stored but answered by a reset is resent and stored exactly once', async () => {
    const client = startSdk('shop-r14')
    client.track('Viewed', { page: 1 })
    client.track('Viewed', { page: 2 })
    server.injectFault({ kind: 'reset', processFirst: true })
    await client.flush()
    expect(server.items('shop-r14')).toHaveLength(2)
    expect(client.getState().pendingCount).toBe(2)
    await client.flush()
    expect(client.getState().pendingCount).toBe(0)
    expect(server.items('shop-r14')).toHaveLength(2)
    const last = server.requestLog().filter((entry) => entry.appId === 'shop-r14').at(-1)
    expect(last).toMatchObject({ status: 200, accepted: 0, duplicates: 2 })
  })
})
