/**
 * Why items stay pending after a sync attempt.
 *
 * @example
 * ```ts
 * const report = await sdk.flush()
 * if (E.isRight(report) && report.right.waiting.includes('awaiting-token')) askServerForToken()
 * ```
 */
export type PendingReason =
  | 'awaiting-token'
  | 'suspended'
  | 'retry-after'
  | 'backoff'
  | 'storage-unavailable'
