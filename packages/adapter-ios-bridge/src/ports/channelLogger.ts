import type { Logger, LogFields } from '@jwt-sync/core'
import type { Outbox } from './outbox.js'

/**
 * The logger port over the channel: each line is a `log` message. The core has already redacted
 * tokens (R18); the bridge adds nothing.
 *
 * @example
 * ```ts
 * createChannelLogger(outbox).warn('sync failed', { status: 503 }) // { v: 1, kind: 'log', level: 'warn', ... }
 * ```
 */
export const createChannelLogger = (outbox: Outbox): Logger => {
  const line =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (message: string, fields: LogFields): void =>
      outbox({ v: 1, kind: 'log', level, message: String(message), fields: { ...fields } })
  return { debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error') }
}
