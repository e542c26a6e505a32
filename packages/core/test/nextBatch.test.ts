// After a delivery the send step reads the same identity's next items, and the decision freezes
// them at once: the loop goes from one request to the next without a forming step (R14 intact).
import { describe, expect, it } from 'vitest'
import type { InspectionEvent } from 'xstate'
import { expectRight, jwt401, startHarness, validToken } from './harness.js'

/** Records every sync-region state the chart enters (child actors' snapshots have no `running`). */
const syncStates = () => {
  const entered: string[] = []
  const inspect = (event: InspectionEvent): void => {
    if (event.type !== '@xstate.snapshot') return
    const value = (event.snapshot as { value?: { running?: { sync?: unknown } } }).value
    const sync = value?.running?.sync
    const state = JSON.stringify(sync)
    // A snapshot per event: count a state once per visit.
    if (sync !== undefined && entered[entered.length - 1] !== state) entered.push(state)
  }
  return { entered, inspect }
}

describe('the next batch, read with the answer to the last one', () => {
  it('R14: consecutive batches of one identity go out without a forming step between them, each item once, in order', async () => {
    const { entered, inspect } = syncStates()
    const { sdk, server } = await startHarness({ jwt: false, config: { maxBatchSize: 10 }, inspect })
    for (let i = 0; i < 35; i++) sdk.track('e', { i })
    expect(expectRight(await sdk.flush())).toMatchObject({ delivered: 35, pending: 0 })
    expect(server.requests.map((request) => request.itemIds.length)).toEqual([10, 10, 10, 5])
    const ids = server.requests.flatMap((request) => request.itemIds)
    expect(new Set(ids).size).toBe(35)
    // Only the first batch was formed by a forming step.
    expect(entered.filter((state) => state.includes('forming'))).toHaveLength(1)
    await sdk.shutdown()
  })

  it('R14 R7: a batch that is not delivered keeps its items frozen; the read items are not used', async () => {
    const { sdk, server, clock } = await startHarness({ config: { maxBatchSize: 2 } })
    sdk.identify('u1')
    sdk.passAuthenticationDetails({ identifier: 'u1', token: validToken('u1', clock.now(), 'a') })
    for (let i = 0; i < 4; i++) sdk.track('e', { i })
    server.answer(jwt401('INVALID_SIGNATURE'))
    await sdk.flush()
    expect(server.requests).toHaveLength(1)
    sdk.passAuthenticationDetails({ identifier: 'u1', token: validToken('u1', clock.now(), 'b') })
    expect(expectRight(await sdk.flush())).toMatchObject({ delivered: 4, pending: 0 })
    const [refused, again] = server.requests
    expect(again?.batchId).toBe(refused?.batchId)
    expect(again?.itemIds).toEqual(refused?.itemIds)
    expect(new Set(server.requests.flatMap((request) => request.itemIds)).size).toBe(4)
    await sdk.shutdown()
  })
})
