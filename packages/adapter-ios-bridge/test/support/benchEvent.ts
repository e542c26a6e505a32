/**
 * The bench's event, so compression is measured on what the bench sends (one name and eight
 * attributes of mixed types, the first the sequence number), not on a conveniently repetitive
 * payload. Read from the private bench package's source: a test-only link, nothing ships with it.
 */
export { BENCH_EVENT_NAME, BENCH_USER, benchAttributes } from '../../../bench/src/benchItems.js'
