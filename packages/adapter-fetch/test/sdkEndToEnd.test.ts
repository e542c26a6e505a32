// The behaviour rules end to end: core SDK -> fetch transport -> real HTTP on loopback ->
// reference server with real RS256 tokens. The SDK runs on a manual clock so backoff, sessions
// and Retry-After are driven by the test, while every request is real.
import * as E from 'fp-ts/lib/Either.js'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createManualClock, createSdk, type AuthenticationError, type ManualClock, type Sdk, type SdkConfig } from '@jwt-sync/core'
import { createTokenIssuer, startReferenceServer, type ReferenceServer, type TokenIssuer } from '@jwt-sync/reference-server'
import { createFetchTransport } from '../src/index.js'

let server: ReferenceServer
let issuer: TokenIssuer
let running: Sdk[] = []
let appCounter = 0

beforeAll(async () => {
  const created = createTokenIssuer()
  if (E.isLeft(created)) throw new Error(created.left)
  issuer = created.right
  server = await startReferenceServer({})
})
afterEach(async () => {
  await Promise.all(running.map((sdk) => sdk.shutdown()))
  running = []
  server.clearFaults()
})
afterAll(async () => {
  await server.stop()
})

type Client = { sdk: Sdk; clock: ManualClock; appId: string; errors: AuthenticationError[]; stored: () => string[]; requests: () => ReturnType<ReferenceServer['requestLog']> }

/** A fresh app on the server (trusting the issuer's key) and an SDK for it. */
const client = (config: Partial<SdkConfig> = {}): Client => {
  const appId = `e2e-${++appCounter}`
  server.addKey(appId, issuer.publicKeyPem)
  const clock = createManualClock(Date.now())
  const sdk = createSdk(
    { appId, baseUrl: server.url, environment: 'test', networkConfig: { authorizationConfig: { isJwtEnabled: true } }, timeoutMs: 2_000, ...config },
    { transport: createFetchTransport(), clock },
  )
  running.push(sdk)
  const errors: AuthenticationError[] = []
  sdk.registerAuthenticationListener((error) => errors.push(error))
  return {
    sdk,
    clock,
    appId,
    errors,
    stored: () => server.items(appId).map((record) => record.item.name),
    requests: () => server.requestLog().filter((entry) => entry.appId === appId),
  }
}

const token = (identifier: string) => issuer.issue({ identifier })
const pending = (sdk: Sdk) => sdk.getState().pendingCount

