import { createWebSocketInspector } from '@statelyai/inspect'
import * as E from 'fp-ts/lib/Either.js'
import type { SdkPorts } from '@jwt-sync/core'
import WebSocket from 'ws'

/**
 * A connected XState WebSocket inspector: `inspect` goes to the SDK's `inspect` port (the core
 * redacts tokens before it, R18); `stop` sends what is queued and closes the socket.
 *
 * @example
 * ```ts
 * const connected = await connectInspector('ws://127.0.0.1:8080', 3000)
 * if (E.isRight(connected)) { createSdk(config, { transport, inspect: connected.right.inspect }); await connected.right.stop() }
 * ```
 */
export type DemoInspector = {
  readonly inspect: NonNullable<SdkPorts['inspect']>
  readonly stop: () => Promise<void>
}

/** The parts of the adapter's runtime state we wait on (not in its public types). */
type AdapterInternals = { readonly status?: string; readonly ws?: WebSocket }

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))
/** A deadline that never holds the process open on its own. */
const deadline = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms).unref())

/** Checks that something listens at the URL, so the inspector's own retry loop never starts. */
const probe = (url: string, timeoutMs: number): Promise<E.Either<string, void>> =>
  new Promise((resolve) => {
    let socket: WebSocket
    try {
      socket = new WebSocket(url, { handshakeTimeout: timeoutMs })
    } catch (error) {
      resolve(E.left(error instanceof Error ? error.message : String(error)))
      return
    }
    socket.once('open', () => {
      socket.close()
      resolve(E.right(undefined))
    })
    socket.once('error', (error) => resolve(E.left(error.message)))
  })

/**
 * Connects `@statelyai/inspect`'s WebSocket inspector to `url` and waits until its socket is
 * open. `Left` with the reason when nothing answers there: the inspector package would otherwise
 * retry every 5 s for ever and keep the process alive.
 *
 * @example
 * ```ts
 * const connected = await connectInspector('ws://localhost:8080', 3000)
 * ```
 */
export const connectInspector = async (url: string, timeoutMs: number): Promise<E.Either<string, DemoInspector>> => {
  const reachable = await probe(url, timeoutMs)
  if (E.isLeft(reachable)) return E.left(`no inspector at ${url}: ${reachable.left}`)
  const inspector = createWebSocketInspector({ url })
  const adapter = inspector.adapter as unknown as AdapterInternals
  const giveUpAt = Date.now() + timeoutMs
  while (adapter.status !== 'open' && Date.now() < giveUpAt) await sleep(10)
  if (adapter.status !== 'open') {
    inspector.stop()
    return E.left(`the inspector at ${url} did not accept the connection within ${timeoutMs} ms`)
  }
  return E.right({
    inspect: inspector.inspect,
    stop: async () => {
      // The inspector converts each event on a 0 ms timer: let the last ones through first.
      await sleep(50)
      const socket = adapter.ws
      const waitUntil = Date.now() + 2000
      while (socket !== undefined && socket.bufferedAmount > 0 && Date.now() < waitUntil) await sleep(10)
      const closed = socket === undefined || socket.readyState === WebSocket.CLOSED ? Promise.resolve() : new Promise<void>((resolve) => socket.once('close', () => resolve()))
      inspector.stop()
      await Promise.race([closed, deadline(2000)])
    },
  })
}
