import { formatLogEntry, type RequestLogEntry } from '@jwt-sync/reference-server'
import type { Sdk, SdkState } from '@jwt-sync/core'
import { activeStateIds, chartNodes, MERMAID_STATE_ELEMENT_ID, stateChanges, type StatechartIndex } from './activeStates.js'

/**
 * What the watch page is told first on every connection: the chart to draw (the `diagram`
 * command's Mermaid text), which Mermaid node draws which state, and how Mermaid names the
 * rendered elements.
 *
 * @example
 * ```ts
 * const hello: WatchHello = { type: 'hello', chart: 'stateDiagram-v2 …', nodes: [{ stateId: 'jwtSync.starting', nodeId: 'starting' }], elementIdPattern: '^.*-state-(.+)-\\d+$' }
 * ```
 */
export type WatchHello = {
  readonly type: 'hello'
  readonly chart: string
  readonly nodes: readonly { readonly stateId: string; readonly nodeId: string }[]
  readonly elementIdPattern: string
}

/**
 * One thing that happened, as the page receives it (JSON over Server-Sent Events). `at` is the
 * real time in ms, so the page can show when a state was entered and let a just-left highlight
 * fade.
 *
 * - `states`: the statechart moved (a microstep or a settled snapshot in the inspection stream):
 *   the active state ids, which were entered and left, the event that did it, and the SDK's
 *   public state (`getState()`, tokens as fingerprints) at that moment;
 * - `sdk`: the SDK was created, with the number of refusals that suspends sync (R8);
 * - `chapter`, `line`, `request`: the story's chapter, a timeline line (its self-checks
 *   included), a reference server request log entry;
 * - `stepping`: step mode was turned on or off (the story then waits for "Next" at each chapter);
 * - `pause` / `resume`: the story waits before a chapter (`untilAt` null: until "Next");
 * - `end`: the story is over.
 *
 * @example
 * ```ts
 * const message: WatchMessage = { type: 'chapter', at: Date.now(), index: 4, title: 'A forged token' }
 * ```
 */
export type WatchMessage =
  | {
      readonly type: 'states'
      readonly at: number
      readonly event: string
      readonly settled: boolean
      readonly active: readonly string[]
      readonly entered: readonly string[]
      readonly left: readonly string[]
      readonly sdk: SdkState | null
    }
  | { readonly type: 'sdk'; readonly at: number; readonly maxConsecutiveAuthFailures: number }
  | { readonly type: 'chapter'; readonly at: number; readonly index: number; readonly title: string }
  | { readonly type: 'line'; readonly at: number; readonly text: string }
  | { readonly type: 'request'; readonly at: number; readonly status: number | null; readonly text: string }
  | { readonly type: 'stepping'; readonly at: number; readonly on: boolean }
  | { readonly type: 'pause'; readonly at: number; readonly next: { readonly index: number; readonly title: string }; readonly untilAt: number | null }
  | { readonly type: 'resume'; readonly at: number }
  | { readonly type: 'end'; readonly at: number; readonly ok: boolean; readonly passed: number; readonly failed: number }

/**
 * The fields of an XState inspection event the hub reads. The SDK's inspect port delivers them
 * redacted (R18): plain JSON copies, actor references behind a read-only proxy.
 *
 * @example
 * ```ts
 * hub.inspect({ type: '@xstate.snapshot', rootId: 'x:0', actorRef: { sessionId: 'x:0' }, event: { type: 'FLUSH' }, snapshot: { value: 'starting' } })
 * ```
 */
export type InspectionLike = {
  readonly type: string
  readonly rootId?: string
  readonly actorRef?: { readonly sessionId?: string }
  readonly event?: { readonly type?: string }
  /** A machine's snapshot has a `value`; other actors' snapshots do not. */
  readonly snapshot?: unknown
}

const valueOf = (snapshot: unknown): unknown => (typeof snapshot === 'object' && snapshot !== null && 'value' in snapshot ? snapshot.value : undefined)

