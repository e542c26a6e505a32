/**
 * Why items stay pending: the reason the sync loop rests. `waiting-for-trigger`: they can be sent
 * and go at the next trigger (periodic flush, background, a full batch, `flush()`).
 *
 * @example
 * ```ts
 * const report = await sdk.flush()
 * if (E.isRight(report) && report.right.waiting.includes('awaiting-token')) askServerForToken()
 * ```
 */
export type PendingReason =
  | 'waiting-for-trigger'
  | 'awaiting-token'
  | 'suspended'
  | 'retry-after'
  | 'backoff'
  | 'storage-unavailable'
