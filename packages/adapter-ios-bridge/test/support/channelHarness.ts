import * as E from 'fp-ts/lib/Either.js'
import { BridgeMessageCodec, type BridgeMessage } from '../../src/protocol/bridgeMessages.js'
import { decodeHostMessage } from '../../src/protocol/decodeHostMessage.js'
import { createHostClock, type HostClock } from '../../src/ports/hostClock.js'
import { createPendingRequests, type HostAnswer, type PendingRequests } from '../../src/ports/pendingRequests.js'

/** Ports wired to an outbox the test reads, with the host's answers delivered as decoded JSON. */
export type ChannelHarness = {
  readonly sent: BridgeMessage[]
  readonly clock: HostClock
  readonly pending: PendingRequests
  /** Decodes a host answer (JSON text) like the bridge does and delivers it. */
  readonly answer: (json: string) => E.Either<string, void>
  /** Fires every armed timer the outbox announced and has not cleared. */
  readonly fireAllTimers: () => number
  readonly callbackErrors: unknown[]
}

export const createChannelHarness = (): ChannelHarness => {
  const sent: BridgeMessage[] = []
  const callbackErrors: unknown[] = []
  const outbox = (message: BridgeMessage): void => {
    // Every message the ports build must be valid protocol, through JSON.
    const decoded = BridgeMessageCodec.decode(JSON.parse(JSON.stringify(message)))
    if (E.isLeft(decoded)) throw new Error(`invalid bridge message ${JSON.stringify(message)}`)
    sent.push(message)
  }
  const clock = createHostClock(outbox, (error) => callbackErrors.push(error))
  const pending = createPendingRequests(clock)
  return {
    sent,
    clock,
    pending,
    callbackErrors,
    answer: (json) => {
      const decoded = decodeHostMessage(json)
      if (E.isLeft(decoded)) return E.left(decoded.left.error.message)
      const delivered = pending.answer(decoded.right.message as HostAnswer)
      return E.isLeft(delivered) ? E.left(delivered.left.message) : E.right(undefined)
    },
    fireAllTimers: () => {
      const armed = new Set<string>()
      for (const m of sent) {
        if (m.kind === 'setTimer') armed.add(m.timerId)
        if (m.kind === 'clearTimer') armed.delete(m.timerId)
      }
      let fired = 0
      for (const id of armed) if (clock.fire(id)) fired++
      return fired
    },
  }
}

/** Lets pending promise jobs run. */
export const flushPromises = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))
