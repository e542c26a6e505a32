/**
 * Median, minimum and maximum of a sample.
 *
 * @example
 * ```ts
 * summarize([3, 1, 2]) // { median: 2, min: 1, max: 3 }
 * ```
 */
export type Summary = { readonly median: number; readonly min: number; readonly max: number }

/**
 * Summarizes a non-empty sample (an empty one gives NaN everywhere).
 *
 * @example
 * ```ts
 * summarize([1, 2, 3, 4]).median // 2.5
 * ```
 */
export const summarize = (values: readonly number[]): Summary => {
  if (values.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN }
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  const median = sorted.length % 2 === 1 ? (sorted[middle] ?? Number.NaN) : ((sorted[middle - 1] ?? Number.NaN) + (sorted[middle] ?? Number.NaN)) / 2
  return { median, min: sorted[0] ?? Number.NaN, max: sorted[sorted.length - 1] ?? Number.NaN }
}
