import type { InspectionEvent, Observer } from 'xstate'
import { redactFields } from './redaction.js'

type InspectPort = Observer<InspectionEvent> | ((event: InspectionEvent) => void)

const plainSnapshot = (snapshot: unknown): Record<string, unknown> => {
  const withJson = snapshot as { toJSON?: () => unknown }
  const plain = typeof withJson.toJSON === 'function' ? withJson.toJSON() : snapshot
  return typeof plain === 'object' && plain !== null ? (plain as Record<string, unknown>) : {}
}

/**
 * Wraps the app's inspector so it never sees a full token (R18): the context in every snapshot
 * and the payload of every event are redacted to the first 8 characters of each token before
 * they reach the inspector (which may stream them off the device).
 */
export const redactedInspection = (inspect: InspectPort): ((event: InspectionEvent) => void) => {
  const deliver = typeof inspect === 'function' ? inspect : (event: InspectionEvent) => inspect.next?.(event)
  return (event) => {
    const redacted: Record<string, unknown> = { ...event }
    if ('snapshot' in event && event.snapshot !== undefined) {
      const snapshot = plainSnapshot(event.snapshot)
      redacted['snapshot'] = { ...snapshot, ...(snapshot['context'] !== undefined ? { context: redactFields(snapshot['context'] as Record<string, unknown>) } : {}) }
    }
    if ('event' in event && event.event !== undefined) redacted['event'] = redactFields(event.event as Record<string, unknown>)
    try {
      deliver(redacted as unknown as InspectionEvent)
    } catch {
      // An inspector failing must not stop the SDK.
    }
  }
}
