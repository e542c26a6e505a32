import type { Sdk, SdkState } from '@jwt-sync/core'

/**
 * Resolves `true` once the SDK's state satisfies the predicate, or `false` when `timeoutMs` of
 * real time pass first (the demo then reports the step as not having happened).
 *
 * @example
 * ```ts
 * const resumed = await waitForState(sdk, (state) => state.pendingCount === 0, 5000)
 * ```
 */
export const waitForState = (sdk: Sdk, predicate: (state: SdkState) => boolean, timeoutMs: number): Promise<boolean> =>
  new Promise((resolve) => {
    if (predicate(sdk.getState())) {
      resolve(true)
      return
    }
    let unsubscribe: () => void = () => undefined
    const timer = setTimeout(() => {
      unsubscribe()
      resolve(predicate(sdk.getState()))
    }, timeoutMs)
    unsubscribe = sdk.subscribe((state) => {
      if (!predicate(state)) return
      clearTimeout(timer)
      unsubscribe()
      resolve(true)
    })
  })
