/**
 * @packageDocumentation
 * The jwt-sync reference ingestion server (`docs/wire-protocol.md`) on node:http: JWT verification with
 * jose, per-app key rotation and enforcement, de-duplication, fault injection, and a token issuer
 * for tests, the demo and the CLI.
 */
export type { ReferenceServer } from './server.js'
export { startReferenceServer } from './server.js'
export type { AppOptions, ReferenceServerOptions, ResolvedServerOptions } from './options.js'
export { resolveServerOptions } from './options.js'
export type { AppRegistry, Enforcement, KeyFailure } from './keys/appRegistry.js'
export { ENFORCEMENTS, createAppRegistry, isEnforcement } from './keys/appRegistry.js'
export type { TrustedKey, TrustedKeyInfo } from './keys/trustedKey.js'
export { MIN_RSA_MODULUS_BITS, describeTrustedKey, parseTrustedKey, rsaThumbprint } from './keys/trustedKey.js'
export type { AcceptedToken, CheckName, CheckOutcome, TokenRejection, TokenVerdict, VerificationContext } from './verification/verifyToken.js'
export { bearerTokenOf, verifyToken } from './verification/verifyToken.js'
export type { TokenShape } from './verification/tokenShape.js'
export { readTokenShape, subjectOf } from './verification/tokenShape.js'
export type { RsaAlgorithm } from './verification/algorithms.js'
export { DEFAULT_ALGORITHMS, RSA_ALGORITHMS, isRsaAlgorithm } from './verification/algorithms.js'
export type { AcceptedItem, ItemStore, StoreOutcome } from './storage/itemStore.js'
export { createMemoryItemStore } from './storage/itemStore.js'
export { SQLITE_NOT_INSTALLED, openSqliteItemStore } from './storage/sqliteItemStore.js'
export type { ServerSettings } from './http/adminApi.js'
export { EnforcementBodyCodec, KeysBodyCodec, ServerSettingsCodec } from './http/adminApi.js'
export type { ServerTrust } from './http/adminClient.js'
export { fetchServerTrust } from './http/adminClient.js'
export type { Fault, FaultQueue } from './http/faults.js'
export { FaultCodec, FaultRequestCodec, createFaultQueue } from './http/faults.js'
export type { RequestLogEntry } from './http/requestLog.js'
export { formatLogEntry } from './http/requestLog.js'
export type { BadTokenKind, TokenIssuer, TokenIssuerOptions, TokenSpec } from './tokens/tokenIssuer.js'
export { BAD_TOKEN_KINDS, createTokenIssuer } from './tokens/tokenIssuer.js'
