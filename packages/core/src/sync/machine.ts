import { enqueueActions, fromCallback, raise, setup, type CallbackActorLogic, type EventObject } from 'xstate'
import type { IdentityKey } from '../model/identity.js'
import type { BatchId, SessionId } from '../model/item.js'
import { expireStaleTokens, openWaitsForMissingTokens, passToken } from './authentication.js'
import { authStateOf, tokenStateOf, type AuthState, type TokenState } from './authState.js'
import type { FrozenBatch, MachineSettings, SyncContext } from './context.js'
import type { RestoredState, SyncEmitted, SyncEvent, TrackedItems } from './events.js'
import { deleteLoggedOutUser, settleLoggedOutUsers } from './logout.js'
import { applySendOutcome, transientFailure } from './outcome.js'
import { NOTHING_TO_SEND, planNext, type RestReason, type SyncPlan } from './plan.js'
import { isSuspended, newSession, recordActivity, startSession } from './session.js'
import { chain, unchanged, type Step } from './step.js'
import { compressesRequests } from './compression.js'
import { freezeAhead, freezeBatch, planWithNextBatch } from './nextBatch.js'
import { MAX_RETRY_AFTER_MS } from '../wire/retryAfter.js'

/**
 * Input of the invoked actor that forms a batch from the queue.
 *
 * @example
 * ```ts
 * const formBatch = fromCallback<EventObject, FormBatchInput>(({ input, sendBack }) => {
 *   void namespace.peek(input.identity, input.limit)().then((r) => E.isRight(r) && sendBack({ type: 'BATCH_FORMED', identity: input.identity, items: r.right }))
 * })
 * ```
 */
export type FormBatchInput = { readonly identity: IdentityKey; readonly limit: number }
/**
 * Input of the invoked actor that sends a frozen batch.
 *
 * @example
 * ```ts
 * const sendBatch = fromCallback<EventObject, SendBatchInput>(({ input: { batch, token }, sendBack }) => {
 *   void send(batch, token).then((outcome) => sendBack({ type: 'BATCH_SENT', batch, token, outcome }))
 * })
 * ```
 */
export type SendBatchInput = {
  readonly batch: FrozenBatch
  readonly token: string | null
  readonly compress: boolean
  /** After a delivery, read up to this many of the identity's next items (0: do not). */
  readonly nextBatchLimit: number
}

/**
 * What the statechart needs from outside: a clock reading, randomness for jitter and ids, and the
 * IO actors. With stand-ins for these, the machine runs under `transition()` with no IO at all.
 *
 * @example
 * ```ts
 * const deps: SyncMachineDeps = { now: Date.now, random: Math.random,
 *   nextSessionId: () => crypto.randomUUID() as SessionId, nextBatchId: () => crypto.randomUUID() as BatchId,
 *   actors: { restore: idleActor<void>(), formBatch: idleActor(), sendBatch: idleActor(), awaitDeletion: idleActor<void>() } }
 * ```
 */
export type SyncMachineDeps = {
  /** The clock reading guards and delays decide with. */
  readonly now: () => number
  /** Randomness in [0, 1) for backoff jitter. */
  readonly random: () => number
  /** A new, never repeated session id. */
  readonly nextSessionId: () => SessionId
  /** A new, never repeated batch id. */
  readonly nextBatchId: () => BatchId
  readonly actors: {
    readonly restore: CallbackActorLogic<EventObject, void>
    readonly formBatch: CallbackActorLogic<EventObject, FormBatchInput>
    readonly sendBatch: CallbackActorLogic<EventObject, SendBatchInput>
    /** Answers `ITEMS_DELETED` once an R11 deletion emitted before it is durable. */
    readonly awaitDeletion: CallbackActorLogic<EventObject, void>
  }
}

/**
 * What the statechart starts from: its settings and the start time (the first session).
 *
 * @example
 * ```ts
 * createActor(machine, { input: { settings, startedAt: Date.now() } })
 * ```
 */
export type SyncMachineInput = { readonly settings: MachineSettings; readonly startedAt: number }

