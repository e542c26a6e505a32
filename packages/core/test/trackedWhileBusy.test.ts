// Items tracked while the sync loop forms or sends a batch are counted with the event that ends
// that step, not with a statechart step per tick (R12, R13).
import { describe, expect, it } from 'vitest'
import type { InspectionEvent } from 'xstate'
import { expectRight, settle, startHarness } from './harness.js'

describe('items tracked while the loop is busy', () => {
  it('R12 R13: they cost no statechart step of their own, count at once in getState(), and the answer that ends the request counts them in', async () => {
    const events: string[] = []
    const inspect = (event: InspectionEvent): void => {
      if (event.type === '@xstate.event' && event.sourceRef === undefined) events.push(event.event.type)
    }
    const { sdk, server } = await startHarness({ jwt: false, config: { maxBatchSize: 3 }, inspect })
    sdk.track('first')
    server.answer({ hold: true })
    const flushing = sdk.flush()
    await settle()
    expect(server.heldCount()).toBe(1)
    events.length = 0
    for (let tick = 0; tick < 3; tick++) {
      sdk.track(`during ${tick}`)
      sdk.track(`during ${tick}'`)
      await settle()
    }
    expect(events.filter((type) => type === 'ITEMS_TRACKED')).toEqual([])
    expect(sdk.getState().pendingCount).toBe(7)
    server.release({ status: 200 })
    // The answer carried the six: the loop saw two full batches and sent them in the same flush.
    expect(expectRight(await flushing)).toMatchObject({ delivered: 7, pending: 0 })
    expect(sdk.getState().pendingCount).toBe(0)
    expect(server.requests.map((request) => request.itemIds.length)).toEqual([1, 3, 3])
    await sdk.shutdown()
  })
})
