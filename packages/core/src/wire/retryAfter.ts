/** Retry-After is honoured up to one hour (R9). */
export const MAX_RETRY_AFTER_MS = 60 * 60_000

/**
 * Parses `Retry-After` (delta seconds or an HTTP date) into milliseconds from `now`, capped at one
 * hour; null when absent or unreadable.
 *
 * @example
 * ```ts
 * parseRetryAfterMs('120', Date.now()) // 120_000
 * parseRetryAfterMs(undefined, Date.now()) // null
 * ```
 */
export const parseRetryAfterMs = (header: string | undefined, now: number): number | null => {
  if (header === undefined) return null
  const text = header.trim()
  if (/^\d+$/.test(text)) return Math.min(Number(text) * 1000, MAX_RETRY_AFTER_MS)
  const at = Date.parse(text)
  if (Number.isNaN(at)) return null
  return Math.min(Math.max(0, at - now), MAX_RETRY_AFTER_MS)
}
