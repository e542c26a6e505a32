import * as E from 'fp-ts/lib/Either.js'
import { createActor, type SnapshotFrom } from 'xstate'
import { createMemoryStorage } from '../drivers/memoryStorage.js'
import { checkToken } from '../jwt/clientChecks.js'
import { fingerprintToken } from '../jwt/fingerprint.js'
import { JWT_ERROR_CODES, isJwtErrorCode } from '../jwt/errorCodes.js'
import { resolveConfig, type SdkConfig } from '../model/config.js'
import { identityKeyOf, type Identifier } from '../model/identity.js'
import type { AttributeValue, Attributes, ItemId, StoredItem } from '../model/item.js'
import { systemClock } from '../ports/clock.js'
import { silentLogger } from '../ports/logger.js'
import type { StorageNamespace } from '../ports/storage.js'
import { createAuthListeners } from '../runtime/authListeners.js'
import { createIoActors } from '../runtime/ioActors.js'
import { decodeRestoredState, rebuildOutbox, stateChanges } from '../runtime/persistedState.js'
import { createPersister } from '../runtime/persister.js'
import { redactingLogger } from '../runtime/redaction.js'
import { redactedInspection } from '../runtime/redactedInspection.js'
import { createTokenProviderService } from '../runtime/tokenProviderService.js'
import type { SyncContext } from '../sync/context.js'
import type { SyncEvent } from '../sync/events.js'
import { createSyncMachine } from '../sync/machine.js'
import { passToken } from '../sync/authentication.js'
import { planNext } from '../sync/plan.js'
import { isSessionOver, isSuspended } from '../sync/session.js'
import type { Sdk, SdkError, SdkPorts, SdkProblem, SdkState, SyncReport } from './types.js'
import { createIds } from './ids.js'
import { validateAttributeValue, validateAttributes, validateName, validateNonEmptyString } from './validateInput.js'

const shutDown: SdkError = { code: 'SHUT_DOWN', message: 'the SDK was shut down' }

/**
 * Creates an SDK instance for one `appId` (api.md). Throws a `TypeError` naming the field only
 * for an invalid config; every method after that returns error values and never throws.
 *
 * @example
 * ```ts
 * const sdk = createSdk(
 *   { appId: 'my-app', baseUrl: 'https://ingest.example.com', environment: 'live',
 *     networkConfig: { authorizationConfig: { isJwtEnabled: true } } },
 *   { transport: createFetchTransport() },
 * )
 * sdk.registerAuthenticationListener((error) => refreshTokenFor(error.details.identifier))
 * sdk.identify('user-42')
 * sdk.passAuthenticationDetails({ identifier: 'user-42', token: jwtFromMyServer })
 * sdk.track('Added to cart', { sku: 'A1', price: 9.5 })
 * await sdk.flush()
 * ```
 */
