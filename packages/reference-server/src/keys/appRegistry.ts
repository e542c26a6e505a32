import * as E from 'fp-ts/lib/Either.js'
import { describeTrustedKey, parseTrustedKey, type TrustedKey, type TrustedKeyInfo } from './trustedKey.js'

/**
 * How an app treats tokens (wire-protocol.md step 2).
 *
 * @example
 * ```ts
 * server.setEnforcement('demo', 'optional')
 * ```
 */
export type Enforcement = 'disabled' | 'optional' | 'required'

/**
 * Every enforcement mode, for option parsing.
 *
 * @example
 * ```ts
 * ENFORCEMENTS.join(' | ') // 'disabled | optional | required'
 * ```
 */
export const ENFORCEMENTS: readonly Enforcement[] = ['disabled', 'optional', 'required']

/**
 * Narrows a string to an enforcement mode.
 *
 * @example
 * ```ts
 * isEnforcement('optional') // true
 * ```
 */
export const isEnforcement = (value: unknown): value is Enforcement =>
  typeof value === 'string' && (ENFORCEMENTS as readonly string[]).includes(value)

/**
 * Why a key could not be added or removed.
 *
 * @example
 * ```ts
 * if (E.isLeft(added) && added.left.kind === 'duplicate-kid') console.log(added.left.message)
 * ```
 */
export type KeyFailure =
  | { readonly kind: 'invalid-key'; readonly message: string }
  | { readonly kind: 'duplicate-kid'; readonly message: string }
  | { readonly kind: 'unknown-kid'; readonly message: string }

type AppState = { enforcement: Enforcement; readonly keys: Map<string, TrustedKey> }

/**
 * Per-app keys and enforcement, changed at run time.
 *
 * @example
 * ```ts
 * apps.addKey('demo', pem); apps.trustedKeys('demo').length // 1
 * ```
 */
export type AppRegistry = {
  readonly addKey: (appId: string, publicKeyPem: string, kid?: string) => E.Either<KeyFailure, TrustedKeyInfo>
  readonly listKeys: (appId: string) => readonly TrustedKeyInfo[]
  readonly removeKey: (appId: string, kid: string) => E.Either<KeyFailure, TrustedKeyInfo>
  readonly trustedKeys: (appId: string) => readonly TrustedKey[]
  readonly enforcementOf: (appId: string) => Enforcement
  readonly setEnforcement: (appId: string, enforcement: Enforcement) => void
}

/**
 * Creates the registry. Apps come into existence on first use with `defaultEnforcement` and no
 * keys (then every token fails `INVALID_SIGNATURE` until a key is added).
 *
 * @example
 * ```ts
 * const apps = createAppRegistry('required', Date.now)
 * apps.addKey('app-1', publicKeyPem) // Right({ kid: '<thumbprint>', ... })
 * ```
 */
export const createAppRegistry = (defaultEnforcement: Enforcement, now: () => number): AppRegistry => {
  const apps = new Map<string, AppState>()
  const appState = (appId: string): AppState => {
    const existing = apps.get(appId)
    if (existing !== undefined) return existing
    const created: AppState = { enforcement: defaultEnforcement, keys: new Map() }
    apps.set(appId, created)
    return created
  }
  return {
    addKey: (appId, publicKeyPem, kid) => {
      const parsed = parseTrustedKey(publicKeyPem, kid === undefined ? { now: now() } : { kid, now: now() })
      if (E.isLeft(parsed)) return E.left({ kind: 'invalid-key', message: parsed.left })
      const { keys } = appState(appId)
      const existing = keys.get(parsed.right.kid)
      if (existing !== undefined) {
        // Adding the same key twice is harmless; the same kid for a different key is a mistake.
        return existing.publicKeyPem === parsed.right.publicKeyPem
          ? E.right(describeTrustedKey(existing))
          : E.left({ kind: 'duplicate-kid', message: `app ${appId} already has a different key with kid ${parsed.right.kid}` })
      }
      keys.set(parsed.right.kid, parsed.right)
      return E.right(describeTrustedKey(parsed.right))
    },
    listKeys: (appId) => [...(apps.get(appId)?.keys.values() ?? [])].map(describeTrustedKey),
    removeKey: (appId, kid) => {
      const keys = apps.get(appId)?.keys
      const key = keys?.get(kid)
      if (keys === undefined || key === undefined) return E.left({ kind: 'unknown-kid', message: `app ${appId} has no key with kid ${kid}` })
      keys.delete(kid)
      return E.right(describeTrustedKey(key))
    },
    trustedKeys: (appId) => [...(apps.get(appId)?.keys.values() ?? [])],
    enforcementOf: (appId) => apps.get(appId)?.enforcement ?? defaultEnforcement,
    setEnforcement: (appId, enforcement) => {
      appState(appId).enforcement = enforcement
    },
  }
}
