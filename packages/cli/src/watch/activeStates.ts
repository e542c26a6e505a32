/**
 * The watch page's one piece of translation: from a statechart snapshot to the nodes of the
 * Mermaid drawing that must light up. Three steps, each a pure function:
 *
 * 1. `snapshot.value` (what the inspection stream carries) → the active state node ids
 *    (`jwtSync.running.sync.rest.awaitingToken` and every ancestor), through the machine's own
 *    path → id index so a node with a custom `id` is still named right;
 * 2. state node id → the node id `statechartToMermaid` gives it (`running_sync_rest_awaitingToken`);
 * 3. the element id Mermaid's stateDiagram-v2 renders for that node
 *    (`<svg id>-state-running_sync_rest_awaitingToken-<counter>`) → the node id again.
 */

/**
 * The shape of an XState state node this module reads (so the CLI needs no XState import):
 * its id, its path from the root, and its children.
 *
 * @example
 * ```ts
 * const root: StateNodeLike = describeSyncMachine().root
 * ```
 */
export type StateNodeLike = {
  readonly id: string
  readonly path: readonly string[]
  readonly states: Readonly<Record<string, StateNodeLike>>
}

/**
 * The machine's state nodes indexed for the watch page: the root id, every node id in
 * definition order, and the id of each node by its path (keys joined by '.').
 *
 * @example
 * ```ts
 * const index = indexStatechart(describeSyncMachine().root)
 * index.idByPath.get('running.sync') // 'jwtSync.running.sync'
 * ```
 */
export type StatechartIndex = {
  readonly rootId: string
  readonly stateIds: readonly string[]
  readonly idByPath: ReadonlyMap<string, string>
}

/**
 * Indexes a machine's state nodes, depth first in definition order (the order
 * `statechartToMermaid` draws them in).
 *
 * @example
 * ```ts
 * indexStatechart(describeSyncMachine().root).stateIds // ['jwtSync', 'jwtSync.starting', ...]
 * ```
 */
export const indexStatechart = (root: StateNodeLike): StatechartIndex => {
  const stateIds: string[] = []
  const idByPath = new Map<string, string>()
  const walk = (node: StateNodeLike): void => {
    stateIds.push(node.id)
    idByPath.set(node.path.join('.'), node.id)
    for (const child of Object.values(node.states)) walk(child)
  }
  walk(root)
  return { rootId: root.id, stateIds, idByPath }
}

/**
 * The paths of every state active in an XState state value: a string names one active child,
 * an object names the active child of each key (every region of a parallel state, or the one
 * child of a compound state). Ancestors come before their descendants.
 *
 * @example
 * ```ts
 * activeStatePaths({ running: { presence: 'foreground', sync: 'deciding' } })
 * // [[], ['running'], ['running', 'presence'], ['running', 'presence', 'foreground'], ['running', 'sync'], ['running', 'sync', 'deciding']]
 * ```
 */
export const activeStatePaths = (value: unknown): string[][] => {
  const out: string[][] = [[]]
  const walk = (node: unknown, path: readonly string[]): void => {
    if (typeof node === 'string') {
      out.push([...path, node])
      return
    }
    if (node === null || typeof node !== 'object') return
    for (const [key, child] of Object.entries(node as Record<string, unknown>)) {
      out.push([...path, key])
      walk(child, [...path, key])
    }
  }
  walk(value, [])
  return out
}

/**
 * The active state node ids of a snapshot value, the root included, ancestors first. A path the
 * machine does not know (a snapshot of another machine) is skipped.
 *
 * @example
 * ```ts
 * activeStateIds(index, { running: { presence: 'foreground', sync: 'deciding' } })
 * // ['jwtSync', 'jwtSync.running', 'jwtSync.running.presence', 'jwtSync.running.presence.foreground', 'jwtSync.running.sync', 'jwtSync.running.sync.deciding']
 * ```
 */
export const activeStateIds = (index: StatechartIndex, value: unknown): string[] =>
  activeStatePaths(value).flatMap((path) => {
    const id = index.idByPath.get(path.join('.'))
    return id === undefined ? [] : [id]
  })

/**
 * The node id `statechartToMermaid` (core `src/sync/statechartGraph.ts`) declares for a state
 * node: the id without the machine's `jwtSync` prefix, dots as underscores, the root as `root`.
 * A test compares it with the generated Mermaid text, so a change on either side is caught.
 *
 * @example
 * ```ts
 * mermaidNodeIdOf('jwtSync.running.sync.rest.awaitingToken') // 'running_sync_rest_awaitingToken'
 * ```
 */
export const mermaidNodeIdOf = (stateId: string): string => stateId.replace(/^jwtSync\.?/, '').replace(/\./g, '_') || 'root'

/**
 * How Mermaid's stateDiagram-v2 (v12) names the SVG group of a state, leaf or composite:
 * `<svg id>-state-<node id>-<counter>`. The counter changes from render to render, so the page
 * matches the pattern rather than a fixed id. Capture group 1 is the node id.
 *
 * @example
 * ```ts
 * MERMAID_STATE_ELEMENT_ID.exec('chart-state-running_sync_idle-18')?.[1] // 'running_sync_idle'
 * ```
 */
export const MERMAID_STATE_ELEMENT_ID = /^.*-state-(.+)-\d+$/

/**
 * The Mermaid node id of a rendered SVG element id, or null for anything that is not a state
 * (edges, markers, Mermaid's own start/end dots, which the caller will not find in its index).
 *
 * @example
 * ```ts
 * nodeIdOfElement('chart-state-running_sync_idle-18') // 'running_sync_idle'
 * nodeIdOfElement('chart-edge3')                      // null
 * ```
 */
export const nodeIdOfElement = (elementId: string): string | null => MERMAID_STATE_ELEMENT_ID.exec(elementId)?.[1] ?? null

/**
 * The page's lookup table: each state node id (root excluded: it is the whole drawing) with the
 * Mermaid node id it is drawn as.
 *
 * @example
 * ```ts
 * chartNodes(index)[0] // { stateId: 'jwtSync.starting', nodeId: 'starting' }
 * ```
 */
export const chartNodes = (index: StatechartIndex): readonly { readonly stateId: string; readonly nodeId: string }[] =>
  index.stateIds.filter((id) => id !== index.rootId).map((stateId) => ({ stateId, nodeId: mermaidNodeIdOf(stateId) }))

/**
 * What changed between two active configurations: the states entered and the states left, each
 * in the order of its configuration (ancestors first).
 *
 * @example
 * ```ts
 * stateChanges(['a', 'a.x'], ['a', 'a.y']) // { entered: ['a.y'], left: ['a.x'] }
 * ```
 */
export const stateChanges = (before: readonly string[], after: readonly string[]): { readonly entered: readonly string[]; readonly left: readonly string[] } => {
  const was = new Set(before)
  const is = new Set(after)
  return { entered: after.filter((id) => !was.has(id)), left: before.filter((id) => !is.has(id)) }
}