/**
 * An IO actor that does nothing: lets the statechart be explored without IO (tests, diagrams).
 *
 * @example
 * ```ts
 * createSyncMachine({ ...deps, actors: { restore: idleActor<void>(), formBatch: idleActor(), sendBatch: idleActor(), awaitDeletion: idleActor<void>() } })
 * ```
 */
export const idleActor = <TInput>(): CallbackActorLogic<EventObject, TInput> => fromCallback<EventObject, TInput>(() => undefined)

const initialContext = (input: SyncMachineInput, sessionId: SessionId): SyncContext => ({
  settings: input.settings,
  identifier: null,
  session: newSession(sessionId, input.startedAt),
  tokens: {},
  refusedTokens: {},
  waits: {},
  nextWaitId: 1,
  pendingByIdentity: {},
  deadLetterCount: 0,
  outbox: [],
  loggingOut: [],
  owedDeletions: [],
  retry: { consecutiveTransientFailures: 0, backoffUntil: null, retryAfterUntil: null, storageFailing: false },
  foreground: true,
  flushRequests: { requested: 0, completed: 0 },
  totals: { delivered: 0, deadLettered: 0, deleted: 0 },
  plan: NOTHING_TO_SEND,
  compressionRefused: false,
})

/**
 * R9: a server's Retry-After deadline outlives a relaunch (backoff after our own failures does
 * not: a new launch may try at once). At most the hour R9 honours is kept from now, so a clock set
 * back cannot silence the SDK.
 */
const restoredRetryAfter = (until: number | null | undefined, now: number): number | null =>
  until === null || until === undefined || until <= now ? null : Math.min(until, now + MAX_RETRY_AFTER_MS)

const restoredContext = (context: SyncContext, restored: RestoredState, now: number): SyncContext => ({
  ...context,
  retry: { ...context.retry, retryAfterUntil: restoredRetryAfter(restored.retryAfterUntil, now) },
  identifier: restored.identifier,
  session: restored.session ?? context.session,
  tokens: restored.tokens,
  refusedTokens: restored.refusedTokens,
  pendingByIdentity: restored.pendingByIdentity,
  deadLetterCount: restored.deadLetterCount,
  outbox: restored.outbox,
  loggingOut: restored.loggingOut,
})

const plus = (counts: Readonly<Record<string, number>>, added: Readonly<Record<string, number>>): Record<string, number> => {
  const next: Record<string, number> = { ...counts }
  for (const [identity, count] of Object.entries(added)) next[identity] = (next[identity] ?? 0) + count
  return next
}

/** Counts tracked items in (R13: counts only) and extends the session; a full batch asks for a sync (R12). */
const countTracked = (context: SyncContext, tracked: TrackedItems): Step => {
  const session = { ...context.session, lastActivityAt: Math.max(context.session.lastActivityAt, tracked.lastActivityAt) }
  const pendingByIdentity = plus(context.pendingByIdentity, tracked.counts)
  // R12: a full batch is sent without waiting for the periodic flush.
  const batchFull = Object.keys(tracked.counts).some((identity) => (pendingByIdentity[identity] ?? 0) >= context.settings.maxBatchSize)
  return { context: { ...context, session, pendingByIdentity }, emits: [], sync: batchFull }
}

/** The plan a state after `deciding` acts on; any other kind there is a bug in the chart. */
const planOf = <K extends SyncPlan['kind']>(context: SyncContext, kind: K): Extract<SyncPlan, { kind: K }> => {
  const plan = context.plan
  if (plan.kind !== kind) throw new Error(`jwt-sync statechart: expected a '${kind}' plan, found '${plan.kind}'`)
  return plan as Extract<SyncPlan, { kind: K }>
}

const DECIDING = '#jwtSync.running.sync.deciding'

/**
 * Creates the jwt-sync statechart. It holds control, not data: pending items stay in storage and
 * the context keeps counts, tokens, the session counter, deadlines and the frozen batches.
 *
 * Four regions run in parallel while running: `presence` (foreground/background, R12),
 * `session` (active, or suspended after too many refusals, R8), `auth` (the current identity and
 * its token, R1-R7, R11) and `sync` (the loop: decide, form, send, rest for a reason, and the
 * logout flush with its deletion step, R9-R12). `session` and `auth` follow the context through
 * guarded eventless transitions, so the chart can never disagree with the data the rules decide on.
 *
 * @example
 * ```ts
 * const machine = createSyncMachine(deps)
 * const actor = createActor(machine, { input: { settings, startedAt: Date.now() } }).start()
 * ```
 */
