import * as E from '../model/either.js'
import { fromCallback, type EventObject } from 'xstate'
import { identifierOf } from '../model/identity.js'
import type { ResolvedConfig } from '../model/config.js'
import type { Transport, TransportFailure, HttpResponse } from '../ports/transport.js'
import type { SyncEvent, TrackedItems } from '../sync/events.js'
import type { FormBatchInput, SendBatchInput } from '../sync/machine.js'
import { buildBatchRequest, wireItemsJson } from '../wire/buildRequest.js'
import { classifyResponse } from '../wire/classifyResponse.js'
import type { Persister } from './persister.js'

type IoDeps = {
  readonly config: ResolvedConfig
  readonly transport: Transport
  readonly persister: Persister
  readonly now: () => number
  readonly restore: () => Promise<SyncEvent>
  /** Takes the items tracked while the loop was busy, to send with the event that ends its step. */
  readonly takeTracked: () => TrackedItems | undefined
}

/** The events that end a busy step of the sync loop. */
type StepEnd = Extract<SyncEvent, { readonly type: 'BATCH_FORMED' | 'BATCH_FORM_FAILED' | 'BATCH_SENT' | 'ITEMS_DELETED' }>

/**
 * Runs an async step and sends its result event back, unless the actor was stopped meanwhile.
 * `fromCallback` rather than `fromPromise`: the latter creates an AbortController, which
 * JavaScriptCore does not have. `withTracked` adds the items tracked meanwhile to the result.
 */
const callbackActor = <TInput, TEvent extends SyncEvent = SyncEvent>(
  run: (input: TInput, tell: (event: SyncEvent) => void) => Promise<TEvent>,
  withTracked: (event: TEvent) => SyncEvent = (event) => event,
) =>
  fromCallback<EventObject, TInput>(({ input, sendBack }) => {
    let active = true
    /** An event before the result (the step goes on). */
    const tell = (event: SyncEvent): void => {
      if (active) sendBack(event)
    }
    // Start after the current macrostep: XState starts invoked actors before it notifies the
    // facade's snapshot observer, which hands the new control state (the frozen batch) to the
    // persister. Waiting one microtask makes `persister.drained()` cover that write (R13, R14).
    Promise.resolve()
      .then(() => run(input, tell))
      .then(
      (event) => {
        if (active) sendBack(withTracked(event))
      },
      () => undefined,
    )
    return () => {
      active = false
    }
  })

/** The statechart's IO actors: restore state, form a batch from storage, send a batch. No policy here. */
export const createIoActors = (deps: IoDeps) => {
  // The events that end a busy step carry the items tracked during it: one event, not two.
  const withTracked = (event: StepEnd): StepEnd => {
    const tracked = deps.takeTracked()
    return tracked === undefined ? event : { ...event, tracked }
  }
  return {
    restore: callbackActor<void>(() => deps.restore()),
    // Reads the queue as it will be once the writes waiting in the persister are committed (the last
    // batch's acknowledgement among them), so that acknowledgement and this batch's freeze go to
    // storage in one commit before the request (see `Persister`).
    formBatch: callbackActor<FormBatchInput, StepEnd>(async ({ identity, limit }) => {
      const items = await deps.persister.peek(identity, limit)
      return E.isRight(items)
        ? { type: 'BATCH_FORMED', identity, items: items.right }
        : { type: 'BATCH_FORM_FAILED', reason: `${items.left.kind}: ${items.left.message}` }
    }, withTracked),
    // An R11 deletion was handed to the persister as the state was entered: wait until it is durable.
    awaitDeletion: callbackActor<void, StepEnd>(async () => {
      await deps.persister.drained()
      return { type: 'ITEMS_DELETED' }
    }, withTracked),
    sendBatch: callbackActor<SendBatchInput, StepEnd>(async ({ batch, token, compress, nextBatchLimit }, tell) => {
      // The frozen batch and every counter change before it are durable before the request (R14,
      // R8); items and acknowledgements may follow it (see `Persister.readyForRequest`).
      await deps.persister.readyForRequest()
      const request = buildBatchRequest({
        baseUrl: deps.config.baseUrl,
        appId: deps.config.appId,
        environment: deps.config.environment,
        timeoutMs: deps.config.timeoutMs,
        batchId: batch.batchId,
        identifier: identifierOf(batch.identity),
        items: batch.items,
        token,
        compress,
        sentAt: deps.now(),
      })
      let sent: Promise<E.Either<TransportFailure, HttpResponse>>
      try {
        sent = deps.transport.send(request)()
      } catch (error) {
        // The port promises never to throw; a broken transport still only costs a retry.
        sent = Promise.resolve(E.left({ kind: 'network', message: `transport threw: ${String(error)}` }))
      }
      // While the request is in flight, read the next batch (leaving out this one, which is not
      // acknowledged yet). A full one is frozen now and its commit starts at once, overlapping
      // the request (`freezeAhead`): it can leave as soon as this one is answered. A partial one
      // waits for the answer (items tracked meanwhile may fill it), and the statechart freezes it
      // then (`planWithNextBatch`). Either way it leaves without a forming step.
      const reading = nextBatchLimit === 0 ? null : deps.persister.peek(batch.identity, nextBatchLimit, batch.items)
      const early = reading === null ? null : await reading
      if (early !== null && E.isRight(early) && early.right.length === nextBatchLimit) {
        wireItemsJson(early.right)
        tell({ type: 'NEXT_BATCH_READ', identity: batch.identity, items: early.right })
        void deps.persister.drained()
      }
      const result = await sent.catch((error: unknown) => E.left<TransportFailure, HttpResponse>({ kind: 'network', message: `transport rejected: ${String(error)}` }))
      const outcome = classifyResponse(result, deps.now())
      if (outcome.kind !== 'delivered' || early === null) return { type: 'BATCH_SENT', batch, token, outcome }
      // Not a full batch when read: items tracked during the request may fill it now.
      const next = E.isRight(early) && early.right.length === nextBatchLimit ? early : await deps.persister.peek(batch.identity, nextBatchLimit, batch.items)
      return E.isRight(next) && next.right.length > 0
        ? { type: 'BATCH_SENT', batch, token, outcome, nextBatch: { identity: batch.identity, items: next.right } }
        : { type: 'BATCH_SENT', batch, token, outcome }
    }, withTracked),
  }
}
