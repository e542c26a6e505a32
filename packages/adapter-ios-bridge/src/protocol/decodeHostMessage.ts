import * as E from 'fp-ts/lib/Either.js'
import { describeDecodeFailure } from '@jwt-sync/core'
import { PROTOCOL_ERRORS, type BridgeError } from './protocolErrors.js'
import { HOST_MESSAGE_CODECS, isHostMessageKind, type HostMessage } from './hostMessages.js'
import { PROTOCOL_VERSION } from './version.js'

/**
 * A refused host message: the error to answer with, and the id to echo (null when none was readable).
 *
 * @example
 * ```ts
 * const rejection: HostMessageRejection = { id: 'c1', error: { code: 'UNKNOWN_KIND', message: 'unknown message kind "jump"', field: 'kind' } }
 * ```
 */
export type HostMessageRejection = { readonly id: string | null; readonly error: BridgeError }

/**
 * A decoded host message plus the host's clock reading, when it sent one.
 *
 * @example
 * ```ts
 * const decoded: DecodedHostMessage = { message: { v: 1, kind: 'flush', id: 'c2' }, now: 1795824000000 }
 * ```
 */
export type DecodedHostMessage = { readonly message: HostMessage; readonly now: number | undefined }

const describe = (value: unknown): string => {
  if (value === undefined) return 'missing'
  try {
    const text = JSON.stringify(value)
    return text === undefined ? typeof value : text.length > 40 ? `${text.slice(0, 37)}...` : text
  } catch {
    return typeof value
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)

/**
 * Decodes one host -> JS JSON text, in order: JSON, object, version, kind, then the kind's codec.
 * Never throws; a refusal names the problem.
 *
 * @example
 * ```ts
 * decodeHostMessage('{"v":2,"kind":"flush","id":"c1"}')
 * // Left({ id: 'c1', error: { code: 'UNSUPPORTED_VERSION', message: 'protocol version 2 is not supported; this bridge speaks v1', field: 'v' } })
 * ```
 */
export const decodeHostMessage = (text: unknown): E.Either<HostMessageRejection, DecodedHostMessage> => {
  if (typeof text !== 'string') {
    return E.left({ id: null, error: { code: PROTOCOL_ERRORS.MALFORMED_JSON, message: `expected a JSON string, got ${typeof text}` } })
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (e) {
    return E.left({ id: null, error: { code: PROTOCOL_ERRORS.MALFORMED_JSON, message: `not JSON: ${e instanceof Error ? e.message : 'parse error'}` } })
  }
  if (!isRecord(parsed)) {
    return E.left({ id: null, error: { code: PROTOCOL_ERRORS.MALFORMED_MESSAGE, message: `expected a JSON object, got ${describe(parsed)}`, field: '(root)' } })
  }
  const id = typeof parsed['id'] === 'string' ? parsed['id'] : typeof parsed['timerId'] === 'string' ? parsed['timerId'] : null
  const reject = (code: string, message: string, field?: string): E.Either<HostMessageRejection, never> =>
    E.left({ id, error: field === undefined ? { code, message } : { code, message, field } })

  if (parsed['v'] !== PROTOCOL_VERSION) {
    return reject(PROTOCOL_ERRORS.UNSUPPORTED_VERSION, `protocol version ${describe(parsed['v'])} is not supported; this bridge speaks v${PROTOCOL_VERSION}`, 'v')
  }
  const kind = parsed['kind']
  if (typeof kind !== 'string') return reject(PROTOCOL_ERRORS.MALFORMED_MESSAGE, `kind: expected a string, got ${describe(kind)}`, 'kind')
  if (!isHostMessageKind(kind)) return reject(PROTOCOL_ERRORS.UNKNOWN_KIND, `unknown message kind ${describe(kind)}`, 'kind')
  const now = parsed['now']
  if (now !== undefined && (typeof now !== 'number' || !Number.isFinite(now))) {
    return reject(PROTOCOL_ERRORS.MALFORMED_MESSAGE, `now: expected epoch milliseconds, got ${describe(now)}`, 'now')
  }
  const decoded = HOST_MESSAGE_CODECS[kind].decode(parsed)
  if (E.isLeft(decoded)) {
    const { field, message } = describeDecodeFailure(decoded.left)
    return reject(PROTOCOL_ERRORS.MALFORMED_MESSAGE, `${kind}: ${message}`, field)
  }
  return E.right({ message: decoded.right as HostMessage, now })
}
