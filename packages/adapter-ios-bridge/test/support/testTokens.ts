/**
 * Tokens the core's client checks accept (RS256, a subject, an expiry a day after `now`) with
 * made-up signatures: the fake ingestion server in the host script decides which it trusts, so
 * no key is needed. Each call gives a different token (the signature carries `n`).
 *
 * @example
 * ```ts
 * const token = clientValidToken('alice', Date.now(), 1)
 * ```
 */
export const clientValidToken = (identifier: string, now: number, n: number): string => {
  const part = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url')
  const seconds = Math.floor(now / 1000)
  const header = part({ alg: 'RS256', typ: 'JWT', kid: 'host-key' })
  const payload = part({ sub: identifier, iat: seconds, exp: seconds + 86_400 })
  return `${header}.${payload}.${Buffer.from(`signature-${identifier}-${n}`).toString('base64url')}`
}
