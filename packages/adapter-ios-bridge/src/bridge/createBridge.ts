import * as E from 'fp-ts/lib/Either.js'
import { resolveConfig, type Clock, type Logger, type Sdk, type SdkConfig, type SdkError, type SdkPorts } from '@jwt-sync/core'
import type { BridgeMessage } from '../protocol/bridgeMessages.js'
import { PROTOCOL_ERRORS, type BridgeError } from '../protocol/protocolErrors.js'
import { decodeHostMessage } from '../protocol/decodeHostMessage.js'
import type { HostMessage, SdkCallMessage } from '../protocol/hostMessages.js'
import { createChannelLogger } from '../ports/channelLogger.js'
import { createChannelStorage, DEFAULT_STORAGE_TIMEOUT_MS } from '../ports/channelStorage.js'
import { createChannelTransport, DEFAULT_HTTP_GRACE_MS } from '../ports/channelTransport.js'
import { createHostClock } from '../ports/hostClock.js'
import { createPendingRequests, type HostAnswer } from '../ports/pendingRequests.js'

/**
 * The host function: receives one JSON text per JS -> host message.
 *
 * @example
 * ```ts
 * const host: HostFunction = (json) => queue.push(json)
 * ```
 */
export type HostFunction = (json: string) => unknown

/**
 * Builds an SDK; in the bundle this is `createSdk` from `@jwt-sync/core`.
 *
 * @example
 * ```ts
 * const factory: SdkFactory = createSdk
 * ```
 */
export type SdkFactory = (config: SdkConfig, ports: SdkPorts) => Sdk

/**
 * One bridge: one SDK instance (one appId) behind one channel.
 *
 * @example
 * ```ts
 * const bridge: Bridge = createBridge(host, createSdk)
 * bridge.receive('{"v":1,"kind":"getState","id":"c1"}')
 * ```
 */
export type Bridge = {
  /** The entry point the host calls with a JSON text. Never throws; every problem is an `error` message. */
  readonly receive: (json: unknown) => void
  /** The bridge's clock and logger, for the bundle's ambient shims (console, timers). */
  readonly clock: Clock
  readonly logger: Logger
}

const sdkErrorToBridgeError = (error: SdkError): BridgeError => {
  const base: BridgeError = { code: error.code, message: error.message }
  if ('field' in error) return { ...base, field: error.field }
  if ('numericCode' in error) return { ...base, numericCode: error.numericCode }
  return base
}

const describeThrown = (error: unknown): string => (error instanceof Error ? `${error.name}: ${error.message}` : String(error))

/** JSON with a fallback: a value that cannot be serialised never breaks the channel. */
const serialise = (message: BridgeMessage): string => {
  try {
    return JSON.stringify(message)
  } catch (error) {
    if (message.kind === 'log') return JSON.stringify({ ...message, fields: { unserialisable: describeThrown(error) } })
    return JSON.stringify({ v: 1, kind: 'error', id: 'id' in message ? message.id : null, error: { code: PROTOCOL_ERRORS.INTERNAL, message: `unserialisable ${message.kind} message: ${describeThrown(error)}` } })
  }
}

/**
 * Creates a bridge around a host function. The host calls `receive(json)` with host -> JS
 * messages; the bridge calls `host(json)` with JS -> host messages.
 *
 * @example
 * ```ts
 * const bridge = createBridge((json) => nativePost(json), createSdk)
 * bridge.receive('{"v":1,"kind":"initialize","id":"c1","config":{"appId":"shop","baseUrl":"https://in.example","environment":"live","networkConfig":{"authorizationConfig":{"isJwtEnabled":true}}}}')
 * ```
 */
