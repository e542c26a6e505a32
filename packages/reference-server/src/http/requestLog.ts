/**
 * One line of the server's request log. A token appears only as its fingerprint (R18): key id,
 * expiry and a hash of the signature, never the token itself.
 *
 * @example
 * ```ts
 * server.requestLog().filter((entry) => entry.authResult === 'INVALID_SIGNATURE')
 * ```
 */
export type RequestLogEntry = {
  readonly at: number
  readonly method: string
  readonly path: string
  readonly status: number | null
  readonly appId?: string
  readonly batchId?: string
  readonly identifier?: string | null
  readonly items?: number
  readonly accepted?: number
  readonly duplicates?: number
  /** `fingerprintToken(token)` of the core, e.g. `jwt(kid=key-1 exp=2026-12-02T10:00Z #5e1f0c9a)`; absent without a token. */
  readonly tokenFingerprint?: string
  /** `ok`, an error code, `anonymous` or `not-checked` (enforcement disabled). */
  readonly authResult?: string
  readonly enforcement?: string
  readonly fault?: string
  readonly message?: string
}

/**
 * One readable line for a log entry, as `jwt-sync serve` prints it.
 *
 * @example
 * ```ts
 * formatLogEntry(entry) // '12:00:01.250 POST /v1/apps/demo/batches 200 items=3 accepted=3 duplicates=0 identity=alice token=jwt(kid=key-1 exp=2026-12-02T10:00Z #5e1f0c9a) auth=ok'
 * ```
 */
export const formatLogEntry = (entry: RequestLogEntry): string => {
  const fields: string[] = []
  const add = (name: string, value: unknown): void => {
    if (value !== undefined) fields.push(`${name}=${value === null ? 'anonymous' : String(value)}`)
  }
  add('items', entry.items)
  add('accepted', entry.accepted)
  add('duplicates', entry.duplicates)
  add('identity', entry.identifier)
  add('token', entry.tokenFingerprint)
  add('auth', entry.authResult)
  add('fault', entry.fault)
  const time = new Date(entry.at).toISOString().slice(11, 23)
  const message = entry.message === undefined ? '' : ` (${entry.message})`
  return `${time} ${entry.method} ${entry.path} ${entry.status ?? '-'} ${fields.join(' ')}${message}`.replace(/ +/g, ' ').trim()
}
