// Driver: posthog-node, pointed at the sink through `host`.
import { PostHog } from 'posthog-node'
import { BENCH_EVENT_NAME, BENCH_USER, benchAttributes } from '../benchItems.js'
import { runDriver } from '../driverHarness.js'

await runDriver('posthog', async (config) => {
  const client = new PostHog('phc_bench_project_token', {
    host: `${config.sinkUrl}/posthog`,
    ...(config.batchSize === null ? {} : { flushAt: config.batchSize, maxBatchSize: config.batchSize }),
  })
  return {
    track: (seq) => client.capture({ distinctId: BENCH_USER, event: BENCH_EVENT_NAME, properties: benchAttributes(seq) }),
    flush: () => client.flush(),
    close: () => client.shutdown(),
  }
})
