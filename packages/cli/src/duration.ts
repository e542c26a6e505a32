import * as E from 'fp-ts/lib/Either.js'

const UNIT_SECONDS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86_400 }

/**
 * Parses a lifetime such as `3600`, `90s`, `15m`, `2h` or `7d` into seconds.
 *
 * @example
 * ```ts
 * parseDurationSeconds('15m') // Right(900)
 * ```
 */
export const parseDurationSeconds = (text: string): E.Either<string, number> => {
  const match = /^(\d+)([smhd]?)$/.exec(text.trim())
  if (match === null) return E.left(`expected a duration like 3600, 90s, 15m, 2h or 7d, got ${JSON.stringify(text)}`)
  const seconds = Number(match[1]) * (UNIT_SECONDS[match[2] ?? ''] ?? 1)
  return seconds > 0 ? E.right(seconds) : E.left('the duration must be more than 0')
}

/**
 * A short human form of a number of seconds.
 *
 * @example
 * ```ts
 * formatSeconds(5400) // '1h30m'
 * ```
 */
export const formatSeconds = (seconds: number): string => {
  const sign = seconds < 0 ? '-' : ''
  let rest = Math.abs(Math.round(seconds))
  const parts: string[] = []
  for (const [unit, size] of [['d', 86_400], ['h', 3600], ['m', 60]] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`)
      rest %= size
    }
  }
  if (rest > 0 || parts.length === 0) parts.push(`${rest}s`)
  return sign + parts.join('')
}
