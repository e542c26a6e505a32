import type { SyncContext } from './context.js'
import type { SyncEmitted } from './events.js'

/**
 * A pure decision: the context fields it changes and the effects it asks for. Rules are written
 * as functions returning steps, and the statechart applies them with `enqueueActions`.
 */
export type Step = {
  readonly context: SyncContext
  readonly emits: readonly SyncEmitted[]
  /** Asks for a sync attempt now (R12 triggers). */
  readonly sync?: boolean
}

export const unchanged = (context: SyncContext): Step => ({ context, emits: [] })

/** Runs rules one after the other, each seeing the context the previous one left. */
export const chain = (context: SyncContext, ...rules: ReadonlyArray<(context: SyncContext) => Step>): Step => {
  let current = context
  const emits: SyncEmitted[] = []
  let sync = false
  for (const rule of rules) {
    const step = rule(current)
    current = step.context
    emits.push(...step.emits)
    sync = sync || step.sync === true
  }
  return { context: current, emits, sync }
}
