import { createBridge, type HostFunction } from '../bridge/createBridge.js'
import { PROTOCOL_VERSION } from '../protocol/version.js'
import { setAmbientSink } from './ambientShims.js'
import { sdkFactory } from './sdkFactory.js'

/**
 * The bundle's entry: esbuild turns these exports into the one global `JwtSyncBridge`.
 * A JSContext host injects its host function and calls `receive`; a WKWebView host passes a
 * function that posts to `window.webkit.messageHandlers.<name>`.
 */

/**
 * What `create` returns: the entry point the host calls.
 *
 * @example
 * ```js
 * const handle = JwtSyncBridge.create(host) // handle.receive('{"v":1,"kind":"getState","id":"c1"}')
 * ```
 */
export type BridgeHandle = { readonly receive: (json: unknown) => void }

/**
 * Creates a bridge that answers through `host`; `null` when `host` is not a function.
 *
 * @example
 * ```js
 * var bridge = JwtSyncBridge.create(function (json) { nativeHost(json) })
 * bridge.receive('{"v":1,"kind":"getState","id":"c1"}')
 * ```
 */
export const create = (host: unknown): BridgeHandle | null => {
  if (typeof host !== 'function') return null
  const bridge = createBridge(host as HostFunction, sdkFactory)
  setAmbientSink(bridge)
  return { receive: bridge.receive }
}

let connected: BridgeHandle | null = null

/**
 * Creates the default bridge, for hosts that prefer calling `JwtSyncBridge.receive(json)`
 * (a WKWebView's `evaluateJavaScript`). Returns false when `host` is not a function.
 *
 * @example
 * ```js
 * JwtSyncBridge.connect(function (json) { window.webkit.messageHandlers.jwtSync.postMessage(json) })
 * ```
 */
export const connect = (host: unknown): boolean => {
  connected = create(host)
  return connected !== null
}

/**
 * Hands a host -> JS message to the default bridge. Returns an error message (JSON text) when
 * `connect` was not called, else nothing (answers go through the host function).
 *
 * @example
 * ```js
 * JwtSyncBridge.receive('{"v":1,"kind":"flush","id":"c7"}')
 * ```
 */
export const receive = (json: unknown): string | undefined => {
  if (connected !== null) {
    connected.receive(json)
    return undefined
  }
  return JSON.stringify({ v: PROTOCOL_VERSION, kind: 'error', id: null, error: { code: 'NOT_CONNECTED', message: 'call JwtSyncBridge.connect(hostFunction) first' } })
}

/**
 * The protocol version this bundle speaks.
 *
 * @example
 * ```js
 * if (JwtSyncBridge.protocolVersion !== 1) throw new Error('host speaks protocol v1')
 * ```
 */
export const protocolVersion = PROTOCOL_VERSION