/**
 * The live view's data source: fed by the SDK's inspection stream and the demo story, read by
 * the watch server (which pushes every message to the open pages). It keeps the history so a
 * page opened or reloaded later still gets the state trail, the requests and the timeline.
 *
 * @example
 * ```ts
 * const hub = createWatchHub({ index, chart: statechartToMermaid() })
 * createSdk(config, { transport, inspect: hub.inspect })
 * const stop = hub.subscribe((message) => send(message))
 * ```
 */
export type WatchHub = {
  /** The SDK's `inspect` port. */
  readonly inspect: (event: InspectionLike) => void
  /** The SDK whose `getState()` the panels show, and its suspension threshold. */
  readonly sdkCreated: (sdk: Sdk, details: { readonly maxConsecutiveAuthFailures: number }) => void
  /** Any other message (chapters, timeline lines, pauses …); `at` is added. */
  readonly publish: (message: DistributiveOmit<WatchMessage, 'at'>) => void
  /** A timeline line as printed on the terminal (ANSI colours are removed). */
  readonly line: (text: string) => void
  /** One entry of the reference server's request log. */
  readonly request: (entry: RequestLogEntry) => void
  readonly hello: () => WatchHello
  readonly history: () => readonly WatchMessage[]
  /** Calls `listener` with every later message; returns the unsubscribe function. */
  readonly subscribe: (listener: (message: WatchMessage) => void) => () => void
}

/** `Omit` applied to each member of a union. */
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never

/**
 * The history is bounded: the demo story sends a few thousand messages; a page opened after
 * something runs for hours still gets the most recent ones.
 */
const MAX_HISTORY = 50_000
const ANSI_SGR = /\u001b\[[0-9;]*m/g

/**
 * Creates the hub for a statechart (its index) drawn from the given Mermaid text.
 *
 * @example
 * ```ts
 * const hub = createWatchHub({ index: indexStatechart(describeSyncMachine().root), chart: statechartToMermaid() })
 * ```
 */
export const createWatchHub = (options: { readonly index: StatechartIndex; readonly chart: string; readonly now?: () => number }): WatchHub => {
  const now = options.now ?? Date.now
  const history: WatchMessage[] = []
  const listeners = new Set<(message: WatchMessage) => void>()
  let sdk: Sdk | null = null
  let active: readonly string[] = []

  const emit = (message: WatchMessage): void => {
    history.push(message)
    if (history.length > MAX_HISTORY) history.splice(0, history.length - MAX_HISTORY)
    for (const listener of [...listeners]) listener(message)
  }
  const publish: WatchHub['publish'] = (message) => emit({ ...message, at: now() } as WatchMessage)

  return {
    inspect: (event) => {
      // Microsteps too, not only settled snapshots: a state passed through within one event
      // (an eventless step) shows nowhere else, and the trail must list it.
      if (event.type !== '@xstate.snapshot' && event.type !== '@xstate.microstep') return
      // Only the SDK's own machine: invoked actors (batch sends) report snapshots as well.
      if (event.actorRef?.sessionId === undefined || event.actorRef.sessionId !== event.rootId) return
      const value = valueOf(event.snapshot)
      if (value === undefined) return
      const next = activeStateIds(options.index, value)
      const { entered, left } = stateChanges(active, next)
      const settled = event.type === '@xstate.snapshot'
      // A microstep that moved nothing (an action-only transition) is noise; a settled snapshot
      // always goes out, since the SDK's counts may have changed.
      if (!settled && entered.length === 0 && left.length === 0) return
      active = next
      publish({ type: 'states', event: event.event?.type ?? '', settled, active: next, entered, left, sdk: sdk?.getState() ?? null })
    },
    sdkCreated: (created, details) => {
      sdk = created
      publish({ type: 'sdk', maxConsecutiveAuthFailures: details.maxConsecutiveAuthFailures })
    },
    publish,
    line: (text) => publish({ type: 'line', text: text.replace(ANSI_SGR, '') }),
    request: (entry) => publish({ type: 'request', status: entry.status, text: formatLogEntry(entry) }),
    hello: () => ({
      type: 'hello',
      chart: options.chart,
      nodes: chartNodes(options.index),
      elementIdPattern: MERMAID_STATE_ELEMENT_ID.source,
    }),
    history: () => [...history],
    subscribe: (listener) => {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
  }
}