export const createSdk = (config: SdkConfig, ports: SdkPorts): Sdk => {
  const resolved = resolveConfig(config)
  if (E.isLeft(resolved)) throw new TypeError(`jwt-sync: invalid config: ${resolved.left.message}`)
  const settings = resolved.right
  if (ports === null || typeof ports !== 'object' || typeof ports.transport?.send !== 'function') {
    throw new TypeError('jwt-sync: invalid ports: transport.send must be a function')
  }
  const clock = ports.clock ?? systemClock()
  const random = ports.random ?? Math.random
  const logger = redactingLogger(ports.logger ?? silentLogger)
  const storage = ports.storage ?? createMemoryStorage()

  const ids = createIds(clock.now(), random)
  const nextItemId = ids.item
  const nextBatchId = ids.batch
  const nextSessionId = ids.session

  let namespace: StorageNamespace | null = null
  const problemListeners = new Set<(problem: SdkProblem) => void>()
  const reportProblem = (problem: SdkProblem): void => {
    logger.warn('problem', { problem })
    for (const listener of [...problemListeners]) {
      try {
        listener(problem)
      } catch (error) {
        logger.error('problem listener threw', { error: String(error) })
      }
    }
  }
  const authListeners = createAuthListeners((error) => logger.error('authentication listener threw', { error: String(error) }))

  const persister = createPersister({
    namespace: () => namespace,
    clock,
    onFailure: (failure) => reportProblem({ type: 'STORAGE', kind: failure.kind, message: failure.message }),
    onRecovered: () => logger.info('storage recovered', {}),
  })

  const restore = async (): Promise<SyncEvent> => {
    const opened = await storage.open(settings.appId)().catch((error: unknown) => E.left({ kind: 'io' as const, message: String(error) }))
    if (E.isLeft(opened)) {
      // Storage unusable (e.g. locked by another process): keep working in memory, and say so.
      reportProblem({ type: 'STORAGE', kind: opened.left.kind, message: `${opened.left.message}; using memory storage` })
      const fallback = await createMemoryStorage().open(settings.appId)()
      namespace = E.isRight(fallback) ? fallback.right : null
    } else {
      namespace = opened.right
    }
    const current = namespace
    const loaded = current === null ? null : await current.load()().catch(() => null)
    if (current === null || loaded === null || E.isLeft(loaded)) {
      if (loaded !== null && E.isLeft(loaded)) reportProblem({ type: 'STORAGE', kind: loaded.left.kind, message: loaded.left.message })
      return { type: 'RESTORED', restored: { identifier: null, session: null, tokens: {}, refusedTokens: {}, pendingByIdentity: {}, deadLetterCount: 0, outbox: [], loggingOut: [] } }
    }
    const { restored, outbox, skipped } = decodeRestoredState(loaded.right)
    if (skipped > 0) reportProblem({ type: 'CORRUPT_RECORDS', skipped })
    return { type: 'RESTORED', restored: { ...restored, outbox: await rebuildOutbox(current, outbox) } }
  }

  const machine = createSyncMachine({
    now: clock.now,
    random,
    nextSessionId,
    nextBatchId,
    actors: createIoActors({ config: settings, transport: ports.transport, namespace: () => namespace, persister, now: clock.now, restore }),
  })

  const actor = createActor(machine, {
    input: { settings, startedAt: clock.now() },
    clock: { setTimeout: (fn, ms) => clock.setTimeout(fn, ms), clearTimeout: (handle) => clock.clearTimeout(handle) },
    ...(ports.inspect !== undefined ? { inspect: redactedInspection(ports.inspect) } : {}),
  })

  // --- Effects the statechart asks for -------------------------------------------------------
  let tokenService: ReturnType<typeof createTokenProviderService> | null = null
  actor.on('persist', ({ write }) => persister.enqueue(write))
  actor.on('authError', ({ error, dedupeKey }) => {
    logger.warn('authentication error', { code: error.details.code, source: error.source, identifier: error.details.identifier, token: error.details.token })
    authListeners.deliver(error, dedupeKey)
  })
  actor.on('authResolved', ({ identifier }) => authListeners.resolve(identifier))
  actor.on('problem', ({ problem }) => reportProblem(problem))
  actor.on('log', ({ level, message, fields }) => logger[level](message, fields))
  actor.on('tokenWanted', ({ identifier, reason }) => tokenService?.request(identifier, reason))
  actor.on('tokenStored', ({ identifier, expiresAt }) => tokenService?.scheduleRefresh(identifier, expiresAt))

  // --- Persisted control state, state subscribers, settled flushes ---------------------------
  type Snapshot = SnapshotFrom<typeof machine>
  let lastPersisted: SyncContext | null = null
  const stateListeners = new Set<(state: SdkState) => void>()
  const flushWaiters: { request: number; resolve: () => void }[] = []

  const onSnapshot = (snapshot: Snapshot): void => {
    if (snapshot.matches('starting')) return
    const context = snapshot.context
    if (lastPersisted !== context && snapshot.status === 'active') {
      const changes = stateChanges(lastPersisted, context)
      for (const [key, value] of Object.entries(changes)) persister.setState(key, value)
      lastPersisted = context
    }
    for (let i = flushWaiters.length - 1; i >= 0; i--) {
      const waiter = flushWaiters[i]
      if (waiter !== undefined && (waiter.request <= context.flushRequests.completed || snapshot.status !== 'active')) {
        flushWaiters.splice(i, 1)
        waiter.resolve()
      }
    }
    if (stateListeners.size > 0) {
      const state = toState(snapshot)
      for (const listener of [...stateListeners]) {
        try {
          listener(state)
        } catch (error) {
          logger.error('state subscriber threw', { error: String(error) })
        }
      }
    }
  }

  const toState = (snapshot: Snapshot): SdkState => {
    const context = snapshot.context
    const status = snapshot.status !== 'active' || snapshot.matches('stopped') ? 'stopped' : snapshot.matches('starting') ? 'starting' : 'running'
    const sync = snapshot.matches({ running: { sync: 'backingOff' } })
      ? 'backing-off'
      : snapshot.matches({ running: { sync: 'sending' } }) || snapshot.matches({ running: { sync: 'forming' } })
        ? 'sending'
        : 'idle'
    const retryAt = Math.max(context.retry.backoffUntil ?? 0, context.retry.retryAfterUntil ?? 0)
    return {
      status,
      appId: settings.appId,
      identifier: context.identifier,
      sessionId: context.session.id,
      consecutiveAuthFailures: context.session.consecutiveAuthFailures,
      suspended: isSuspended(context),
      pendingCount: Object.values(context.pendingByIdentity).reduce((sum, count) => sum + count, 0),
      pendingByIdentity: Object.fromEntries(Object.entries(context.pendingByIdentity).filter(([, count]) => count > 0)),
      deadLetterCount: context.deadLetterCount,
      foreground: context.foreground,
      sync,
      retryAt: retryAt > clock.now() ? retryAt : null,
      tokens: Object.fromEntries(
        Object.entries(context.tokens).map(([identifier, record]) => [
          identifier,
          { status: record.status, token: fingerprintToken(record.token), expiresAt: record.expiresAt },
        ]),
      ),
    }
  }

  actor.subscribe({
    next: onSnapshot,
    // Always observe errors: XState's default reporter uses the global setTimeout (design.md).
    error: (error) => logger.error('statechart stopped on an error', { error: String(error) }),
  })

  // --- Commands before the restore finished are replayed in order once it has -----------------
  // The replay runs in a microtask, outside XState's observer callback: an event sent from inside
  // a callback is queued by XState, and the commands read the context right after sending.
  const beforeReady: (() => void)[] = []
  let stopped = false
  let ready = false
  let replayScheduled = false
  const readyWaiters: (() => void)[] = []
  actor.subscribe((snapshot) => {
    if (ready || replayScheduled || snapshot.matches('starting')) return
    replayScheduled = true
    void Promise.resolve().then(() => {
      while (beforeReady.length > 0) beforeReady.shift()?.()
      ready = true
      for (const resolve of readyWaiters.splice(0)) resolve()
    })
  })
  const whenReady = (): Promise<void> => (ready ? Promise.resolve() : new Promise((resolve) => readyWaiters.push(resolve)))
  const run = (command: () => void): void => {
    if (ready) command()
    else beforeReady.push(command)
  }

  // --- Tracking: the hot path ------------------------------------------------------------------
  // Items are stamped here and counted into the statechart once per tick (one event per group,
  // not per item), so tracking costs the same with 10 or 10 million items pending (R13).
  let trackedCounts: Record<string, number> = {}
  let trackedLastActivity = 0
  let groupScheduled = false
  const sendTrackedGroup = (): void => {
    groupScheduled = false
    if (Object.keys(trackedCounts).length === 0) return
    const counts = trackedCounts
    trackedCounts = {}
    actor.send({ type: 'ITEMS_TRACKED', counts, lastActivityAt: trackedLastActivity })
  }
  /** Every other command goes after the tracked items it follows. */
  const send = (event: SyncEvent): void => {
    sendTrackedGroup()
    actor.send(event)
  }

  type ItemBody = { type: 'event'; name: string; attributes: Attributes } | { type: 'user_attribute'; name: string; value: AttributeValue }

  const stamp = (at: number, body: ItemBody, id: ItemId): void => {
    let context = actor.getSnapshot().context
    const lastActivity = Math.max(context.session.lastActivityAt, trackedLastActivity)
    if (isSessionOver(lastActivity, at, settings.inactivityTimeoutMs)) {
      send({ type: 'ACTIVITY', at })
      context = actor.getSnapshot().context
    }
    trackedLastActivity = Math.max(trackedLastActivity, at)
    const identity = identityKeyOf(context.identifier)
    const item = { id, identity, timestamp: at, sessionId: context.session.id, ...body } as StoredItem
    persister.appendItem(item)
    trackedCounts[identity] = (trackedCounts[identity] ?? 0) + 1
    if (!groupScheduled) {
      groupScheduled = true
      void Promise.resolve().then(sendTrackedGroup)
    }
  }

  const enqueueItem = (body: ItemBody): E.Either<SdkError, { id: ItemId }> => {
    if (stopped) return E.left(shutDown)
    const id = nextItemId()
    const at = clock.now()
    run(() => stamp(at, body, id))
    return E.right({ id })
  }

  // --- Flush and logout reports ------------------------------------------------------------------
  const attempt = async (event: SyncEvent): Promise<E.Either<SdkError, SyncReport>> => {
    if (stopped) return E.left(shutDown)
    await whenReady()
    sendTrackedGroup()
    const before = actor.getSnapshot().context
    const request = before.flushRequests.requested + 1
    const settled = new Promise<void>((resolve) => flushWaiters.push({ request, resolve }))
    send(event)
    await settled
    const after = actor.getSnapshot().context
    const plan = planNext(after, clock.now())
    const pending = Object.values(after.pendingByIdentity).reduce((sum, count) => sum + count, 0)
    return E.right({
      delivered: after.totals.delivered - before.totals.delivered,
      deadLettered: after.totals.deadLettered - before.totals.deadLettered,
      deleted: after.totals.deleted - before.totals.deleted,
      pending,
      waiting: pending === 0 ? [] : plan.kind === 'rest' ? [...plan.waiting, ...(persister.failing() ? (['storage-unavailable'] as const) : [])] : [],
    })
  }

  let tokenSeq = 0
  const passAuthenticationDetails: Sdk['passAuthenticationDetails'] = (details) => {
    if (stopped) return E.left(shutDown)
    if (details === null || typeof details !== 'object') {
      return E.left({ code: 'INVALID_INPUT', field: 'details', message: 'details: expected { token, identifier }' })
    }
    const token = validateNonEmptyString('token', details.token)
    if (E.isLeft(token)) return token
    const identifier = validateNonEmptyString('identifier', details.identifier)
    if (E.isLeft(identifier)) return identifier
    if (!settings.isJwtEnabled) return E.left({ code: 'JWT_DISABLED', message: 'JWT is disabled in networkConfig.authorizationConfig' })
    const at = clock.now()
    const seq = ++tokenSeq
    const event: SyncEvent = { type: 'TOKEN_PASSED', identifier: identifier.right as Identifier, token: token.right, at, seq }
    if (!ready) {
      // Before the restore finished the record is unknown; the client checks can still answer now.
      beforeReady.push(() => send(event))
      if (!settings.clientValidation) return E.right(undefined)
      const checked = checkToken(token.right, identifier.right, { allowedAlgorithms: settings.allowedAlgorithms, clockSkewMs: settings.clockSkewMs, now: at })
      return E.isLeft(checked) ? E.left({ code: checked.left.code, numericCode: JWT_ERROR_CODES[checked.left.code], message: checked.left.message }) : E.right(undefined)
    }
    const contextBefore = actor.getSnapshot().context
    send(event)
    // Sent from inside an XState callback (an app listener passing a token at once), the event is
    // queued; the verdict then comes from the same rule applied to the current context.
    const applied = actor.getSnapshot().context.tokenVerdict
    const verdict = applied.seq === seq ? applied : passToken(contextBefore, event.identifier, event.token, at, seq).context.tokenVerdict
    if (verdict.error === null) return E.right(undefined)
    const code = verdict.error.code
    return E.left(
      isJwtErrorCode(code)
        ? { code, numericCode: JWT_ERROR_CODES[code], message: verdict.error.message }
        : { code: 'JWT_DISABLED', message: verdict.error.message },
    )
  }

  if (settings.tokenProvider !== undefined) {
    tokenService = createTokenProviderService({
      provider: settings.tokenProvider,
      clock,
      random,
      timeoutMs: settings.timeoutMs,
      refreshLeadMs: settings.refreshLeadMs,
      backoff: settings.backoff,
      deliver: (identifier, token) => {
        const result = passAuthenticationDetails({ identifier, token })
        if (E.isLeft(result)) logger.warn('tokenProvider gave a token that was refused', { code: result.left.code })
      },
      onGiveUp: (identifier, reason) => logger.error('tokenProvider gave up', { identifier, reason }),
    })
  }

  actor.start()

  const sdk: Sdk = {
    identify: (identifier) => {
      if (stopped) return E.left(shutDown)
      const valid = validateNonEmptyString('identifier', identifier)
      if (E.isLeft(valid)) return valid
      const at = clock.now()
      run(() => send({ type: 'IDENTIFY', identifier: valid.right as Identifier, at }))
      return E.right(undefined)
    },
    passAuthenticationDetails,
    registerAuthenticationListener: (listener) => {
      if (typeof listener !== 'function' && (listener === null || typeof listener !== 'object' || typeof listener.onError !== 'function')) {
        return () => undefined
      }
      return authListeners.register(listener)
    },
    registerProblemListener: (listener) => {
      if (typeof listener !== 'function') return () => undefined
      problemListeners.add(listener)
      return () => {
        problemListeners.delete(listener)
      }
    },
    track: (name, attributes) => {
      const validName = validateName('name', name)
      if (E.isLeft(validName)) return validName
      const validAttributes = validateAttributes(attributes)
      if (E.isLeft(validAttributes)) return validAttributes
      return enqueueItem({ type: 'event', name: validName.right, attributes: validAttributes.right })
    },
    setUserAttribute: (name, value) => {
      const validName = validateName('name', name)
      if (E.isLeft(validName)) return validName
      const validValue = validateAttributeValue(value)
      if (E.isLeft(validValue)) return validValue
      return enqueueItem({ type: 'user_attribute', name: validName.right, value: validValue.right })
    },
    logout: () => attempt({ type: 'LOGOUT', at: clock.now() }),
    flush: () => attempt({ type: 'FLUSH' }),
    onAppForeground: () => {
      if (stopped) return
      const at = clock.now()
      run(() => send({ type: 'FOREGROUND', at }))
    },
    onAppBackground: () => {
      if (stopped) return
      run(() => send({ type: 'BACKGROUND' }))
    },
    whenPersisted: async () => {
      await whenReady()
      sendTrackedGroup()
      await persister.drained()
    },
    getState: () => toState(actor.getSnapshot()),
    subscribe: (listener) => {
      stateListeners.add(listener)
      return () => {
        stateListeners.delete(listener)
      }
    },
    actor,
    shutdown: async () => {
      if (stopped) return
      stopped = true
      await whenReady()
      sendTrackedGroup()
      // Give pending writes a bounded chance to land; a broken disk must not hang shutdown.
      let giveUp: unknown = null
      await Promise.race([persister.drained(), new Promise<void>((resolve) => (giveUp = clock.setTimeout(resolve, settings.timeoutMs)))])
      clock.clearTimeout(giveUp)
      tokenService?.stop()
      persister.stop()
      actor.send({ type: 'SHUTDOWN' })
      actor.stop()
      for (const waiter of flushWaiters.splice(0)) waiter.resolve()
      await namespace?.close()
    },
  }
  return sdk
}
