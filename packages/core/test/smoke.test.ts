import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { createManualClock, createSdk, type HttpRequest } from '@jwt-sync/core'

describe('smoke', () => {
  it('R2: anonymous items are delivered without Authorization', async () => {
    const clock = createManualClock(1_700_000_000_000)
    const requests: HttpRequest[] = []
    const sdk = createSdk(
      { appId: 'a', baseUrl: 'http://x', environment: 'test', networkConfig: { authorizationConfig: { isJwtEnabled: true } } },
      { transport: { send: (r) => () => { requests.push(r); return Promise.resolve(E.right({ status: 200, headers: {}, body: '{"accepted":1,"duplicates":0}' })) } }, clock },
    )
    expect(E.isRight(sdk.track('e', { a: 1 }))).toBe(true)
    const report = await sdk.flush()
    expect(report).toEqual(E.right({ delivered: 1, deadLettered: 0, deleted: 0, pending: 0, waiting: [] }))
    expect(requests).toHaveLength(1)
    expect(requests[0]?.headers['Authorization']).toBeUndefined()
    await sdk.shutdown()
  })
})
