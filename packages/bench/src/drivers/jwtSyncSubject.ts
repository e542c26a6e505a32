import * as E from 'fp-ts/lib/Either.js'
import { createSdk, type Storage } from '@jwt-sync/core'
import { createFetchTransport } from '@jwt-sync/adapter-fetch'
import { BENCH_EVENT_NAME, BENCH_USER, benchAttributes } from '../benchItems.js'
import type { DriverConfig } from '../driverProtocol.js'
import type { DriverSubject } from '../driverHarness.js'

/**
 * jwt-sync as an app would set it up: JWT on with a real RS256 token for the one user, the fetch
 * transport, batches of 100, the given storage, and compression as the subject says.
 *
 * @example
 * ```ts
 * await runDriver('jwt-sync', (config) => jwtSyncSubject(config, createMemoryStorage()))
 * ```
 */
export const jwtSyncSubject = async (config: DriverConfig, storage: Storage): Promise<DriverSubject> => {
  if (config.token === undefined) throw new Error('jwt-sync driver needs a token')
  const sdk = createSdk(
    {
      appId: 'bench',
      baseUrl: `${config.sinkUrl}/jwt-sync`,
      environment: 'live',
      // The floor sends JSON as it is; jwt-sync compresses only in the subject that measures it (R20).
      networkConfig: { authorizationConfig: { isJwtEnabled: true }, compression: config.compression ?? 'none' },
      maxBatchSize: config.batchSize ?? 100,
    },
    { transport: createFetchTransport(), storage },
  )
  const identified = E.flatMap(sdk.identify(BENCH_USER), () => sdk.passAuthenticationDetails({ token: config.token ?? '', identifier: BENCH_USER }))
  if (E.isLeft(identified)) throw new Error(`identify: ${identified.left.message}`)
  let refused = 0
  return {
    track: (seq) => {
      if (E.isLeft(sdk.track(BENCH_EVENT_NAME, benchAttributes(seq)))) refused += 1
    },
    flush: async () => {
      if (refused > 0) throw new Error(`track() refused ${refused} items`)
      const report = await sdk.flush()
      if (E.isLeft(report)) throw new Error(`flush: ${report.left.message}`)
    },
    close: () => sdk.shutdown(),
  }
}
