/**
 * The event every driver tracks N times: one name and eight attributes of mixed types, the first
 * of them the bench's sequence number (how the sink tells items apart across SDKs).
 *
 * @example
 * ```ts
 * sdk.track(BENCH_EVENT_NAME, benchAttributes(41))
 * ```
 */
export const BENCH_EVENT_NAME = 'Added to cart'

/**
 * The one user every driver identifies.
 *
 * @example
 * ```ts
 * sdk.identify(BENCH_USER)
 * ```
 */
export const BENCH_USER = 'bench-user-0001'

/**
 * Attributes of item `seq`: a fresh object per call, as an app builds one.
 *
 * @example
 * ```ts
 * benchAttributes(0).seq // 0
 * ```
 */
export const benchAttributes = (seq: number) => ({
  seq,
  sku: `A1-${seq % 997}`,
  price: 9.5 + (seq % 7),
  quantity: 1 + (seq % 3),
  currency: 'EUR',
  gift: seq % 2 === 0,
  tags: ['summer', 'sale'],
  page: '/cart',
})
