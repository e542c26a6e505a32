import * as E from '../model/either.js'
import { createActor, type SnapshotFrom } from 'xstate'
import { createMemoryStorage } from '../drivers/memoryStorage.js'
import { JWT_ERROR_CODES } from '../jwt/errorCodes.js'
import { resolveConfig, type SdkConfig } from '../model/config.js'
import type { Identifier } from '../model/identity.js'
import type { ItemId } from '../model/item.js'
import { systemClock } from '../ports/clock.js'
import { silentLogger } from '../ports/logger.js'
import type { StorageNamespace } from '../ports/storage.js'
import { createAuthListeners } from '../runtime/authListeners.js'
import { createIoActors } from '../runtime/ioActors.js'
import { stateChanges } from '../runtime/persistedState.js'
import { createPersister } from '../runtime/persister.js'
import { stateMayFollowRequest } from '../runtime/requestDurability.js'
import { redactingLogger } from '../runtime/redaction.js'
import { redactedInspection } from '../runtime/redactedInspection.js'
import { createTokenProviderService } from '../runtime/tokenProviderService.js'
import { judgeToken, tokenVerdict } from '../sync/authentication.js'
import type { SyncContext } from '../sync/context.js'
import type { SyncEvent } from '../sync/events.js'
import { createSyncMachine } from '../sync/machine.js'
import { createCommandQueue } from './commandQueue.js'
import { carryOutEffects } from './effects.js'
import { createIds } from './ids.js'
import { createListenerSet } from './listenerSet.js'
import { createRestore } from './restoreState.js'
import { toSdkState } from './stateView.js'
import { createTracking, type ItemBody } from './tracking.js'
import type { QueueView, Sdk, SdkError, SdkPorts, SdkProblem, SdkState, SyncReport } from './types.js'
import { validateAttributeValue, validateAttributes, validateName, validateNonEmptyString } from './validateInput.js'

const shutDown: SdkError = { code: 'SHUT_DOWN', message: 'the SDK was shut down' }

