// Driver: the floor. No SDK: items queued in an array and POSTed with fetch in batches of 100,
// one request in flight.
import { randomUUID } from 'node:crypto'
import { BENCH_EVENT_NAME, BENCH_USER, benchAttributes } from '../benchItems.js'
import { runDriver } from '../driverHarness.js'

await runDriver('raw', async (config) => {
  const batchSize = config.batchSize ?? 100
  const queue: unknown[] = []
  return {
    track: (seq) => {
      queue.push({ id: randomUUID(), name: BENCH_EVENT_NAME, userId: BENCH_USER, attributes: benchAttributes(seq), timestamp: Date.now() })
    },
    flush: async () => {
      while (queue.length > 0) {
        const items = queue.splice(0, batchSize)
        const response = await fetch(`${config.sinkUrl}/raw/batches`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ items }) })
        await response.arrayBuffer()
        // A failed batch goes back to the front, as any queue would do.
        if (!response.ok) queue.unshift(...items)
      }
    },
    close: async () => undefined,
  }
})
