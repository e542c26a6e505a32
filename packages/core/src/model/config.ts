import * as E from './either.js'
import * as t from 'io-ts'
import { describeDecodeFailure } from './decodeFailure.js'

/**
 * Why the SDK asks a `tokenProvider` for a token (R16).
 *
 * @example
 * ```ts
 * const tokenProvider: TokenProvider = async (identifier, reason: TokenRequestReason) =>
 *   (await fetch(`https://app.example.com/jwt?user=${encodeURIComponent(identifier)}&reason=${reason}`)).text()
 * ```
 */
export type TokenRequestReason = 'missing' | 'rejected' | 'invalid' | 'expiring'

/**
 * Fetches a fresh token for an identifier from the app's server (R16). The SDK calls it at most
 * once at a time per identifier and retries failures with backoff.
 *
 * @example
 * ```ts
 * const tokenProvider: TokenProvider = async (identifier) =>
 *   (await fetch(`https://app.example.com/jwt?user=${encodeURIComponent(identifier)}`)).text()
 * ```
 */
export type TokenProvider = (identifier: string, reason: TokenRequestReason) => Promise<string>

/** Timers take at most 2^31 - 1 ms; a longer delay fires at once on every platform. */
const MAX_TIMER_MS = 2_147_483_647
const intBetween = (min: number, max: number) =>
  t.refinement(t.number, (n) => Number.isInteger(n) && n >= min && n <= max, `integer from ${min} to ${max}`)
