/**
 * A log record's fields. Tokens in it are already replaced by their fingerprints (R18).
 *
 * @example
 * ```ts
 * const fields: LogFields = { code: 'INVALID_SIGNATURE', token: 'jwt(kid=key-1 exp=2026-12-02T10:00Z #5e1f0c9a)' }
 * ```
 */
export type LogFields = Readonly<Record<string, unknown>>

/**
 * The logger port. Every method takes a message and a plain object.
 *
 * @example
 * ```ts
 * const logger: Logger = { debug: () => {}, info: console.info, warn: console.warn, error: console.error }
 * ```
 */
export type Logger = {
  /** Step-by-step detail. */
  readonly debug: (message: string, fields: LogFields) => void
  /** Normal events: sessions, recoveries. */
  readonly info: (message: string, fields: LogFields) => void
  /** Something went wrong but the SDK copes: refusals, retries, dead letters. */
  readonly warn: (message: string, fields: LogFields) => void
  /** Something the app should look at: a listener that threw, the statechart stopping. */
  readonly error: (message: string, fields: LogFields) => void
}

/**
 * A logger that drops everything: the default, so an SDK is silent unless the app asks.
 *
 * @example
 * ```ts
 * createSdk(config, { transport, logger: silentLogger })
 * ```
 */
export const silentLogger: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} }