export const createSyncMachine = (deps: SyncMachineDeps) => {
  /** Runs a pure rule and applies its step: context changes and emitted effects. */
  const rule = (decide: (context: SyncContext, event: SyncEvent) => Step) =>
    enqueueActions<SyncContext, SyncEvent, undefined, SyncEvent, never, never, never, never, SyncEmitted>(({ context, event, enqueue }) => {
      const step = decide(context, event)
      if (step.context !== context) enqueue.assign(() => step.context)
      for (const emitted of step.emits) enqueue.emit(emitted)
      if (step.sync === true) enqueue.raise({ type: 'SYNC' })
    })

  const requestFlush = (context: SyncContext): SyncContext => ({
    ...context,
    flushRequests: { ...context.flushRequests, requested: context.flushRequests.requested + 1 },
  })

  /** A batch is formed and sent the same way for anyone; a logged-out user's flush has its own states. */
  const attemptStates = {
    forming: {
      invoke: {
        src: 'formBatch' as const,
        input: ({ context }: { context: SyncContext }): FormBatchInput => ({
          identity: planOf(context, 'form').identity,
          limit: context.settings.maxBatchSize,
        }),
      },
      on: {
        BATCH_FORMED: { target: DECIDING, actions: ['trackedMeanwhile' as const, 'batchFormed' as const] },
        BATCH_FORM_FAILED: { target: DECIDING, actions: ['trackedMeanwhile' as const, 'storageUnavailable' as const] },
      },
    },
    sending: {
      invoke: {
        src: 'sendBatch' as const,
        input: ({ context }: { context: SyncContext }): SendBatchInput => {
          const plan = planOf(context, 'send')
          // A logged-out user's flush (R11) decides each step anew; anyone else's next batch is
          // most likely the same identity's next items.
          return { batch: plan.batch, token: plan.token, compress: compressesRequests(context), nextBatchLimit: plan.logout ? 0 : context.settings.maxBatchSize }
        },
      },
      on: { BATCH_SENT: { target: DECIDING, actions: ['trackedMeanwhile' as const, 'batchSent' as const] } },
    },
  }

  const authIs = (state: AuthState) => ({ type: 'authIs' as const, params: { state } })
  const tokenIs = (state: TokenState) => ({ type: 'tokenIs' as const, params: { state } })
  /** A token state is left when the current identifier's token status is another one. */
  const tokenState = (state: TokenState) => ({
    always: { guard: { type: 'tokenChanged' as const, params: { from: state } }, target: 'checkingToken' },
  })
  const restsBecause = (reason: RestReason) => ({ type: 'restsBecause' as const, params: { reason } })

  return setup({
    types: {
      context: {} as SyncContext,
      events: {} as SyncEvent,
      input: {} as SyncMachineInput,
      emitted: {} as SyncEmitted,
    },
    actors: deps.actors,
    guards: {
      authFailureLimitReached: ({ context }) => isSuspended(context),
      newSessionStarted: ({ context }) => !isSuspended(context),
      authIs: ({ context }, params: { state: AuthState }) => authStateOf(context) === params.state,
      tokenIs: ({ context }, params: { state: TokenState }) => tokenStateOf(context) === params.state,
      tokenChanged: ({ context }, params: { from: TokenState }) => {
        const state = tokenStateOf(context)
        return state !== null && state !== params.from
      },
      plannedDeletion: ({ context }) => context.plan.kind === 'delete',
      plannedLogoutSend: ({ context }) => context.plan.kind === 'send' && context.plan.logout,
      plannedLogoutForm: ({ context }) => context.plan.kind === 'form' && context.plan.logout,
      plannedSend: ({ context }) => context.plan.kind === 'send',
      plannedForm: ({ context }) => context.plan.kind === 'form',
      restsBecause: ({ context }, params: { reason: RestReason }) => context.plan.kind === 'rest' && context.plan.reason === params.reason,
    },
    delays: {
      periodicFlush: ({ context }) => context.settings.periodicFlushMs,
      untilRetry: ({ context }) => {
        const deadline = Math.max(context.retry.backoffUntil ?? 0, context.retry.retryAfterUntil ?? 0)
        return Math.max(0, deadline - deps.now())
      },
    },
    actions: {
      restore: rule((context, event) =>
        event.type === 'RESTORED' ? { context: restoredContext(context, event.restored, deps.now()), emits: [] } : unchanged(context),
      ),
      activity: rule((context, event) =>
        'at' in event ? recordActivity(context, event.at, deps.nextSessionId) : unchanged(context),
      ),
      itemsTracked: rule((context, event) => (event.type === 'ITEMS_TRACKED' ? countTracked(context, event) : unchanged(context))),
      // Items tracked while the loop was busy come with the event that ends its step; the decision
      // that follows sees them, so no SYNC is needed for a full batch.
      trackedMeanwhile: rule((context, event) =>
        'tracked' in event && event.tracked !== undefined ? { ...countTracked(context, event.tracked), sync: false } : unchanged(context),
      ),
      identify: rule((context, event) => {
        if (event.type !== 'IDENTIFY') return unchanged(context)
        // A user who logs back in before their logout flush finished keeps their items (no R11 deletion).
        return {
          context: { ...context, identifier: event.identifier, loggingOut: context.loggingOut.filter((user) => user !== event.identifier) },
          emits: [],
        }
      }),
      logout: rule((context, event) => {
        if (event.type !== 'LOGOUT') return unchanged(context)
        const leaving = context.identifier
        // R11: the new session starts before the logout flush, so an R8 suspension does not hold it back.
        return chain(
          context,
          (c) => startSession(c, deps.nextSessionId(), event.at),
          (c) => ({
            context: requestFlush({
              ...c,
              identifier: null,
              loggingOut: leaving === null || c.loggingOut.includes(leaving) ? c.loggingOut : [...c.loggingOut, leaving],
            }),
            emits: [],
          }),
        )
      }),
      passToken: rule((context, event) =>
        event.type === 'TOKEN_PASSED' ? passToken(context, event.identifier, event.token, event.at) : unchanged(context),
      ),
      requestFlush: rule((context) => ({ context: requestFlush(context), emits: [] })),
      setForeground: rule((context) => ({ context: { ...context, foreground: true }, emits: [] })),
      setBackground: rule((context) => ({ context: { ...context, foreground: false }, emits: [] })),
      /** The one decision per visit of `deciding`: R11 bookkeeping, R6 expiry, R5 waits, then the plan. */
      decide: rule((context, event) => {
        const now = deps.now()
        const prepared = isSuspended(context)
          ? settleLoggedOutUsers(context)
          : chain(context, settleLoggedOutUsers, (c) => expireStaleTokens(c, now), openWaitsForMissingTokens)
        const urgency = event.type === 'ITEMS_TRACKED' ? 'tracked-only' : 'triggered'
        const { context: decided, plan } = planWithNextBatch(prepared.context, planNext(prepared.context, now, urgency), now, deps.nextBatchId)
        return { ...prepared, context: { ...decided, plan } }
      }),
      deleteLoggedOutItems: rule((context) => deleteLoggedOutUser(context, planOf(context, 'delete').deletion)),
      completeFlushes: rule((context) => ({
        context:
          context.flushRequests.completed === context.flushRequests.requested
            ? context
            : { ...context, flushRequests: { ...context.flushRequests, completed: context.flushRequests.requested } },
        emits: [],
      })),
      batchFormed: rule((context, event) => {
        if (event.type !== 'BATCH_FORMED') return unchanged(context)
        const retry = context.retry.storageFailing ? { ...context.retry, storageFailing: false } : context.retry
        if (event.items.length === 0) {
          // The count was ahead of storage (e.g. a corrupt record was skipped): trust storage.
          return { context: { ...context, retry, pendingByIdentity: { ...context.pendingByIdentity, [event.identity]: 0 } }, emits: [] }
        }
        return { context: freezeBatch({ ...context, retry }, event.identity, event.items, deps.nextBatchId()), emits: [] }
      }),
      freezeAhead: rule((context, event) =>
        event.type === 'NEXT_BATCH_READ' ? { context: freezeAhead(context, event, deps.nextBatchId), emits: [] } : unchanged(context),
      ),
      storageUnavailable: rule((context, event) =>
        event.type === 'BATCH_FORM_FAILED'
          ? transientFailure(context, `storage: ${event.reason}`, null, { now: deps.now(), random: deps.random, nextBatchId: deps.nextBatchId }, 'storage')
          : unchanged(context),
      ),
      batchSent: rule((context, event) => {
        if (event.type !== 'BATCH_SENT') return unchanged(context)
        const step = applySendOutcome(context, event.batch, event.token, event.outcome, { now: deps.now(), random: deps.random, nextBatchId: deps.nextBatchId })
        // Only a delivery makes the read items the next batch: any other outcome keeps this one frozen.
        return event.nextBatch !== undefined && event.outcome.kind === 'delivered' ? { ...step, context: { ...step.context, nextBatch: event.nextBatch } } : step
      }),
    },
  }).createMachine({
    id: 'jwtSync',
    context: ({ input }) => initialContext(input, deps.nextSessionId()),
    initial: 'starting',
    on: { SHUTDOWN: { target: '.stopped' } },
    states: {
      starting: {
        invoke: { src: 'restore' },
        on: { RESTORED: { target: 'running', actions: 'restore' } },
      },
      running: {
        type: 'parallel',
        on: {
          ACTIVITY: { actions: 'activity' },
          // onAppForeground is activity even when the app was not in background (e.g. at launch).
          FOREGROUND: { actions: 'activity' },
          IDENTIFY: { actions: ['activity', 'identify'] },
        },
        states: {
          presence: {
            initial: 'foreground',
            states: {
              foreground: {
                entry: 'setForeground',
                // R12: periodic flush while in foreground.
                after: { periodicFlush: { target: 'foreground', reenter: true, actions: raise({ type: 'SYNC' }) } },
                on: { BACKGROUND: { target: 'background' } },
              },
              background: {
                entry: 'setBackground',
                on: { FOREGROUND: { target: 'foreground', actions: 'activity' } },
              },
            },
          },
          // R8: the consecutive-failure counter of this session, as a state.
          session: {
            initial: 'active',
            states: {
              active: { always: { guard: 'authFailureLimitReached', target: 'suspended' } },
              suspended: { always: { guard: 'newSessionStarted', target: 'active' } },
            },
          },
          // The current identity and its token (R1-R7, R11); earlier identities stay data.
          auth: {
            initial: 'anonymous',
            states: {
              jwtDisabled: {},
              anonymous: {
                always: [
                  { guard: authIs('jwtDisabled'), target: 'jwtDisabled' },
                  { guard: authIs('identified'), target: 'identified' },
                  { guard: authIs('loggingOut'), target: 'loggingOut' },
                ],
              },
              loggingOut: {
                always: [
                  { guard: authIs('identified'), target: 'identified' },
                  { guard: authIs('anonymous'), target: 'anonymous' },
                ],
              },
              identified: {
                initial: 'checkingToken',
                always: [
                  { guard: authIs('loggingOut'), target: 'loggingOut' },
                  { guard: authIs('anonymous'), target: 'anonymous' },
                ],
                states: {
                  // Where a change of token status (or of identifier) is read: never rested in.
                  checkingToken: {
                    always: [
                      { guard: tokenIs('none'), target: 'noToken' },
                      { guard: tokenIs('usable'), target: 'tokenUsable' },
                      { guard: tokenIs('rejected'), target: 'tokenRefused' },
                      { guard: tokenIs('expired'), target: 'tokenExpired' },
                      { guard: tokenIs('invalid'), target: 'tokenInvalid' },
                    ],
                  },
                  noToken: tokenState('none'),
                  tokenUsable: tokenState('usable'),
                  // S1/R7: the server refused it; nothing is sent for this identifier until a new token.
                  tokenRefused: tokenState('rejected'),
                  tokenExpired: tokenState('expired'),
                  tokenInvalid: tokenState('invalid'),
                },
              },
            },
          },
          sync: {
            initial: 'resuming',
            // Commands are taken in every state; at rest they start a decision, while busy the
            // loop reaches `deciding` by itself once the current step ends.
            on: {
              LOGOUT: { actions: 'logout' },
              FLUSH: { actions: 'requestFlush' },
              TOKEN_PASSED: { actions: 'passToken' },
              ITEMS_TRACKED: { actions: 'itemsTracked' },
            },
            states: {
              // The calls the app made before the restore finished are applied first (a token
              // passed right after createSdk counts at the first decision).
              resuming: { on: { RESUME: { target: 'deciding' } } },
              deciding: {
                entry: 'decide',
                always: [
                  { guard: 'plannedDeletion', target: 'logoutFlush.deleting' },
                  { guard: 'plannedLogoutSend', target: 'logoutFlush.sending' },
                  { guard: 'plannedLogoutForm', target: 'logoutFlush.forming' },
                  { guard: 'plannedSend', target: 'attempt.sending' },
                  { guard: 'plannedForm', target: 'attempt.forming' },
                  { guard: restsBecause('suspended'), target: 'rest.suspended' },
                  { guard: restsBecause('retry-after'), target: 'rest.retryAfter' },
                  { guard: restsBecause('storage-unavailable'), target: 'rest.storageUnavailable' },
                  { guard: restsBecause('backoff'), target: 'rest.backingOff' },
                  { guard: restsBecause('awaiting-token'), target: 'rest.awaitingToken' },
                  { guard: restsBecause('waiting-for-trigger'), target: 'rest.waitingForTrigger' },
                  { target: 'rest.nothingToSend' },
                ],
              },
              rest: {
                initial: 'nothingToSend',
                // Coming to rest settles every explicit flush and logout made so far (R12).
                entry: 'completeFlushes',
                on: {
                  LOGOUT: { target: 'deciding', actions: 'logout' },
                  FLUSH: { target: 'deciding', actions: 'requestFlush' },
                  TOKEN_PASSED: { target: 'deciding', actions: 'passToken' },
                  SYNC: { target: 'deciding' },
                  BACKGROUND: { target: 'deciding' },
                  // New items make the chart re-read the data; they start no request by themselves.
                  ITEMS_TRACKED: { target: 'deciding', actions: 'itemsTracked' },
                },
                states: {
                  nothingToSend: {},
                  // Items that can be sent wait for the next trigger (R12): periodic flush, background, full batch, flush().
                  waitingForTrigger: {},
                  // R5/S1: pending items whose identity has no usable token.
                  awaitingToken: {},
                  // R8: until the next session.
                  suspended: {},
                  // R9: exponential backoff with full jitter.
                  backingOff: { after: { untilRetry: { target: DECIDING } } },
                  // R9: a Retry-After window, which an explicit flush does not cut short.
                  retryAfter: { after: { untilRetry: { target: DECIDING } } },
                  // R9: storage could not be read; retried like a network failure.
                  storageUnavailable: { after: { untilRetry: { target: DECIDING } } },
                },
              },
              attempt: {
                initial: 'forming',
                states: {
                  ...attemptStates,
                  sending: {
                    ...attemptStates.sending,
                    // The next full batch, read while this one is in flight, is frozen now so its
                    // commit overlaps the request (R14). A logged-out user's flush does not read ahead.
                    on: { ...attemptStates.sending.on, NEXT_BATCH_READ: { actions: 'freezeAhead' as const } },
                  },
                },
              },
              // R11: a logged-out user's items, flushed with that user's token, or deleted.
              logoutFlush: {
                initial: 'forming',
                states: {
                  ...attemptStates,
                  deleting: {
                    entry: 'deleteLoggedOutItems',
                    invoke: { src: 'awaitDeletion' },
                    on: { ITEMS_DELETED: { target: DECIDING, actions: 'trackedMeanwhile' } },
                  },
                },
              },
            },
          },
        },
      },
      stopped: { type: 'final' },
    },
  })
}

/**
 * The statechart's type, as `createSyncMachine` builds it.
 *
 * @example
 * ```ts
 * const machine: SyncMachine = describeSyncMachine()
 * ```
 */
export type SyncMachine = ReturnType<typeof createSyncMachine>
