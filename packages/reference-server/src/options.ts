import * as t from 'io-ts'
import * as E from 'fp-ts/lib/Either.js'
import { describeDecodeFailure, silentLogger, type Logger } from '@jwt-sync/core'
import { DEFAULT_ALGORITHMS, isRsaAlgorithm, type RsaAlgorithm } from './verification/algorithms.js'
import { isEnforcement, type Enforcement } from './keys/appRegistry.js'

/**
 * An app known at start: its enforcement and the public keys it trusts.
 *
 * @example
 * ```ts
 * const app: AppOptions = { enforcement: 'optional', publicKeys: [{ publicKeyPem, kid: 'k-2026' }] }
 * ```
 */
export type AppOptions = {
  readonly enforcement?: Enforcement
  readonly publicKeys?: readonly (string | { readonly publicKeyPem: string; readonly kid?: string })[]
}

/**
 * Options of `startReferenceServer`; every one has a default.
 *
 * @example
 * ```ts
 * await startReferenceServer({ port: 0, clockSkewMs: 5_000, defaultEnforcement: 'optional' })
 * ```
 */
export type ReferenceServerOptions = {
  /** Interface to listen on (127.0.0.1). */
  readonly host?: string
  /** Port (0: an ephemeral port). */
  readonly port?: number
  /** Allowed signature algorithms, RSA only (`RSA_ALGORITHMS`; default RS256, RS512). `none` and HMAC are never allowed. */
  readonly allowedAlgorithms?: readonly RsaAlgorithm[]
  /** Allowed clock skew for exp, nbf and iat (60 000 ms). */
  readonly clockSkewMs?: number
  /** Largest bearer token accepted (8192 bytes). */
  readonly maxTokenBytes?: number
  /** Largest request body accepted; larger gets 413 (1 MiB). */
  readonly maxBodyBytes?: number
  /** Enforcement of apps not configured otherwise (`required`). */
  readonly defaultEnforcement?: Enforcement
  /** Apps known at start, by app id (none; an app first seen in a request gets `defaultEnforcement` and no keys). */
  readonly apps?: Readonly<Record<string, AppOptions>>
  /** SQLite file for accepted items; memory when absent. */
  readonly databasePath?: string
  /** Server log (silent). Receives one `info` per request; tokens only as their first 8 characters. */
  readonly logger?: Logger
  /** The server's clock in epoch ms, for token time checks, `receivedAt` and the log (Date.now). */
  readonly now?: () => number
  /** How many request log entries are kept (1000). */
  readonly maxLogEntries?: number
}

/**
 * Options with every default applied (see `ReferenceServerOptions` for each field); `databasePath`
 * is null for the memory store.
 *
 * @example
 * ```ts
 * const resolved = resolveServerOptions({}) // Right<ResolvedServerOptions> with every default
 * ```
 */
export type ResolvedServerOptions = {
  readonly host: string
  readonly port: number
  readonly allowedAlgorithms: readonly RsaAlgorithm[]
  readonly clockSkewMs: number
  readonly maxTokenBytes: number
  readonly maxBodyBytes: number
  readonly defaultEnforcement: Enforcement
  readonly apps: Readonly<Record<string, AppOptions>>
  readonly databasePath: string | null
  readonly logger: Logger
  /**
   * The server's clock in epoch ms: token time checks (exp, nbf, iat), `receivedAt` of stored
   * items, request log times and the `addedAt` of keys. A test passes a fixed clock to check expiry
   * without waiting.
   */
  readonly now: () => number
  readonly maxLogEntries: number
}

const NonNegativeInt = t.refinement(t.number, (n) => Number.isInteger(n) && n >= 0, 'NonNegativeInteger')
const PositiveInt = t.refinement(t.number, (n) => Number.isInteger(n) && n > 0, 'PositiveInteger')
const Port = t.refinement(NonNegativeInt, (n) => n <= 65535, 'Port')
const Algorithm = t.refinement(t.string, isRsaAlgorithm, 'RS256 | RS384 | RS512 | PS256 | PS384 | PS512')
const EnforcementCodec = t.refinement(t.string, isEnforcement, 'disabled | optional | required')
const KeyOption = t.union([t.string, t.intersection([t.type({ publicKeyPem: t.string }), t.partial({ kid: t.string })])])
const FunctionCodec = new t.Type<unknown, unknown, unknown>(
  'Function',
  (u): u is unknown => typeof u === 'function',
  (u, c) => (typeof u === 'function' ? t.success(u) : t.failure(u, c)),
  t.identity,
)

const OptionsCodec = t.partial({
  host: t.string,
  port: Port,
  allowedAlgorithms: t.refinement(t.array(Algorithm), (list) => list.length > 0, 'NonEmptyAlgorithmList'),
  clockSkewMs: NonNegativeInt,
  maxTokenBytes: PositiveInt,
  maxBodyBytes: PositiveInt,
  defaultEnforcement: EnforcementCodec,
  apps: t.record(t.string, t.partial({ enforcement: EnforcementCodec, publicKeys: t.array(KeyOption) })),
  databasePath: t.string,
  logger: t.type({ debug: FunctionCodec, info: FunctionCodec, warn: FunctionCodec, error: FunctionCodec }),
  now: FunctionCodec,
  maxLogEntries: PositiveInt,
})

/**
 * Validates the options (they may come from a CLI or a config file) and applies the defaults.
 * `Left` names the field at fault.
 *
 * @example
 * ```ts
 * resolveServerOptions({ clockSkewMs: 0 }) // Right({ host: '127.0.0.1', port: 0, clockSkewMs: 0, ... })
 * resolveServerOptions({ clockSkewMs: -1 }) // Left('clockSkewMs: expected NonNegativeInteger, got -1')
 * ```
 */
export const resolveServerOptions = (options: ReferenceServerOptions): E.Either<string, ResolvedServerOptions> => {
  const decoded = OptionsCodec.decode(options)
  if (E.isLeft(decoded)) return E.left(describeDecodeFailure(decoded.left).message)
  return E.right({
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    allowedAlgorithms: options.allowedAlgorithms ?? DEFAULT_ALGORITHMS,
    clockSkewMs: options.clockSkewMs ?? 60_000,
    maxTokenBytes: options.maxTokenBytes ?? 8192,
    maxBodyBytes: options.maxBodyBytes ?? 1024 * 1024,
    defaultEnforcement: options.defaultEnforcement ?? 'required',
    apps: options.apps ?? {},
    databasePath: options.databasePath ?? null,
    logger: options.logger ?? silentLogger,
    now: options.now ?? Date.now,
    maxLogEntries: options.maxLogEntries ?? 1000,
  })
}
