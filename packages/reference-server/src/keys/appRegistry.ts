import * as E from 'fp-ts/lib/Either.js'
import { describeTrustedKey, parseTrustedKey, type TrustedKey, type TrustedKeyInfo } from './trustedKey.js'

/**
 * How an app treats the tokens of identified batches (`docs/wire-protocol.md`, step 2): `disabled` ignores
 * them, `optional` verifies them but accepts the batch either way (the verdict goes to the
 * `X-Auth-Result` header and the log), `required` answers a failed check with 401.
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
 * Per-app keys and enforcement, changed at run time (the server's in-process methods and the admin
 * API both go through it). An app unknown so far has no keys and the default enforcement.
 *
 * @example
 * ```ts
 * apps.addKey('demo', pem); apps.trustedKeys('demo').length // 1
 * ```
 */
export type AppRegistry = {
  /**
   * Trusts a PEM SPKI RSA public key (at least 2048 bits) for the app under `kid` (its RFC 7638
   * thumbprint when omitted), next to the keys it already has (rotation). The same key under the
   * same kid again changes nothing and returns it. `Left`: `invalid-key` when the PEM is unusable,
   * `duplicate-kid` when another key already has that kid.
   */
  readonly addKey: (appId: string, publicKeyPem: string, kid?: string) => E.Either<KeyFailure, TrustedKeyInfo>
  /** The app's keys in listing form, in the order they were added (empty for an unknown app). */
  readonly listKeys: (appId: string) => readonly TrustedKeyInfo[]
  /** Stops trusting the key with this kid and returns it; `Left` (`unknown-kid`) when the app has none. */
  readonly removeKey: (appId: string, kid: string) => E.Either<KeyFailure, TrustedKeyInfo>
  /** The app's keys with their parsed `KeyObject`s, which the signature check tries (empty for an unknown app). */
  readonly trustedKeys: (appId: string) => readonly TrustedKey[]
  /** The app's enforcement: the one last set for it, else the registry's default. */
  readonly enforcementOf: (appId: string) => Enforcement
  /** Sets how the app treats tokens; takes effect for the next batch checked. */
  readonly setEnforcement: (appId: string, enforcement: Enforcement) => void
}

/**
 * Creates the registry. Apps come into existence on first use with `defaultEnforcement` and no
 * keys (then a token that passes the earlier checks fails `INVALID_SIGNATURE` until a key is added).
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
