import { createSdk } from '@jwt-sync/core'
import type { SdkFactory } from '../bridge/createBridge.js'

/**
 * The SDK the bundle runs: the core's facade.
 *
 * @example
 * ```ts
 * const bridge = createBridge(host, sdkFactory)
 * ```
 */
export const sdkFactory: SdkFactory = createSdk
