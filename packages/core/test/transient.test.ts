import { describe, expect, it } from 'vitest'
import { backoffDelayMs } from '../src/sync/backoff.js'
import { classifyResponse } from '../src/wire/classifyResponse.js'
import { parseRetryAfterMs } from '../src/wire/retryAfter.js'
import * as E from 'fp-ts/lib/Either.js'
import type { SdkProblem } from '@jwt-sync/core'
import { expectRight, jwt401, settle, startHarness, validToken } from './harness.js'

describe('R9: transient failures', () => {
  it('R9: backoff is exponential with full jitter, capped', () => {
    const settings = { baseMs: 2_000, factor: 2, capMs: 300_000 }
    expect(backoffDelayMs(1, settings, () => 0.999)).toBe(1998)
    expect(backoffDelayMs(3, settings, () => 0.5)).toBe(4000)
    expect(backoffDelayMs(30, settings, () => 0.999)).toBe(299_700)
    expect(backoffDelayMs(5, settings, () => 0)).toBe(0)
  })

  it('R9: Retry-After as seconds or HTTP date, honoured up to 1 h', () => {
    const now = Date.UTC(2026, 0, 1)
    expect(parseRetryAfterMs('120', now)).toBe(120_000)
    expect(parseRetryAfterMs(new Date(now + 30_000).toUTCString(), now)).toBe(30_000)
    expect(parseRetryAfterMs('99999', now)).toBe(3_600_000)
    expect(parseRetryAfterMs('soon', now)).toBeNull()
  })

  it('R9: network errors, timeouts, 408, 429 and 5xx are transient', () => {
    const now = 0
    const status = (s: number) => classifyResponse(E.right({ status: s, headers: {}, body: '' }), now).kind
    expect([408, 429, 500, 502, 503, 504].map(status)).toEqual(Array(6).fill('transient'))
    expect(classifyResponse(E.left({ kind: 'timeout', message: 't' }), now).kind).toBe('transient')
    expect(status(200)).toBe('delivered')
    expect(status(413)).toBe('too-large')
    expect(status(404)).toBe('rejected')
  })

  it('R9: retried by the clock alone, nothing lost, no auth listener, no R8 count', async () => {
    const { sdk, server, errors, clock } = await startHarness()
    sdk.identify('u1')
    sdk.passAuthenticationDetails({ identifier: 'u1', token: validToken('u1', clock.now()) })
    sdk.track('e')
    server.answer({ failure: 'network' }, { failure: 'timeout' }, { status: 503 }, { status: 429 })
    const report = expectRight(await sdk.flush())
    expect(report).toMatchObject({ delivered: 0, pending: 1, waiting: ['backoff'] })
    for (let i = 0; i < 10; i++) {
      clock.advance(60_000)
      await settle()
    }
    expect(server.requests.map((r) => r.response)).toEqual(['network', 'timeout', 503, 429, 200])
    expect(new Set(server.requests.map((r) => r.batchId)).size).toBe(1)
    expect(errors).toEqual([])
    expect(sdk.getState()).toMatchObject({ pendingCount: 0, consecutiveAuthFailures: 0 })
  })

  it('R9: Retry-After is a floor for the next attempt, also for flush()', async () => {
    const { sdk, server, clock } = await startHarness()
    sdk.track('e')
    server.answer({ status: 429, headers: { 'retry-after': '120' } })
    await sdk.flush()
    expect(expectRight(await sdk.flush()).waiting).toEqual(['retry-after'])
    clock.advance(119_000)
    await settle()
    expect(server.requests).toHaveLength(1)
    clock.advance(1_000)
    await settle()
    expect(server.requests).toHaveLength(2)
    expect(sdk.getState().pendingCount).toBe(0)
  })

  it('R12: flush() attempts at once during backoff and settles without waiting on timers', async () => {
    const { sdk, server } = await startHarness()
    sdk.track('e')
    server.answer({ status: 500 }, { status: 500 })
    await sdk.flush()
    const second = expectRight(await sdk.flush())
    expect(second.pending).toBe(1)
    expect(server.requests).toHaveLength(2)
    expect(expectRight(await sdk.flush()).delivered).toBe(1)
  })
})

describe('R10: permanent rejections', () => {
  it('R10: 413 splits the batch until the culprit is alone; it is dead-lettered and reported; the rest are delivered', async () => {
    const { sdk, server } = await startHarness({ config: { maxBatchSize: 4 } })
    const problems: SdkProblem[] = []
    sdk.registerProblemListener((p) => problems.push(p))
    const ids = ['a', 'b', 'c', 'd'].map((name) => expectRight(sdk.track(name)).id)
    server.answer({ status: 413 }, { status: 413 }, { status: 200 }, { status: 413 })
    await sdk.flush()
    await settle()
    expect(server.requests.map((r) => r.itemIds.length)).toEqual([4, 2, 1, 1, 2])
    expect(sdk.getState()).toMatchObject({ pendingCount: 0, deadLetterCount: 1 })
    expect(problems).toEqual([{ type: 'DEAD_LETTER', itemIds: [ids[1]], status: 413, reason: 'batch too large' }])
    expect([...server.stored].sort()).toEqual([ids[0], ids[2], ids[3]].sort())
  })

  it('R10: a 400 naming items dead-letters those only and never blocks the items behind them', async () => {
    const { sdk, server } = await startHarness()
    const ids = ['a', 'b', 'c'].map((name) => expectRight(sdk.track(name)).id)
    server.answer({ status: 400, body: JSON.stringify({ error: { type: 'VALIDATION', message: 'bad item', itemIds: [ids[1]] } }) })
    await sdk.flush()
    expect(sdk.getState()).toMatchObject({ pendingCount: 0, deadLetterCount: 1 })
    expect([...server.stored].sort()).toEqual([ids[0], ids[2]].sort())
  })

  it('R10: a single item rejected alone (other 4xx) is dead-lettered', async () => {
    const { sdk, server } = await startHarness()
    sdk.track('a')
    server.answer({ status: 404 })
    const report = expectRight(await sdk.flush())
    expect(report).toMatchObject({ deadLettered: 1, pending: 0 })
  })
})

describe('R14: at-least-once with idempotency', () => {
  it('R14: a resent batch carries the same batch id and items; the de-duplicating server stores each item once', async () => {
    const { sdk, server, clock } = await startHarness()
    for (let i = 0; i < 5; i++) sdk.track(`e${i}`)
    server.answer({ failure: 'timeout' })
    await sdk.flush()
    clock.advance(10 * 60_000)
    await settle()
    expect(server.requests).toHaveLength(2)
    expect(server.requests[0]?.batchId).toBe(server.requests[1]?.batchId)
    expect(server.requests[0]?.itemIds).toEqual(server.requests[1]?.itemIds)
    expect(server.stored.size).toBe(5)
  })

  it('R14: 401 then a new token resends the frozen batch unchanged', async () => {
    const { sdk, server, clock } = await startHarness({ config: { maxBatchSize: 3 } })
    sdk.identify('u1')
    sdk.passAuthenticationDetails({ identifier: 'u1', token: validToken('u1', clock.now(), 'a') })
    sdk.track('e1')
    server.answer(jwt401('INVALID_SIGNATURE'))
    await sdk.flush()
    sdk.track('e2')
    sdk.passAuthenticationDetails({ identifier: 'u1', token: validToken('u1', clock.now(), 'b') })
    await sdk.flush()
    expect(server.requests[1]?.itemIds).toEqual(server.requests[0]?.itemIds)
    expect(server.requests[1]?.batchId).toBe(server.requests[0]?.batchId)
    expect(server.stored.size).toBe(2)
  })
})
