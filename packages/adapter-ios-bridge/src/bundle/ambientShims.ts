import type { Clock, Logger } from '@jwt-sync/core'

/**
 * Stand-ins for the globals that dependencies touch (xstate reads `console` at load, reports
 * unhandled errors through `setTimeout`, and `fromPromise` creates an `AbortController`).
 * esbuild's `inject` rewrites those free identifiers in the bundle to these exports, so the
 * bundle needs no global beyond ECMAScript and defines none of these on `globalThis`.
 * They route to the most recently created bridge; before one exists they do nothing.
 */

type Sink = { readonly clock: Clock; readonly logger: Logger }
let sink: Sink | undefined

/**
 * Points the shims at a bridge's clock and logger.
 *
 * @example
 * ```ts
 * setAmbientSink({ clock: bridge.clock, logger: bridge.logger })
 * ```
 */
export const setAmbientSink = (next: Sink): void => {
  sink = next
}

const show = (value: unknown): string => {
  if (typeof value === 'string') return value
  if (value instanceof Error) return `${value.name}: ${value.message}`
  try {
    return JSON.stringify(value) ?? String(value)
  } catch {
    return String(value)
  }
}

const forward =
  (level: keyof Logger) =>
  (...args: unknown[]): void => {
    sink?.logger[level](args.map(show).join(' '), { source: 'console' })
  }

const consoleShim = {
  log: forward('info'),
  info: forward('info'),
  debug: forward('debug'),
  trace: forward('debug'),
  warn: forward('warn'),
  error: forward('error'),
}

const setTimeoutShim = (fn: () => void, ms?: number): unknown => sink?.clock.setTimeout(fn, ms ?? 0)
const clearTimeoutShim = (handle: unknown): void => sink?.clock.clearTimeout(handle)

/** Minimal AbortSignal: what `fromPromise` hands to promise creators (`aborted`, `reason`, listeners). */
class AbortSignalShim {
  aborted = false
  reason: unknown = undefined
  onabort: ((event: { type: 'abort' }) => void) | null = null
  private readonly listeners: Array<(event: { type: 'abort' }) => void> = []
  addEventListener(type: string, listener: (event: { type: 'abort' }) => void): void {
    if (type === 'abort') this.listeners.push(listener)
  }
  removeEventListener(type: string, listener: (event: { type: 'abort' }) => void): void {
    const at = this.listeners.indexOf(listener)
    if (type === 'abort' && at >= 0) this.listeners.splice(at, 1)
  }
  throwIfAborted(): void {
    if (this.aborted) throw this.reason
  }
  /** Called by the controller only. */
  fire(reason: unknown): void {
    if (this.aborted) return
    this.aborted = true
    this.reason = reason
    const event = { type: 'abort' as const }
    for (const listener of [this.onabort, ...this.listeners]) {
      try {
        listener?.(event)
      } catch (error) {
        sink?.logger.error('an abort listener threw', { error: show(error) })
      }
    }
  }
}

class AbortControllerShim {
  readonly signal = new AbortSignalShim()
  abort(reason?: unknown): void {
    this.signal.fire(reason ?? new Error('aborted'))
  }
}

/**
 * The shims under the global names esbuild's `inject` replaces: `console` forwards to `log`
 * messages, `setTimeout`/`clearTimeout` to host timers, `AbortController` is a minimal local class.
 *
 * @example
 * ```ts
 * // in a dependency, after bundling: console.warn('x') -> { v: 1, kind: 'log', level: 'warn', message: 'x', ... }
 * ```
 */
export { consoleShim as console, setTimeoutShim as setTimeout, clearTimeoutShim as clearTimeout, AbortControllerShim as AbortController }

/**
 * The same timer shims under names `define` maps `globalThis.setTimeout` / `globalThis.clearTimeout`
 * to (member expressions, which `inject` does not rewrite; the core's default clock uses them).
 *
 * @example
 * ```ts
 * // after bundling: globalThis.setTimeout(fn, 5) -> hostSetTimeout(fn, 5) -> { kind: 'setTimer', ms: 5 }
 * ```
 */
export { setTimeoutShim as hostSetTimeout, clearTimeoutShim as hostClearTimeout }
