/**
 * @packageDocumentation
 * jwt-sync core: the pure XState engine that decides every sync and authentication step, its
 * facade (`createSdk`), the ports it talks through, and the embedded in-memory defaults. Tools
 * that draw or test the statechart itself import `@jwt-sync/core/statechart`.
 */
export type { HttpRequest, HttpResponse, Transport, TransportFailure } from './ports/transport.js'
export type {
  CommitResult,
  StateValue,
  Storage,
  StorageFailure,
  StorageNamespace,
  StorageSnapshot,
  StorageWrite,
} from './ports/storage.js'
export type { Clock } from './ports/clock.js'
export { systemClock } from './ports/clock.js'
export type { Logger, LogFields } from './ports/logger.js'
export { silentLogger } from './ports/logger.js'
export type { Identifier, IdentityKey } from './model/identity.js'
export { ANONYMOUS, identityKeyOf, identifierOf } from './model/identity.js'
export type { Attributes, AttributeValue, BatchId, DeadLetter, ItemId, SessionId, StoredItem } from './model/item.js'
export { DeadLetterCodec, StoredItemCodec } from './model/item.js'
export type { ConfigError, ResolvedConfig, SdkConfig, TokenProvider, TokenRequestReason } from './model/config.js'
export { DEFAULTS, DEFAULT_DATA_CENTERS, SdkConfigCodec, resolveConfig } from './model/config.js'
export { describeDecodeFailure } from './model/decodeFailure.js'
export type { AuthenticationError, JwtErrorCode } from './jwt/errorCodes.js'
export { JWT_ERROR_CODES, isJwtErrorCode } from './jwt/errorCodes.js'
export * from './wire/protocol.js'
export type {
  AuthenticationListener,
  ChartState,
  PendingReason,
  QueueView,
  ShutdownReport,
  Sdk,
  SdkError,
  SdkPorts,
  SdkProblem,
  SdkState,
  SyncReport,
  TokenStatus,
} from './sdk/types.js'
export { createMemoryStorage } from './drivers/memoryStorage.js'
export { createConsoleLogger } from './drivers/consoleLogger.js'
export type { ConsoleLike, LogLevel } from './drivers/consoleLogger.js'
export type { ManualClock } from './drivers/manualClock.js'
export { createManualClock } from './drivers/manualClock.js'
export { createSdk } from './sdk/createSdk.js'
export { decodeJwt, subjectOf, expiryMsOf } from './jwt/decodeJwt.js'
export { checkToken } from './jwt/clientChecks.js'
export { fingerprintToken } from './jwt/fingerprint.js'
export type { ClientCheckFailure, ClientCheckOptions } from './jwt/clientChecks.js'
