import type { InspectionEvent, Observer } from 'xstate'
import { redactFields } from './redaction.js'

type InspectPort = Observer<InspectionEvent> | ((event: InspectionEvent) => void)

/**
 * Passed through untouched: actor references (inspectors identify actors by them) and the
 * microstep's transition definitions (parts of the machine definition, never runtime data).
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
 * as plain JSON with every token cut to its first 8 characters, before it reaches the inspector
 * (which may stream it off the device).
 */
export const redactedInspection = (inspect: InspectPort): ((event: InspectionEvent) => void) => {
  const deliver = typeof inspect === 'function' ? inspect : (event: InspectionEvent) => inspect.next?.(event)
  return (event) => {
    const redacted: Record<string, unknown> = {}
    for (const [key, value] of Object.entries(event)) {
      redacted[key] = PASSED_THROUGH.has(key) ? value : redactFields({ value: toPlain(value) })['value']
    }
    try {
      deliver(redacted as unknown as InspectionEvent)
    } catch {
      // An inspector failing must not stop the SDK.
    }
  }
}
