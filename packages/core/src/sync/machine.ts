import { enqueueActions, fromCallback, raise, setup, type CallbackActorLogic, type EventObject } from 'xstate'
import type { IdentityKey } from '../model/identity.js'
import type { BatchId, SessionId } from '../model/item.js'
import { expireStaleTokens, openWaitsForMissingTokens, passToken } from './authentication.js'
import type { FrozenBatch, MachineSettings, SyncContext } from './context.js'
import type { RestoredState, SyncEmitted, SyncEvent } from './events.js'
import { settleLoggedOutUsers } from './logout.js'
import { applySendOutcome, transientFailure } from './outcome.js'
import { planNext, type SyncPlan } from './plan.js'
import { isSuspended, newSession, recordActivity, startSession } from './session.js'
import { chain, unchanged, type Step } from './step.js'

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
export type SendBatchInput = { readonly batch: FrozenBatch; readonly token: string | null }

/**
 * What the statechart needs from outside: a clock reading, randomness for jitter and ids, and the
 * IO actors. With stand-ins for these, the machine runs under `transition()` with no IO at all.
 *
 * @example
 * ```ts
 * const deps: SyncMachineDeps = { now: Date.now, random: Math.random,
 *   nextSessionId: () => crypto.randomUUID() as SessionId, nextBatchId: () => crypto.randomUUID() as BatchId,
 *   actors: { restore: idleActor<void>(), formBatch: idleActor(), sendBatch: idleActor() } }
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
 * createSyncMachine({ ...deps, actors: { restore: idleActor<void>(), formBatch: idleActor(), sendBatch: idleActor() } })
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
  retry: { consecutiveTransientFailures: 0, backoffUntil: null, retryAfterUntil: null },
  foreground: true,
  flushRequests: { requested: 0, completed: 0 },
  totals: { delivered: 0, deadLettered: 0, deleted: 0 },
  tokenVerdict: { seq: 0, error: null },
})

const restoredContext = (context: SyncContext, restored: RestoredState): SyncContext => ({
  ...context,
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

/**
 * Creates the jwt-sync statechart. It holds control, not data: pending items stay in storage and
 * the context keeps counts, tokens, the session counter, deadlines and the frozen batches.
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

  return setup({
    types: {
      context: {} as SyncContext,
      events: {} as SyncEvent,
      input: {} as SyncMachineInput,
      emitted: {} as SyncEmitted,
    },
    actors: deps.actors,
    guards: {
      planSend: ({ context }) => planNext(context, deps.now()).kind === 'send',
      planForm: ({ context }) => planNext(context, deps.now()).kind === 'form',
      planBackoff: ({ context }) => {
        const plan = planNext(context, deps.now())
        return plan.kind === 'rest' && plan.backingOff
      },
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
        event.type === 'RESTORED' ? { context: restoredContext(context, event.restored), emits: [] } : unchanged(context),
      ),
      activity: rule((context, event) =>
        'at' in event ? recordActivity(context, event.at, deps.nextSessionId) : unchanged(context),
      ),
      itemsTracked: rule((context, event) => {
        if (event.type !== 'ITEMS_TRACKED') return unchanged(context)
        const session = { ...context.session, lastActivityAt: Math.max(context.session.lastActivityAt, event.lastActivityAt) }
        const pendingByIdentity = plus(context.pendingByIdentity, event.counts)
        // R12: a full batch is sent without waiting for the periodic flush.
        const batchFull = Object.keys(event.counts).some((identity) => (pendingByIdentity[identity] ?? 0) >= context.settings.maxBatchSize)
        return { context: { ...context, session, pendingByIdentity }, emits: [], sync: batchFull }
      }),
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
        event.type === 'TOKEN_PASSED' ? passToken(context, event.identifier, event.token, event.at, event.seq) : unchanged(context),
      ),
      requestFlush: rule((context) => ({ context: requestFlush(context), emits: [] })),
      setForeground: rule((context) => ({ context: { ...context, foreground: true }, emits: [] })),
      setBackground: rule((context) => ({ context: { ...context, foreground: false }, emits: [] })),
      prepareAttempt: rule((context) => {
        if (isSuspended(context)) return settleLoggedOutUsers(context)
        return chain(context, settleLoggedOutUsers, (c) => expireStaleTokens(c, deps.now()), openWaitsForMissingTokens)
      }),
      completeFlushes: rule((context) => ({
        context:
          context.flushRequests.completed === context.flushRequests.requested
            ? context
            : { ...context, flushRequests: { ...context.flushRequests, completed: context.flushRequests.requested } },
        emits: [],
      })),
      batchFormed: rule((context, event) => {
        if (event.type !== 'BATCH_FORMED') return unchanged(context)
        if (event.items.length === 0) {
          // The count was ahead of storage (e.g. a corrupt record was skipped): trust storage.
          return { context: { ...context, pendingByIdentity: { ...context.pendingByIdentity, [event.identity]: 0 } }, emits: [] }
        }
        return { context: { ...context, outbox: [...context.outbox, { batchId: deps.nextBatchId(), identity: event.identity, items: event.items }] }, emits: [] }
      }),
      storageUnavailable: rule((context, event) =>
        event.type === 'BATCH_FORM_FAILED'
          ? transientFailure(context, `storage: ${event.reason}`, null, { now: deps.now(), random: deps.random, nextBatchId: deps.nextBatchId })
          : unchanged(context),
      ),
      batchSent: rule((context, event) =>
        event.type === 'BATCH_SENT'
          ? applySendOutcome(context, event.batch, event.token, event.outcome, { now: deps.now(), random: deps.random, nextBatchId: deps.nextBatchId })
          : unchanged(context),
      ),
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
          ITEMS_TRACKED: { actions: 'itemsTracked' },
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
          sync: {
            initial: 'deciding',
            // Commands are taken in every state; at rest they start an attempt, while busy the
            // loop reaches `deciding` by itself once the current step ends.
            on: {
              LOGOUT: { actions: 'logout' },
              FLUSH: { actions: 'requestFlush' },
              TOKEN_PASSED: { actions: 'passToken' },
            },
            states: {
              idle: {
                on: {
                  LOGOUT: { target: 'deciding', actions: 'logout' },
                  FLUSH: { target: 'deciding', actions: 'requestFlush' },
                  TOKEN_PASSED: { target: 'deciding', actions: 'passToken' },
                  SYNC: { target: 'deciding' },
                  BACKGROUND: { target: 'deciding' },
                },
              },
              backingOff: {
                after: { untilRetry: { target: 'deciding' } },
                on: {
                  LOGOUT: { target: 'deciding', actions: 'logout' },
                  FLUSH: { target: 'deciding', actions: 'requestFlush' },
                  TOKEN_PASSED: { target: 'deciding', actions: 'passToken' },
                  SYNC: { target: 'deciding' },
                },
              },
              deciding: {
                entry: 'prepareAttempt',
                always: [
                  { guard: 'planSend', target: 'sending' },
                  { guard: 'planForm', target: 'forming' },
                  { guard: 'planBackoff', target: 'backingOff', actions: 'completeFlushes' },
                  { target: 'idle', actions: 'completeFlushes' },
                ],
              },
              forming: {
                invoke: {
                  src: 'formBatch',
                  input: ({ context }) => {
                    const plan = planNext(context, deps.now()) as Extract<SyncPlan, { kind: 'form' }>
                    return { identity: plan.identity, limit: context.settings.maxBatchSize }
                  },
                },
                on: {
                  BATCH_FORMED: { target: 'deciding', actions: 'batchFormed' },
                  BATCH_FORM_FAILED: { target: 'deciding', actions: 'storageUnavailable' },
                },
              },
              sending: {
                invoke: {
                  src: 'sendBatch',
                  input: ({ context }) => {
                    const plan = planNext(context, deps.now()) as Extract<SyncPlan, { kind: 'send' }>
                    return { batch: plan.batch, token: plan.token }
                  },
                },
                on: { BATCH_SENT: { target: 'deciding', actions: 'batchSent' } },
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
