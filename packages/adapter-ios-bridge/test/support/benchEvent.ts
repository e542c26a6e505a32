/**
 * The bench's event (packages/bench/src/benchItems.ts), copied rather than imported: the bench is a
 * private package this one does not depend on. One name and eight attributes of mixed types, the
 * first the sequence number, so compression is measured on what the bench sends, not on a
 * conveniently repetitive payload.
 */
export const BENCH_EVENT_NAME = 'Added to cart'

/** The one user the bench identifies. */
export const BENCH_USER = 'bench-user-0001'

/** Attributes of item `seq`, as packages/bench builds them. */
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
