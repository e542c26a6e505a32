import * as core from '@jwt-sync/core'
import type { SdkFactory } from '../bridge/createBridge.js'

/**
 * The core's `createSdk`. Read off the module namespace so the bundle builds while the facade is
 * still being written; until then `initialize` answers with an error saying so.
 */
export const sdkFactory: SdkFactory = (config, ports) => {
  const createSdk = (core as { createSdk?: SdkFactory }).createSdk
  if (createSdk === undefined) throw new Error('this build of @jwt-sync/core has no createSdk')
  return createSdk(config, ports)
}