const durationMs = intBetween(1, MAX_TIMER_MS)
const nonNegativeMs = t.refinement(t.number, (n) => Number.isFinite(n) && n >= 0 && n <= MAX_TIMER_MS, `number of ms from 0 to ${MAX_TIMER_MS}`)
const nonEmptyString = t.refinement(t.string, (s) => s.length > 0, 'non-empty string')
/** http(s) with a host; checked by shape, since JavaScriptCore, Hermes and QuickJS may lack `URL`. */
const httpUrl = t.refinement(t.string, (s) => /^https?:\/\/[^\s/?#@]+(?:[/?#]\S*)?$/i.test(s), 'http(s) URL')

const BackoffCodec = t.partial({ baseMs: durationMs, factor: t.refinement(t.number, (n) => Number.isFinite(n) && n >= 1 && n <= 100, 'number from 1 to 100'), capMs: durationMs })

/** Largest batch the SDK forms: ten times the default, well inside the server's body limit. */
export const MAX_BATCH_SIZE = 1_000

/**
 * The config of `createSdk`, checked there (io-ts); every option is in docs/integrating.md, Configuration reference.
 *
 * @example
 * ```ts
 * const decoded = SdkConfigCodec.decode(JSON.parse(configText))
 * if (E.isLeft(decoded)) console.error(describeDecodeFailure(decoded.left).message)
 * ```
 */
export const SdkConfigCodec = t.intersection([
  t.type({
    appId: nonEmptyString,
    environment: t.union([t.literal('live'), t.literal('test')]),
    networkConfig: t.intersection([
      t.type({ authorizationConfig: t.type({ isJwtEnabled: t.boolean }) }),
      t.partial({ compression: t.union([t.literal('gzip'), t.literal('none')]) }),
    ]),
  }),
  t.partial({
    baseUrl: httpUrl,
    dataCenter: nonEmptyString,
    dataCenters: t.record(t.string, httpUrl),
    maxConsecutiveAuthFailures: intBetween(1, 1_000),
    inactivityTimeoutMs: durationMs,
    periodicFlushMs: durationMs,
    maxBatchSize: intBetween(1, MAX_BATCH_SIZE),
    timeoutMs: durationMs,
    clockSkewMs: nonNegativeMs,
    clientValidation: t.boolean,
    allowedAlgorithms: t.array(nonEmptyString),
    tokenProvider: t.Function,
    refreshLeadMs: nonNegativeMs,
    backoff: BackoffCodec,
  }),
])

/** The keys each object of the config may have: anything else is a typo the app should hear of. */
const KNOWN_KEYS: Readonly<Record<string, readonly string[]>> = {
  '': [
    'appId', 'environment', 'networkConfig', 'baseUrl', 'dataCenter', 'dataCenters', 'maxConsecutiveAuthFailures',
    'inactivityTimeoutMs', 'periodicFlushMs', 'maxBatchSize', 'timeoutMs', 'clockSkewMs', 'clientValidation',
    'allowedAlgorithms', 'tokenProvider', 'refreshLeadMs', 'backoff',
  ],
  networkConfig: ['authorizationConfig', 'compression'],
  'networkConfig.authorizationConfig': ['isJwtEnabled'],
  backoff: ['baseMs', 'factor', 'capMs'],
}

/** The first key of the config that is not an option, as a dotted path; null when there is none. */
const unknownKey = (input: unknown): string | null => {
  for (const [path, known] of Object.entries(KNOWN_KEYS)) {
    const value = path === '' ? input : path.split('.').reduce<unknown>((at, key) => (typeof at === 'object' && at !== null ? (at as Record<string, unknown>)[key] : undefined), input)
    if (typeof value !== 'object' || value === null) continue
    const extra = Object.keys(value).find((key) => !known.includes(key))
    if (extra !== undefined) return path === '' ? extra : `${path}.${extra}`
  }
  return null
}

/**
 * What the app passes to `createSdk`.
 *
 * @example
 * ```ts
 * const config: SdkConfig = { appId: 'my-app', environment: 'live', baseUrl: 'https://ingest.example.com',
 *   networkConfig: { authorizationConfig: { isJwtEnabled: true } }, tokenProvider }
 * ```
 */
export type SdkConfig = Omit<t.TypeOf<typeof SdkConfigCodec>, 'tokenProvider'> & { readonly tokenProvider?: TokenProvider }

/**
 * Data centres an integrator can name instead of a `baseUrl`; extend it with `dataCenters` in the
 * config. The hosts are placeholders an operator replaces.
 *
 * @example
 * ```ts
 * DEFAULT_DATA_CENTERS['local'] // 'http://127.0.0.1:7355'
 * const config: SdkConfig = { appId: 'my-app', environment: 'test', dataCenter: 'local', networkConfig: { authorizationConfig: { isJwtEnabled: true } } }
 * ```
 */
export const DEFAULT_DATA_CENTERS: Readonly<Record<string, string>> = {
  local: 'http://127.0.0.1:7355',
}

/**
 * The config with every default filled in.
 *
 * @example
 * ```ts
 * const resolved = resolveConfig(config)
 * if (E.isRight(resolved)) console.log(resolved.right.baseUrl, resolved.right.maxBatchSize) // maxBatchSize 100 unless set
 * ```
 */
export type ResolvedConfig = {
  readonly appId: string
  readonly baseUrl: string
  readonly environment: 'live' | 'test'
  readonly isJwtEnabled: boolean
  readonly maxConsecutiveAuthFailures: number
  readonly inactivityTimeoutMs: number
  readonly periodicFlushMs: number
  readonly maxBatchSize: number
  readonly timeoutMs: number
  readonly clockSkewMs: number
  readonly clientValidation: boolean
  readonly allowedAlgorithms: readonly string[]
  readonly tokenProvider: TokenProvider | undefined
  readonly refreshLeadMs: number
  readonly backoff: { readonly baseMs: number; readonly factor: number; readonly capMs: number }
  /** R20: `gzip` lets the transport compress request bodies where its platform can. */
  readonly compression: 'gzip' | 'none'
}

/**
 * The default of every optional setting (docs/integrating.md, Configuration reference).
 *
 * @example
 * ```ts
 * DEFAULTS.maxConsecutiveAuthFailures // 10
 * ```
 */
export const DEFAULTS = {
  maxConsecutiveAuthFailures: 10,
  inactivityTimeoutMs: 30 * 60_000,
  periodicFlushMs: 60_000,
  maxBatchSize: 100,
  timeoutMs: 30_000,
  clockSkewMs: 60_000,
  allowedAlgorithms: ['RS256', 'RS512'],
  refreshLeadMs: 60_000,
  backoff: { baseMs: 2_000, factor: 2, capMs: 5 * 60_000 },
  compression: 'gzip',
} as const

/**
 * A config problem, naming the field.
 *
 * @example
 * ```ts
 * const resolved = resolveConfig({ appId: 'my-app', environment: 'live', dataCenter: 'mars', networkConfig: { authorizationConfig: { isJwtEnabled: true } } })
 * if (E.isLeft(resolved)) resolved.left // { type: 'INVALID_CONFIG', field: 'dataCenter', message: 'dataCenter: unknown data center "mars"' }
 * ```
 */
export type ConfigError = { readonly type: 'INVALID_CONFIG'; readonly field: string; readonly message: string }

/**
 * Checks and completes a config; never throws.
 *
 * @example
 * ```ts
 * resolveConfig({ appId: 'my-app', environment: 'test', dataCenter: 'local', networkConfig: { authorizationConfig: { isJwtEnabled: true } } })
 * // Right({ appId: 'my-app', baseUrl: 'http://127.0.0.1:7355', isJwtEnabled: true, maxBatchSize: 100, ... })
 * ```
 */
export const resolveConfig = (input: unknown): E.Either<ConfigError, ResolvedConfig> => {
  const extra = unknownKey(input)
  if (extra !== null) return E.left({ type: 'INVALID_CONFIG', field: extra, message: `${extra}: not a config option (a typo?)` })
  const decoded = SdkConfigCodec.decode(input)
  if (E.isLeft(decoded)) {
    const { field, message } = describeDecodeFailure(decoded.left)
    return E.left({ type: 'INVALID_CONFIG', field, message })
  }
  const c = decoded.right
  const centers = { ...DEFAULT_DATA_CENTERS, ...(c.dataCenters ?? {}) }
  const baseUrl = c.baseUrl ?? (c.dataCenter !== undefined ? centers[c.dataCenter] : undefined)
  if (baseUrl === undefined) {
    return E.left({
      type: 'INVALID_CONFIG',
      field: c.dataCenter !== undefined ? 'dataCenter' : 'baseUrl',
      message: c.dataCenter !== undefined ? `dataCenter: unknown data center "${c.dataCenter}"` : 'baseUrl: baseUrl or dataCenter is required',
    })
  }
  return E.right({
    appId: c.appId,
    baseUrl: baseUrl.replace(/\/+$/, ''),
    environment: c.environment,
    isJwtEnabled: c.networkConfig.authorizationConfig.isJwtEnabled,
    maxConsecutiveAuthFailures: c.maxConsecutiveAuthFailures ?? DEFAULTS.maxConsecutiveAuthFailures,
    inactivityTimeoutMs: c.inactivityTimeoutMs ?? DEFAULTS.inactivityTimeoutMs,
    periodicFlushMs: c.periodicFlushMs ?? DEFAULTS.periodicFlushMs,
    maxBatchSize: c.maxBatchSize ?? DEFAULTS.maxBatchSize,
    timeoutMs: c.timeoutMs ?? DEFAULTS.timeoutMs,
    clockSkewMs: c.clockSkewMs ?? DEFAULTS.clockSkewMs,
    clientValidation: c.clientValidation ?? true,
    allowedAlgorithms: c.allowedAlgorithms ?? DEFAULTS.allowedAlgorithms,
    tokenProvider: c.tokenProvider as TokenProvider | undefined,
    refreshLeadMs: c.refreshLeadMs ?? DEFAULTS.refreshLeadMs,
    backoff: { ...DEFAULTS.backoff, ...(c.backoff ?? {}) },
    compression: c.networkConfig.compression ?? DEFAULTS.compression,
  })
}
