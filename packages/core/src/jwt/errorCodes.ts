/**
 * The JWT error codes of docs/rules.md (Error codes) with their numeric codes.
 *
 * @example
 * ```ts
 * JWT_ERROR_CODES.INVALID_SIGNATURE // 4003
 * ```
 */
export const JWT_ERROR_CODES = {
  DECRYPTION_FAILED: 4000,
  HEADER_TYPE_INCOMPATIBLE: 4001,
  PAYLOAD_CONTENT_MISSING: 4002,
  INVALID_SIGNATURE: 4003,
  IDENTIFIER_MISMATCH: 4004,
  TOKEN_NOT_AVAILABLE: 4005,
  TIME_CONSTRAINT_FAILURE: 4010,
  UNKNOWN: 4999,
} as const

/**
 * One of the JWT error codes of docs/rules.md.
 *
 * @example
 * ```ts
 * const code: JwtErrorCode = 'INVALID_SIGNATURE'
 * ```
 */
export type JwtErrorCode = keyof typeof JWT_ERROR_CODES

/**
 * Whether a value is one of the JWT error codes.
 *
 * @example
 * ```ts
 * isJwtErrorCode('UNKNOWN') // true
 * ```
 */
export const isJwtErrorCode = (value: unknown): value is JwtErrorCode =>
  typeof value === 'string' && Object.prototype.hasOwnProperty.call(JWT_ERROR_CODES, value)

/**
 * What authentication listeners receive (docs/integrating.md; R7, R15). `token` is the full token: it is the app's own
 * (R18 only forbids writing it to logs).
 *
 * @example
 * ```ts
 * sdk.registerAuthenticationListener((error: AuthenticationError) => {
 *   if (error.details.code === 'TOKEN_NOT_AVAILABLE') console.warn('no token for', error.details.identifier)
 * })
 * ```
 */
export type AuthenticationError = {
  readonly type: 'JWT'
  readonly source: 'server' | 'client'
  readonly accountMeta: { readonly appId: string }
  readonly details: {
    readonly code: JwtErrorCode
    readonly numericCode: number
    readonly token?: string
    readonly identifier?: string
    readonly message?: string
    /** Only for the R11 deletion on logout. */
    readonly deletedCount?: number
  }
}
