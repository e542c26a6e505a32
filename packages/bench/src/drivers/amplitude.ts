// Driver: @amplitude/analytics-node, pointed at the sink through `serverUrl`.
import { createInstance } from '@amplitude/analytics-node'
import { BENCH_EVENT_NAME, BENCH_USER, benchAttributes } from '../benchItems.js'
import { runDriver } from '../driverHarness.js'

await runDriver('amplitude', async (config) => {
  const client = createInstance()
  await client.init('bench-api-key', { serverUrl: `${config.sinkUrl}/amplitude/2/httpapi`, ...(config.batchSize === null ? {} : { flushQueueSize: config.batchSize }) }).promise
  return {
    track: (seq) => {
      void client.track(BENCH_EVENT_NAME, benchAttributes(seq), { user_id: BENCH_USER })
    },
    flush: () => client.flush().promise,
    close: () => client.flush().promise,
  }
})
