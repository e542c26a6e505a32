/**
 * Why the bridge refused a host message or an SDK call failed (the `error` of an `error` answer).
 *
 * @example
 * ```ts
 * const error: BridgeError = { code: 'INVALID_INPUT', field: 'name', message: 'name: expected 1 to 256 characters' }
 * ```
 */
export type BridgeError = { code: string; message: string; field?: string; numericCode?: number }

/**
 * Protocol-level error codes (SDK errors such as `INVALID_INPUT` or `JWT_DISABLED` pass through
 * unchanged).
 *
 * @example
 * ```ts
 * const error: BridgeError = { code: PROTOCOL_ERRORS.UNKNOWN_KIND, message: 'unknown message kind "jump"' }
 * ```
 */
export const PROTOCOL_ERRORS = {
  /** Not a JSON text. */
  MALFORMED_JSON: 'MALFORMED_JSON',
  /**
   * JSON, but not the shape its kind requires (`field` names the faulty field), or an answer that
   * does not fit the request its id names (a `storageResult` for an `http` request).
   */
  MALFORMED_MESSAGE: 'MALFORMED_MESSAGE',
  /** `v` is missing or not 1. */
  UNSUPPORTED_VERSION: 'UNSUPPORTED_VERSION',
  /** `kind` names no message. */
  UNKNOWN_KIND: 'UNKNOWN_KIND',
  /** An answer whose id matches no pending request (never sent, answered twice, or timed out). */
  UNKNOWN_REQUEST: 'UNKNOWN_REQUEST',
  /** A `timerFired` for a timer that is not armed (cleared, or fired twice). */
  UNKNOWN_TIMER: 'UNKNOWN_TIMER',
  /** An SDK call before `initialize` or after `shutdown`. */
  NOT_INITIALIZED: 'NOT_INITIALIZED',
  /** A second `initialize`. */
  ALREADY_INITIALIZED: 'ALREADY_INITIALIZED',
  /** The config is invalid; `field` names it. */
  INVALID_CONFIG: 'INVALID_CONFIG',
  /** The SDK failed in an unexpected way (a bug); the message says how. */
  INTERNAL: 'INTERNAL',
} as const