describe('end to end over loopback', () => {
  it('S1: after a refusal no request is made for that user until the app passes a new token', async () => {
    const { sdk, clock, stored, requests, errors } = client()
    sdk.identify('ann')
    sdk.passAuthenticationDetails({ identifier: 'ann', token: await issuer.issueBad('tampered', 'ann') })
    sdk.track('Viewed item')
    await sdk.flush()
    expect(errors.map((e) => e.details.code)).toEqual(['INVALID_SIGNATURE'])
    clock.advance(10 * 60_000)
    await sdk.flush()
    await sdk.flush()
    expect(requests()).toHaveLength(1)
    sdk.passAuthenticationDetails({ identifier: 'ann', token: await token('ann') })
    await sdk.flush()
    expect(stored()).toEqual(['Viewed item'])
    expect(requests().map((r) => r.status)).toEqual([401, 200])
  })

  it('S2/R8: ten refusals in a session suspend all sync until the next session, which resumes it', async () => {
    const { sdk, clock, stored, requests } = client({ inactivityTimeoutMs: 60_000 })
    sdk.identify('ben')
    for (let i = 0; i < 12; i++) {
      sdk.passAuthenticationDetails({ identifier: 'ben', token: await issuer.issueBad('foreign-key', 'ben') })
      sdk.track(`attempt ${i}`)
      await sdk.flush()
    }
    expect(requests().filter((r) => r.status === 401)).toHaveLength(10)
    expect(sdk.getState()).toMatchObject({ suspended: true, consecutiveAuthFailures: 10 })
    sdk.passAuthenticationDetails({ identifier: 'ben', token: await token('ben') })
    await sdk.flush()
    expect(requests()).toHaveLength(10)
    clock.advance(61_000)
    sdk.track('next session')
    await sdk.flush()
    expect(sdk.getState()).toMatchObject({ suspended: false, consecutiveAuthFailures: 0, pendingCount: 0 })
    expect(stored()).toHaveLength(13)
  })

  it('S3/R11: a logout flush refused with a JWT error deletes that user\'s items; none reach the server', async () => {
    const { sdk, stored, errors } = client()
    sdk.identify('cat')
    sdk.passAuthenticationDetails({ identifier: 'cat', token: await issuer.issueBad('unknown-kid', 'cat') })
    sdk.track('a')
    sdk.track('b')
    const report = await sdk.logout()
    expect(E.isRight(report) && report.right).toMatchObject({ deleted: 2, pending: 0 })
    expect(errors.at(-1)?.details).toMatchObject({ code: 'INVALID_SIGNATURE', identifier: 'cat', deletedCount: 2 })
    sdk.track('anonymous after logout')
    await sdk.flush()
    expect(stored()).toEqual(['anonymous after logout'])
  })

  it('R5/R6: no token, no request; a token the client check catches is never sent', async () => {
    const { sdk, requests, errors, stored } = client()
    sdk.identify('dan')
    sdk.track('waiting')
    await sdk.flush()
    const expired = await issuer.issueBad('expired', 'dan')
    const refused = sdk.passAuthenticationDetails({ identifier: 'dan', token: expired })
    expect(E.isLeft(refused) && refused.left.code).toBe('TIME_CONSTRAINT_FAILURE')
    await sdk.flush()
    expect(requests()).toHaveLength(0)
    expect(errors.map((e) => [e.details.code, e.source])).toEqual([
      ['TOKEN_NOT_AVAILABLE', 'client'],
      ['TIME_CONSTRAINT_FAILURE', 'client'],
    ])
    sdk.passAuthenticationDetails({ identifier: 'dan', token: await token('dan') })
    await sdk.flush()
    expect(stored()).toEqual(['waiting'])
  })

  it('R9: 503, a reset, a hang past the timeout and 429 are retried until delivered, each item stored once', async () => {
    const { sdk, clock, stored, requests, errors } = client({ timeoutMs: 300 })
    sdk.track('survives')
    server.injectFault({ kind: 'status', status: 503 })
    server.injectFault({ kind: 'reset', processFirst: true })
    server.injectFault({ kind: 'hang' })
    server.injectFault({ kind: 'rate-limit', retryAfter: 30 })
    for (let attempt = 0; attempt < 4; attempt++) await sdk.flush()
    expect(pending(sdk)).toBe(1)
    const blocked = await sdk.flush()
    expect(E.isRight(blocked) && blocked.right.waiting).toEqual(['retry-after'])
    clock.advance(30_000)
    await sdk.flush()
    expect(stored()).toEqual(['survives'])
    // Faults are played before the body is read, so only processed requests name their batch.
    expect(new Set(requests().flatMap((r) => (r.batchId === undefined ? [] : [r.batchId]))).size).toBe(1)
    expect(requests()).toHaveLength(5)
    expect(errors).toEqual([])
  })

  it('R10: a batch over the server\'s body limit is split until it fits; nothing is lost', async () => {
    const small = await startReferenceServer({ maxBodyBytes: 1_500 })
    try {
      const appId = 'e2e-split'
      small.addKey(appId, issuer.publicKeyPem)
      const sdk = createSdk(
        { appId, baseUrl: small.url, environment: 'test', networkConfig: { authorizationConfig: { isJwtEnabled: false } } },
        { transport: createFetchTransport(), clock: createManualClock(Date.now()) },
      )
      running.push(sdk)
      for (let i = 0; i < 12; i++) sdk.track(`item ${i}`, { padding: 'x'.repeat(100) })
      const report = await sdk.flush()
      expect(E.isRight(report) && report.right).toMatchObject({ delivered: 12, pending: 0, deadLettered: 0 })
      expect(small.requestLog().some((entry) => entry.status === 413)).toBe(true)
      expect(small.items(appId)).toHaveLength(12)
    } finally {
      await small.stop()
    }
  })

  it('R3: key rotation while the SDK runs: tokens of the new key work once added, the old key\'s fail once removed', async () => {
    const { sdk, appId, stored, errors } = client()
    const next = createTokenIssuer()
    if (E.isLeft(next)) throw new Error(next.left)
    sdk.identify('eve')
    sdk.passAuthenticationDetails({ identifier: 'eve', token: await next.right.issue({ identifier: 'eve' }) })
    sdk.track('before rotation')
    await sdk.flush()
    expect(errors.map((e) => e.details.code)).toEqual(['INVALID_SIGNATURE'])
    server.addKey(appId, next.right.publicKeyPem)
    // A different token (RS256 signatures are deterministic: same claims, same token, still refused).
    sdk.passAuthenticationDetails({ identifier: 'eve', token: await next.right.issue({ identifier: 'eve', claims: { jti: 'after-rotation' } }) })
    await sdk.flush()
    expect(stored()).toEqual(['before rotation'])
    const removed = server.removeKey(appId, next.right.kid)
    expect(E.isRight(removed)).toBe(true)
    sdk.track('after removal')
    await sdk.flush()
    expect(errors.at(-1)?.details.code).toBe('INVALID_SIGNATURE')
    expect(stored()).toEqual(['before rotation'])
  })

  it('R1/R2: the three enforcement modes as the SDK sees them', async () => {
    const { sdk, appId, stored, requests } = client()
    sdk.identify('fay')
    sdk.passAuthenticationDetails({ identifier: 'fay', token: await issuer.issueBad('foreign-key', 'fay') })
    server.setEnforcement(appId, 'optional')
    sdk.track('optional')
    await sdk.flush()
    expect(requests().at(-1)).toMatchObject({ status: 200, authResult: 'INVALID_SIGNATURE' })
    server.setEnforcement(appId, 'disabled')
    sdk.track('disabled')
    await sdk.flush()
    expect(requests().at(-1)).toMatchObject({ status: 200 })
    server.setEnforcement(appId, 'required')
    sdk.track('required')
    await sdk.flush()
    expect(requests().at(-1)).toMatchObject({ status: 401 })
    expect(stored()).toEqual(['optional', 'disabled'])
  })
})
