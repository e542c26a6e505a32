import * as E from 'fp-ts/lib/Either.js'
import { createMemoryStorage, type StorageNamespace } from '@jwt-sync/core'
import { createBridge, type Bridge, type SdkFactory } from '../../src/bridge/createBridge.js'
import { BridgeMessageCodec, type BridgeMessage } from '../../src/protocol/bridgeMessages.js'

/** What the host answers to an HTTP request. */
export type HttpResponder = (request: Extract<BridgeMessage, { kind: 'http' }>['request']) => { status: number; body: unknown } | 'never'

/**
 * A protocol host in Node for tests of the bridge entry: it keeps storage (the core's memory
 * storage behind the channel), answers HTTP with a responder, keeps timers on a virtual clock and
 * records every JS -> host message. Answers go back asynchronously, as a native host's would.
 */
export type NodeHost = {
  readonly bridge: Bridge
  readonly received: BridgeMessage[]
  /** JS -> host messages that failed the protocol codec (must stay empty). */
  readonly invalid: unknown[]
  readonly send: (message: Record<string, unknown>) => void
  readonly call: (kind: string, fields?: Record<string, unknown>) => Promise<BridgeMessage>
  readonly settle: () => Promise<void>
  readonly armedTimers: () => number
  readonly advance: (ms: number) => Promise<void>
}

export const createNodeHost = (factory: SdkFactory, respond: HttpResponder): NodeHost => {
  const received: BridgeMessage[] = []
  const invalid: unknown[] = []
  const storage = createMemoryStorage()
  const namespaces = new Map<string, StorageNamespace>()
  const timers = new Map<string, number>()
  let now = Date.UTC(2026, 10, 28)
  let nextCall = 1
  const work: Promise<void>[] = []

  const answerStorage = async (m: Extract<BridgeMessage, { kind: 'storage' }>): Promise<unknown> => {
    if (m.op === 'open') {
      const opened = await storage.open(m.namespace)()
      if (E.isRight(opened)) namespaces.set(m.namespace, opened.right)
      return { v: 1, kind: 'storageResult', id: m.id, value: null }
    }
    const ns = namespaces.get(m.namespace)
    if (ns === undefined) return { v: 1, kind: 'storageFailure', id: m.id, failure: { kind: 'closed', message: 'not open' } }
    const outcome: E.Either<{ kind: string; message: string }, unknown> =
      m.op === 'load' ? await ns.load()()
      : m.op === 'peek' ? await ns.peek(m.identity as never, m.limit)()
      : m.op === 'commit' ? await ns.commit(m.write as never)()
      : m.op === 'readDeadLetters' ? await ns.readDeadLetters(m.limit)()
      : E.right(null)
    return E.isRight(outcome)
      ? { v: 1, kind: 'storageResult', id: m.id, value: outcome.right }
      : { v: 1, kind: 'storageFailure', id: m.id, failure: outcome.left }
  }

  const bridge = createBridge((json) => {
    const message: unknown = JSON.parse(json)
    const decoded = BridgeMessageCodec.decode(message)
    if (E.isLeft(decoded)) {
      invalid.push(message)
      return
    }
    const m = decoded.right
    received.push(m)
    if (m.kind === 'setTimer') timers.set(m.timerId, now + m.ms)
    else if (m.kind === 'clearTimer') timers.delete(m.timerId)
    else if (m.kind === 'storage') work.push(answerStorage(m).then((answer) => send(answer as Record<string, unknown>)))
    else if (m.kind === 'http') {
      const response = respond(m.request)
      if (response !== 'never') {
        work.push(Promise.resolve().then(() => send({ v: 1, kind: 'httpResponse', id: m.id, response: { status: response.status, headers: {}, body: JSON.stringify(response.body) } })))
      }
    }
  }, factory)

  const send = (message: Record<string, unknown>): void => bridge.receive(JSON.stringify({ ...message, now }))
  const settle = async (): Promise<void> => {
    for (let i = 0; i < 30; i++) {
      await new Promise((resolve) => setImmediate(resolve))
      await Promise.all(work.splice(0))
    }
  }
  const call = async (kind: string, fields: Record<string, unknown> = {}): Promise<BridgeMessage> => {
    const id = `c${nextCall++}`
    send({ v: 1, kind, id, ...fields })
    for (let i = 0; i < 100; i++) {
      const answer = received.find((m) => (m.kind === 'result' || m.kind === 'error') && m.id === id)
      if (answer !== undefined) return answer
      await settle()
    }
    throw new Error(`no answer to ${kind} (${id})`)
  }
  const advance = async (ms: number): Promise<void> => {
    const until = now + ms
    for (;;) {
      const due = [...timers].filter(([, at]) => at <= until).sort((a, b) => a[1] - b[1])[0]
      if (due === undefined) break
      now = Math.max(now, due[1])
      timers.delete(due[0])
      send({ v: 1, kind: 'timerFired', timerId: due[0] })
      await settle()
    }
    now = until
    await settle()
  }
  return { bridge, received, invalid, send, call, settle, armedTimers: () => timers.size, advance }
}
