// Driver: @segment/analytics-node, pointed at the sink through `host` and `path` (it resolves
// `path` against `host`, so the sink's prefix goes in `path`).
import { Analytics } from '@segment/analytics-node'
import { BENCH_EVENT_NAME, BENCH_USER, benchAttributes } from '../benchItems.js'
import { runDriver } from '../driverHarness.js'

await runDriver('segment', async (config) => {
  const client = new Analytics({ writeKey: 'bench-write-key', host: config.sinkUrl, path: '/segment/v1/batch', ...(config.batchSize === null ? {} : { flushAt: config.batchSize }) })
  return {
    track: (seq) => client.track({ userId: BENCH_USER, event: BENCH_EVENT_NAME, properties: benchAttributes(seq) }),
    flush: () => client.flush(),
    close: () => client.closeAndFlush(),
  }
})