export const createBridge = (host: HostFunction, createSdk: SdkFactory): Bridge => {
  const emit = (message: BridgeMessage): void => {
    try {
      host(serialise(message))
    } catch {
      // A throwing host function is the host's bug; the SDK must keep running regardless.
    }
  }
  const logger = createChannelLogger(emit)
  const clock = createHostClock(emit, (error) => logger.error('a timer callback threw', { error: describeThrown(error) }))
  const pending = createPendingRequests(clock)
  let sdk: Sdk | undefined
  let stopping = false

  const answerResult = (id: string, value: unknown): void => emit({ v: 1, kind: 'result', id, value: value === undefined ? null : value })
  const answerError = (id: string | null, error: BridgeError): void => emit({ v: 1, kind: 'error', id, error })
  const answerEither = (id: string, outcome: E.Either<SdkError, unknown>): void =>
    E.isLeft(outcome) ? answerError(id, sdkErrorToBridgeError(outcome.left)) : answerResult(id, outcome.right)
  const answerLater = (id: string, outcome: Promise<E.Either<SdkError, unknown>>): void => {
    outcome.then(
      (settled) => answerEither(id, settled),
      (error: unknown) => answerError(id, { code: PROTOCOL_ERRORS.INTERNAL, message: describeThrown(error) }),
    )
  }

  const initialize = (message: Extract<HostMessage, { kind: 'initialize' }>): void => {
    if (sdk !== undefined || stopping) {
      answerError(message.id, { code: PROTOCOL_ERRORS.ALREADY_INITIALIZED, message: 'this bridge already runs an SDK; shut it down first' })
      return
    }
    const resolved = resolveConfig(message.config)
    if (E.isLeft(resolved)) {
      const { field, message: text } = resolved.left
      answerError(message.id, { code: PROTOCOL_ERRORS.INVALID_CONFIG, message: text, field: `config.${field}` })
      return
    }
    const options = message.options ?? {}
    const ports: SdkPorts = {
      transport: createChannelTransport(emit, pending, options.httpGraceMs ?? DEFAULT_HTTP_GRACE_MS, message.capabilities),
      storage: createChannelStorage(emit, pending, options.storageTimeoutMs ?? DEFAULT_STORAGE_TIMEOUT_MS),
      clock,
      logger,
    }
    const created = createSdk(message.config as SdkConfig, ports)
    created.registerAuthenticationListener((error) => emit({ v: 1, kind: 'authError', error: { ...error } }))
    created.registerProblemListener((problem) => emit({ v: 1, kind: 'problem', problem: { ...problem } }))
    sdk = created
    answerResult(message.id, created.getState())
  }

  const call = (message: SdkCallMessage): void => {
    if (message.kind === 'initialize') return initialize(message)
    if (sdk === undefined) {
      answerError(message.id, { code: PROTOCOL_ERRORS.NOT_INITIALIZED, message: `${message.kind}: no SDK is running; send initialize first` })
      return
    }
    const running = sdk
    switch (message.kind) {
      case 'identify':
        return answerEither(message.id, running.identify(message.identifier))
      case 'passAuthenticationDetails':
        return answerEither(message.id, running.passAuthenticationDetails({ token: message.token, identifier: message.identifier }))
      case 'track':
        // The SDK validates attribute values (R17); the protocol only checks that they form an object.
        return answerEither(message.id, running.track(message.name, message.attributes as Parameters<Sdk['track']>[1]))
      case 'setUserAttribute':
        return answerEither(message.id, running.setUserAttribute(message.name, message.value as Parameters<Sdk['setUserAttribute']>[1]))
      case 'logout':
        return answerLater(message.id, running.logout())
      case 'flush':
        return answerLater(message.id, running.flush())
      case 'appForeground':
        running.onAppForeground()
        return answerResult(message.id, null)
      case 'appBackground':
        running.onAppBackground()
        return answerResult(message.id, null)
      case 'whenPersisted':
        return answerLater(message.id, running.whenPersisted().then(() => E.right(null)))
      case 'getState':
        return answerResult(message.id, running.getState())
      case 'shutdown':
        sdk = undefined
        stopping = true
        return answerLater(
          message.id,
          running.shutdown().then(
            () => {
              stopping = false
              return E.right(null)
            },
            (error: unknown) => {
              stopping = false
              throw error
            },
          ),
        )
    }
  }

  const deliverAnswer = (message: HostAnswer): void => {
    const delivered = pending.answer(message)
    if (E.isLeft(delivered)) {
      const code = delivered.left.unknownId ? PROTOCOL_ERRORS.UNKNOWN_REQUEST : PROTOCOL_ERRORS.MALFORMED_MESSAGE
      answerError(message.id, { code, message: delivered.left.message })
    }
  }

  const dispatch = (message: HostMessage): void => {
    switch (message.kind) {
      case 'httpResponse':
      case 'httpFailure':
      case 'storageResult':
      case 'storageFailure':
        return deliverAnswer(message)
      case 'timerFired':
        if (!clock.fire(message.timerId)) {
          answerError(message.timerId, { code: PROTOCOL_ERRORS.UNKNOWN_TIMER, message: `timer "${message.timerId}" is not armed (cleared or already fired)` })
        }
        return
      default:
        return call(message)
    }
  }

  return {
    receive: (json) => {
      try {
        const decoded = decodeHostMessage(json)
        if (E.isLeft(decoded)) return answerError(decoded.left.id, decoded.left.error)
        if (decoded.right.now !== undefined) clock.adoptHostTime(decoded.right.now)
        dispatch(decoded.right.message)
      } catch (error) {
        // Only a bug in the SDK can get here (createSdk throwing, a method throwing); report it.
        const id = typeof json === 'string' ? extractId(json) : null
        answerError(id, { code: PROTOCOL_ERRORS.INTERNAL, message: describeThrown(error) })
      }
    },
    clock,
    logger,
  }
}

const extractId = (json: string): string | null => {
  try {
    const parsed: unknown = JSON.parse(json)
    return typeof parsed === 'object' && parsed !== null && typeof (parsed as { id?: unknown }).id === 'string' ? (parsed as { id: string }).id : null
  } catch {
    return null
  }
}
