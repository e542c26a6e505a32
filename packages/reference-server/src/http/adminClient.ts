import * as t from 'io-ts'
import * as E from 'fp-ts/lib/Either.js'
import { describeDecodeFailure } from '@jwt-sync/core'
import { parseTrustedKey, type TrustedKey } from '../keys/trustedKey.js'
import { EnforcementBodyCodec, KeysBodyCodec, ServerSettingsCodec, type ServerSettings } from './adminApi.js'

/**
 * What a running reference server trusts for one app, and the settings it judges tokens by: with
 * it, `verifyToken` reaches the verdict that server would.
 *
 * @example
 * ```ts
 * const fetched = await fetchServerTrust('http://127.0.0.1:7355', 'dev-app')
 * if (E.isRight(fetched)) {
 *   const trust: ServerTrust = fetched.right
 *   const { allowedAlgorithms, clockSkewMs, maxTokenBytes } = trust.settings
 *   const verdict = await verifyToken(token, {
 *     keys: trust.keys, allowedAlgorithms: allowedAlgorithms.filter(isRsaAlgorithm), clockSkewMs, maxTokenBytes, now: Date.now(), identifier: 'alice',
 *   }, 'explain')
 * }
 * ```
 */
export type ServerTrust = {
  /** The app's trusted keys, parsed, under the kids the server has them. */
  readonly keys: readonly TrustedKey[]
  readonly settings: ServerSettings
  /** The app's enforcement as the server reported it (`disabled`, `optional` or `required`). */
  readonly enforcement: string
}

const getJson = async <A>(url: string, codec: t.Decoder<unknown, A>): Promise<E.Either<string, A>> => {
  let response: Response
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(5000) })
  } catch (error) {
    const cause = (error as { cause?: { code?: unknown } }).cause?.code
    return E.left(`cannot reach ${url}: ${typeof cause === 'string' ? cause : error instanceof Error ? error.message : String(error)}`)
  }
  if (response.status !== 200) return E.left(`${url} answered ${response.status}; is it a jwt-sync reference server?`)
  let json: unknown
  try {
    json = await response.json()
  } catch {
    return E.left(`${url} did not answer JSON`)
  }
  const decoded = codec.decode(json)
  return E.isLeft(decoded) ? E.left(`${url}: unexpected answer: ${describeDecodeFailure(decoded.left).message}`) : E.right(decoded.right)
}

/**
 * A client of the admin API: reads an app's keys (with their kids), its enforcement and the
 * server's verification settings from a running reference server, so `jwt-sync verify --server`
 * judges exactly as that server would. Every answer is decoded with the codecs the server uses.
 *
 * @example
 * ```ts
 * const trust = await fetchServerTrust('http://127.0.0.1:7355', 'dev-app')
 * if (E.isRight(trust)) console.log(trust.right.keys.map((key) => key.kid))
 * ```
 */
export const fetchServerTrust = async (baseUrl: string, appId: string): Promise<E.Either<string, ServerTrust>> => {
  const base = baseUrl.replace(/\/+$/, '')
  const app = encodeURIComponent(appId)
  const settings = await getJson(`${base}/admin/settings`, ServerSettingsCodec)
  if (E.isLeft(settings)) return settings
  const keys = await getJson(`${base}/admin/apps/${app}/keys`, KeysBodyCodec)
  if (E.isLeft(keys)) return keys
  const enforcement = await getJson(`${base}/admin/apps/${app}/enforcement`, EnforcementBodyCodec)
  if (E.isLeft(enforcement)) return enforcement
  const trusted: TrustedKey[] = []
  for (const key of keys.right.keys) {
    const parsed = parseTrustedKey(key.publicKeyPem, { kid: key.kid })
    if (E.isLeft(parsed)) return E.left(`key ${key.kid} from the server: ${parsed.left}`)
    trusted.push(parsed.right)
  }
  return E.right({ keys: trusted, settings: settings.right, enforcement: enforcement.right.enforcement })
}
