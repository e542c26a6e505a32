import type { InspectionEvent, Observer } from 'xstate'
import { redactFields } from './redaction.js'

type InspectPort = Observer<InspectionEvent> | ((event: InspectionEvent) => void)

/**
 * Not copied: actor references (inspectors identify actors by them; their snapshot reads are
 * redacted through a proxy) and the microstep's transition definitions (machine definition only).
 */
const PASSED_THROUGH = new Set(['actorRef', 'sourceRef', 'targetRef', '_transitions'])

/** A plain JSON copy (snapshots and refs serialise through their `toJSON`), or a note when impossible. */
const toPlain = (value: unknown): unknown => {
  try {
    const text = JSON.stringify(value)
    return text === undefined ? undefined : (JSON.parse(text) as unknown)
  } catch {
    return '[unserialisable]'
  }
}

/**
 * Wraps the app's inspector so it never sees a full token (R18): everything in an inspection
 * event except the actor references (context, events, actor inputs, action parameters) is copied
 * as plain JSON with every token replaced by its fingerprint, before it reaches the inspector
 * (which may stream it off the device).
 */
const redact = (value: unknown): unknown => redactFields({ value: toPlain(value) })['value']

/**
 * Inspectors also read an actor's snapshot through its reference (`@statelyai/inspect` does for
 * `@xstate.actor`), where an invoked send's input holds the bearer token: that read is redacted too.
 */
const redactedRefs = new WeakMap<object, unknown>()
const redactedRef = (ref: unknown): unknown => {
  if (typeof ref !== 'object' || ref === null) return ref
  let proxy = redactedRefs.get(ref)
  if (proxy === undefined) {
    proxy = new Proxy(ref, {
      get: (target, key) => {
        const value: unknown = Reflect.get(target, key, target)
        if (key === 'getSnapshot' && typeof value === 'function') return () => redact((value as () => unknown).call(target))
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value
      },
    })
    redactedRefs.set(ref, proxy)
  }
  return proxy
}

export const redactedInspection = (inspect: InspectPort): ((event: InspectionEvent) => void) => {
  const deliver = typeof inspect === 'function' ? inspect : (event: InspectionEvent) => inspect.next?.(event)
  return (event) => {
    const redacted: Record<string, unknown> = {}
    for (const [key, value] of Object.entries(event)) {
      if (key === '_transitions') redacted[key] = value
      else redacted[key] = PASSED_THROUGH.has(key) ? redactedRef(value) : redact(value)
    }
    try {
      deliver(redacted as unknown as InspectionEvent)
    } catch {
      // An inspector failing must not stop the SDK.
    }
  }
}
