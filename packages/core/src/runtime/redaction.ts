import { fingerprintToken } from '../jwt/fingerprint.js'
import type { Logger, LogFields } from '../ports/logger.js'

const LOOKS_LIKE_JWT = /^[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*$/

const redactValue = (key: string, value: unknown, depth: number): unknown => {
  if (typeof value === 'string') return key.toLowerCase().includes('token') || LOOKS_LIKE_JWT.test(value) ? fingerprintToken(value) : value
  if (depth > 12 || typeof value !== 'object' || value === null) return value
  if (Array.isArray(value)) return value.map((entry) => redactValue(key, entry, depth + 1))
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactValue(k, v, depth + 1)]))
}

/**
 * Redacts every token-looking value and every `*token*` field to its fingerprint (R18): key id, expiry and a short hash of the signature.
 *
 * @example
 * ```ts
 * redactFields({ token: 'eyJhbGciOiJSUzI1NiJ9.e30.c2ln', code: 4003 }) // { token: 'jwt(#3f2a9c1e)', code: 4003 }
 * ```
 */
export const redactFields = (fields: LogFields): LogFields => redactValue('', fields, 0) as LogFields

/** Wraps the logger port so nothing reaches it unredacted, and a throwing logger harms nothing. */
export const redactingLogger = (logger: Logger): Logger => {
  const safe =
    (level: keyof Logger) =>
    (message: string, fields: LogFields): void => {
      try {
        logger[level](message, redactFields(fields))
      } catch {
        // A broken logger must not break the SDK.
      }
    }
  return { debug: safe('debug'), info: safe('info'), warn: safe('warn'), error: safe('error') }
}
