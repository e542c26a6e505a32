/** Backoff settings (R9). */
export type BackoffSettings = { readonly baseMs: number; readonly factor: number; readonly capMs: number }

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
