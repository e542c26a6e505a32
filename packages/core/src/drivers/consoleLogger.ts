import type { Logger, LogFields } from '../ports/logger.js'

/** Log levels from the most to the least detailed. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error'

const LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error']

/** The part of `console` the logger writes to: lets a host hand in its own (or a test capture it). */
export type ConsoleLike = Pick<Console, 'debug' | 'info' | 'warn' | 'error'>

/**
 * A logger that writes to the console, from `level` up (default `warn`: refusals, retries, dead
 * letters and problems, not every step). Each line starts with `[jwt-sync]` and the fields follow
 * as an object. Tokens are never in them: the SDK replaces every token by its fingerprint before
 * any logger sees a field (R18).
 *
 * @example
 * ```ts
 * createSdk(config, { transport, logger: createConsoleLogger({ level: 'debug' }) })
 * // [jwt-sync] warn server refused the token { code: 'INVALID_SIGNATURE', consecutiveAuthFailures: 1 }
 * ```
 */
export const createConsoleLogger = (options: { readonly level?: LogLevel; readonly console?: ConsoleLike } = {}): Logger => {
  const threshold = LEVELS.indexOf(options.level ?? 'warn')
  if (threshold < 0) throw new TypeError(`jwt-sync: createConsoleLogger: level must be one of ${LEVELS.join(', ')}`)
  const target = options.console ?? globalThis.console
  const at =
    (level: LogLevel) =>
    (message: string, fields: LogFields): void => {
      if (LEVELS.indexOf(level) < threshold) return
      if (Object.keys(fields).length === 0) target[level](`[jwt-sync] ${level} ${message}`)
      else target[level](`[jwt-sync] ${level} ${message}`, fields)
    }
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }
}