/**
 * Creates an SDK instance for one `appId`. Throws a `TypeError` naming the field only for an
 * invalid config; every method after that returns error values and never throws.
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
  const ids = createIds(clock.now(), random)

  let namespace: StorageNamespace | null = null
  const problems = createListenerSet<SdkProblem>((error) => logger.error('problem listener threw', { error: String(error) }))
  const reportProblem = (problem: SdkProblem): void => {
    logger.warn('problem', { problem })
    problems.notify(problem)
  }
  const authListeners = createAuthListeners((error) => logger.error('authentication listener threw', { error: String(error) }))
  const persister = createPersister({
    namespace: () => namespace,
    clock,
    onFailure: (failure) => reportProblem({ type: 'STORAGE', kind: failure.kind, message: failure.message }),
    onRecovered: () => logger.info('storage recovered', {}),
  })
  const restore = createRestore({ storage: ports.storage ?? createMemoryStorage(), appId: settings.appId, opened: (opened) => (namespace = opened), reportProblem })

  const machine = createSyncMachine({
    now: clock.now,
    random,
    nextSessionId: ids.session,
    nextBatchId: ids.batch,
    // `tracking` needs the actor, so it comes after; the actors only call this once running.
    actors: createIoActors({ config: settings, transport: ports.transport, persister, now: clock.now, restore, takeTracked: () => tracking.takeTracked() }),
  })
  const actor = createActor(machine, {
    input: { settings, startedAt: clock.now() },
    clock: { setTimeout: (fn, ms) => clock.setTimeout(fn, ms), clearTimeout: (handle) => clock.clearTimeout(handle) },
    ...(ports.inspect !== undefined ? { inspect: redactedInspection(ports.inspect) } : {}),
  })

  let tokenService: ReturnType<typeof createTokenProviderService> | null = null
  carryOutEffects(actor, { persister, logger, authListeners, reportProblem, tokenService: () => tokenService })

  const commands = createCommandQueue()
  const tracking = createTracking({ actor, persister, inactivityTimeoutMs: settings.inactivityTimeoutMs, run: commands.run, isReady: commands.isReady })
  const send = tracking.send
  const stateOf = (snapshot: Snapshot): SdkState => toSdkState(snapshot, settings, clock.now(), tracking.uncounted())

  // --- Persisted control state, state subscribers, settled flushes ---------------------------
  type Snapshot = SnapshotFrom<typeof machine>
  let lastPersisted: SyncContext | null = null
  const stateListeners = createListenerSet<SdkState>((error) => logger.error('state subscriber threw', { error: String(error) }))
  const flushWaiters: { request: number; resolve: () => void }[] = []

  const onSnapshot = (snapshot: Snapshot): void => {
    if (snapshot.matches('starting')) return
    const context = snapshot.context
    // While the loop forms or sends a batch, writes wait for the commit before its request (R14).
    persister.hold(snapshot.status === 'active' && context.plan.kind !== 'rest')
    if (lastPersisted !== context && snapshot.status === 'active') {
      const mayFollowRequest = stateMayFollowRequest(lastPersisted, context)
      for (const [key, value] of Object.entries(stateChanges(lastPersisted, context))) persister.setState(key, value, mayFollowRequest)
      lastPersisted = context
    }
    for (let i = flushWaiters.length - 1; i >= 0; i--) {
      const waiter = flushWaiters[i]
      if (waiter !== undefined && (waiter.request <= context.flushRequests.completed || snapshot.status !== 'active')) {
        flushWaiters.splice(i, 1)
        waiter.resolve()
      }
    }
    if (stateListeners.size > 0) stateListeners.notify(stateOf(snapshot))
    // The replay runs in a microtask, outside XState's observer callback: an event sent from
    // inside a callback is queued by XState, and the commands read the context right after sending.
    if (!commands.isReady() && !replayScheduled) {
      replayScheduled = true
      void Promise.resolve().then(() => commands.release(() => send({ type: 'RESUME' })))
    }
  }
  let replayScheduled = false
  actor.subscribe({
    next: onSnapshot,
    // Always observe errors: XState's default reporter uses the global setTimeout.
    error: (error) => logger.error('statechart stopped on an error', { error: String(error) }),
  })

  let stopped = false
  const enqueueItem = (body: ItemBody): E.Either<SdkError, { id: ItemId }> => {
    if (stopped) return E.left(shutDown)
    const id = ids.item()
    tracking.track(body, id, clock.now())
    return E.right({ id })
  }

  // --- Flush and logout reports ------------------------------------------------------------------
  /** What a flush or logout did, from the context before its event to the context now. */
  const reportSince = (before: SyncContext): SyncReport => {
    const after = actor.getSnapshot().context
    const plan = after.plan
    const pending = Object.values(after.pendingByIdentity).reduce((sum, count) => sum + count, 0)
    const waiting = plan.kind === 'rest' && plan.reason !== 'nothing-to-send' ? [plan.reason] : []
    return {
      delivered: after.totals.delivered - before.totals.delivered,
      deadLettered: after.totals.deadLettered - before.totals.deadLettered,
      deleted: after.totals.deleted - before.totals.deleted,
      pending,
      waiting: pending === 0 ? [] : [...waiting, ...(persister.failing() ? (['storage-unavailable'] as const) : [])],
    }
  }

  const attempt = (event: SyncEvent): Promise<E.Either<SdkError, SyncReport>> => {
    if (stopped) return Promise.resolve(E.left(shutDown))
    // The event takes its place among the app's calls now, not a tick later: an item tracked
    // right after logout() belongs to nobody (R11), not to the user who just left. Applied at
    // once, or after the restore in call order, like identify.
    return new Promise((resolve) => {
      commands.run(() => {
        tracking.sendTrackedGroup()
        const before = actor.getSnapshot().context
        const settled = new Promise<void>((done) => flushWaiters.push({ request: before.flushRequests.requested + 1, resolve: done }))
        send(event)
        void settled.then(() => resolve(E.right(reportSince(before))))
      })
    })
  }

  const passAuthenticationDetails: Sdk['passAuthenticationDetails'] = (details) => {
    if (stopped) return E.left(shutDown)
    if (details === null || typeof details !== 'object') {
      return E.left({ code: 'INVALID_INPUT', field: 'details', message: 'details: expected { token, identifier }' })
    }
    const token = validateNonEmptyString('token', details.token)
    if (E.isLeft(token)) return token
    const identifier = validateNonEmptyString('identifier', details.identifier)
    if (E.isLeft(identifier)) return identifier
    const at = clock.now()
    // The answer is the rule's judgement on the context as it stands (before the restore
    // finished: client checks only, since no record is known yet).
    const verdict = tokenVerdict(judgeToken(actor.getSnapshot().context, identifier.right as Identifier, token.right, at))
    commands.run(() => send({ type: 'TOKEN_PASSED', identifier: identifier.right as Identifier, token: token.right, at }))
    if (E.isRight(verdict)) return E.right(undefined)
    const { code, message } = verdict.left
    return E.left(code === 'JWT_DISABLED' ? { code, message } : { code, numericCode: JWT_ERROR_CODES[code], message })
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
        if (E.isRight(result)) return true
        logger.warn('tokenProvider gave a token that was refused', { code: result.left.code })
        return false
      },
      onGiveUp: (identifier, reason) => logger.error('tokenProvider gave up', { identifier, reason }),
    })
  }

  actor.start()

  const readQueue = async (deadLetterLimit: number): Promise<E.Either<SdkError, QueueView>> => {
    await commands.whenReady()
    tracking.sendTrackedGroup()
    await persister.drained()
    const current = namespace
    if (current === null) return E.right({ pending: [], deadLetters: [] })
    const counts = actor.getSnapshot().context.pendingByIdentity
    const pending: { identity: string; count: number; oldestTimestamp: number | null }[] = []
    for (const [identity, count] of Object.entries(counts)) {
      if (count === 0) continue
      const oldest = await current.peek(identity as never, 1)()
      pending.push({ identity, count, oldestTimestamp: E.isRight(oldest) ? (oldest.right[0]?.timestamp ?? null) : null })
    }
    const letters = await current.readDeadLetters(deadLetterLimit)()
    if (E.isLeft(letters)) return E.left({ code: 'STORAGE_UNAVAILABLE', message: `${letters.left.kind}: ${letters.left.message}` })
    return E.right({ pending, deadLetters: letters.right })
  }

  const shutdown = async (): Promise<void> => {
    if (stopped) return
    stopped = true
    await commands.whenReady()
    tracking.sendTrackedGroup()
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
  }

  const sdk: Sdk = {
    identify: (identifier) => {
      if (stopped) return E.left(shutDown)
      const valid = validateNonEmptyString('identifier', identifier)
      if (E.isLeft(valid)) return valid
      const at = clock.now()
      commands.run(() => send({ type: 'IDENTIFY', identifier: valid.right as Identifier, at }))
      return E.right(undefined)
    },
    passAuthenticationDetails,
    registerAuthenticationListener: (listener) => {
      if (typeof listener !== 'function' && (listener === null || typeof listener !== 'object' || typeof listener.onError !== 'function')) {
        return () => undefined
      }
      return authListeners.register(listener)
    },
    registerProblemListener: (listener) => (typeof listener === 'function' ? problems.add(listener) : () => undefined),
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
    // A tick later: work already under way settles first, so a read in flight that fails is
    // followed by the flush's own read (R9: a flush does not wait for the backoff), instead of
    // the flush sharing that failure. Unlike logout, nothing the app calls next depends on it.
    flush: () => (stopped ? Promise.resolve(E.left(shutDown)) : Promise.resolve().then(() => attempt({ type: 'FLUSH' }))),
    onAppForeground: () => {
      if (stopped) return
      const at = clock.now()
      commands.run(() => send({ type: 'FOREGROUND', at }))
    },
    onAppBackground: () => {
      if (stopped) return
      commands.run(() => send({ type: 'BACKGROUND' }))
    },
    whenPersisted: async () => {
      await commands.whenReady()
      tracking.sendTrackedGroup()
      await persister.drained()
    },
    getState: () => stateOf(actor.getSnapshot()),
    subscribe: (listener) => stateListeners.add(listener),
    actor,
    getQueue: async (options) => {
      if (stopped) return E.left(shutDown)
      const limit = options?.deadLetterLimit ?? 100
      if (!Number.isInteger(limit) || limit < 0) {
        return E.left({ code: 'INVALID_INPUT', field: 'deadLetterLimit', message: 'deadLetterLimit: expected a non-negative integer' })
      }
      return readQueue(limit)
    },
    shutdown,
    flushAndShutdown: async (options) => {
      if (stopped) return E.left(shutDown)
      const timeoutMs = options?.timeoutMs ?? settings.timeoutMs
      if (typeof timeoutMs !== 'number' || !Number.isFinite(timeoutMs) || timeoutMs < 0) {
        return E.left({ code: 'INVALID_INPUT', field: 'timeoutMs', message: 'timeoutMs: expected a non-negative number of milliseconds' })
      }
      const before = actor.getSnapshot().context.totals
      let deadline: unknown = null
      const timedOut = new Promise<'timed-out'>((resolve) => (deadline = clock.setTimeout(() => resolve('timed-out'), timeoutMs)))
      const flushed = await Promise.race([sdk.flush(), timedOut])
      clock.clearTimeout(deadline)
      const after = actor.getSnapshot().context.totals
      const pending = stateOf(actor.getSnapshot()).pendingCount
      await shutdown()
      if (flushed === 'timed-out') {
        const report = { delivered: after.delivered - before.delivered, deadLettered: after.deadLettered - before.deadLettered, deleted: after.deleted - before.deleted }
        return E.right({ ...report, pending, waiting: [], timedOut: true })
      }
      return E.isLeft(flushed) ? flushed : E.right({ ...flushed.right, timedOut: false })
    },
  }
  return sdk
}
