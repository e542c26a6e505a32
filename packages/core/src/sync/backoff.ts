/** Backoff settings (R9). */
export type BackoffSettings = { readonly baseMs: number; readonly factor: number; readonly capMs: number }

/** Retry-After is honoured up to one hour (R9). */
export const MAX_RETRY_AFTER_MS = 60 * 60_000

/**
 * Delay before the next automatic attempt after `failures` consecutive transient failures:
 * exponential with full jitter, `random() * min(cap, base * factor^(failures - 1))` (R9).
 *
 * @example
 * ```ts
 * backoffDelayMs(3, DEFAULTS.backoff, () => 0.5) // 4000: half of min(300_000, 2_000 * 2^2)
 * ```
 */
export const backoffDelayMs = (failures: number, settings: BackoffSettings, random: () => number): number => {
  const ceiling = Math.min(settings.capMs, settings.baseMs * Math.pow(settings.factor, Math.max(0, failures - 1)))
  return Math.floor(random() * ceiling)
}

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
