/** A log record's fields. Tokens in it are already redacted to their first 8 characters (R18). */
export type LogFields = Readonly<Record<string, unknown>>

/** The logger port. Every method takes a message and a plain object. */
export type Logger = {
  readonly debug: (message: string, fields: LogFields) => void
  readonly info: (message: string, fields: LogFields) => void
  readonly warn: (message: string, fields: LogFields) => void
  readonly error: (message: string, fields: LogFields) => void
}

/** A logger that drops everything: the default, so an SDK is silent unless the app asks. */
export const silentLogger: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} }
