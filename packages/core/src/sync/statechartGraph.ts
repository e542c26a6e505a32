import type { AnyStateMachine } from 'xstate'
import type { BatchId, SessionId } from '../model/item.js'
import { createSyncMachine, idleActor } from './machine.js'

/**
 * One transition of the statechart, named so tests and diagrams agree on it.
 *
 * @example
 * ```ts
 * const guarded = listTransitions(describeSyncMachine()).filter((info: TransitionInfo) => info.guard !== null)
 * ```
 */
export type TransitionInfo = {
  /** `source|event|index`: index tells guarded branches for the same event apart. */
  readonly key: string
  readonly source: string
  readonly event: string
  readonly targets: readonly string[]
  readonly guard: string | null
}

type Node = {
  readonly id: string
  readonly key: string
  readonly type: string
  readonly initial?: { readonly target: readonly Node[] }
  readonly states: Readonly<Record<string, Node>>
  readonly transitions: ReadonlyMap<string, readonly Transition[]>
  readonly always?: readonly Transition[]
}
type Transition = { readonly eventType: string; readonly target?: readonly Node[]; readonly guard?: unknown; readonly source: Node }

/** A guard as the diagram labels it: its name, with its parameters (`authIs(identified)`). */
const guardName = (guard: unknown): string | null => {
  if (typeof guard === 'string') return guard
  if (typeof guard !== 'object' || guard === null || !('type' in guard)) return null
  const { type, params } = guard as { type: unknown; params?: unknown }
  const values = typeof params === 'object' && params !== null ? Object.values(params).map(String) : []
  return values.length > 0 ? `${String(type)}(${values.join(', ')})` : String(type)
}

const transitionsOf = (node: Node): Transition[][] => [...node.transitions.values(), ...(node.always !== undefined ? [node.always] : [])].map((list) => [...list])

/**
 * Every state node id of a machine, depth first.
 *
 * @example
 * ```ts
 * listStates(describeSyncMachine()) // ['jwtSync', 'jwtSync.starting', 'jwtSync.running', ...]
 * ```
 */
export const listStates = (machine: AnyStateMachine): string[] => {
  const out: string[] = []
  const walk = (node: Node): void => {
    out.push(node.id)
    for (const child of Object.values(node.states)) walk(child)
  }
  walk(machine.root as unknown as Node)
  return out
}

/**
 * The key of a transition definition as it appears in inspection events (`@xstate.microstep`).
 *
 * @example
 * ```ts
 * const inspect = (event: InspectionEvent) => {
 *   if (event.type === '@xstate.microstep') for (const t of event._transitions) taken.add(transitionKey(t))
 * }
 * ```
 */
export const transitionKey = (transition: unknown): string => {
  const t = transition as Transition
  const list = t.eventType === '' ? (t.source.always ?? []) : (t.source.transitions.get(t.eventType) ?? [])
  return `${t.source.id}|${t.eventType === '' ? 'always' : t.eventType}|${list.indexOf(t)}`
}

/**
 * Every transition of a machine (event, delayed and eventless), in definition order.
 *
 * @example
 * ```ts
 * const untaken = listTransitions(describeSyncMachine()).filter((info) => !taken.has(info.key))
 * ```
 */
export const listTransitions = (machine: AnyStateMachine): TransitionInfo[] => {
  const out: TransitionInfo[] = []
  const walk = (node: Node): void => {
    for (const list of transitionsOf(node)) {
      for (const transition of list) {
        out.push({
          key: transitionKey(transition),
          source: node.id,
          event: transition.eventType === '' ? 'always' : transition.eventType,
          targets: (transition.target ?? []).map((target) => target.id),
          guard: guardName(transition.guard),
        })
      }
    }
    for (const child of Object.values(node.states)) walk(child)
  }
  walk(machine.root as unknown as Node)
  return out
}

/**
 * The jwt-sync statechart with IO actors that do nothing: for diagrams and graph tests.
 *
 * @example
 * ```ts
 * const machine = describeSyncMachine()
 * listTransitions(machine).length // every transition, for coverage checks
 * ```
 */
export const describeSyncMachine = () =>
  createSyncMachine({
    now: () => 0,
    random: () => 0,
    nextSessionId: () => 's-diagram' as SessionId,
    nextBatchId: () => 'b-diagram' as BatchId,
    actors: { restore: idleActor<void>(), formBatch: idleActor(), sendBatch: idleActor(), awaitDeletion: idleActor<void>() },
  })

const mermaidId = (id: string): string => id.replace(/^jwtSync\.?/, '').replace(/\./g, '_') || 'root'
const readableEvent = (event: string): string =>
  event.startsWith('xstate.after.') ? `after ${event.split('.')[2]?.replace(/^\d+$/, (n) => `${n} ms`) ?? ''}` : event.startsWith('xstate.done.') ? 'done' : event

/** Every descendant of a state node, depth first. */
const descendantsOf = (node: Node): Node[] => Object.values(node.states).flatMap((child) => [child, ...descendantsOf(child)])

/** Whether `id` names `ancestor` or a state inside it. */
const isWithin = (id: string, ancestor: Node): boolean => id === ancestor.id || id.startsWith(`${ancestor.id}.`)

/**
 * Mermaid cannot draw a transition between states that sit inside different clusters (its
 * layout then pulls the states out of their boxes). A compound state with a transition crossing
 * its boundary to or from one of its descendants is therefore drawn flat: a plain node standing
 * for "any of its states" (carrying its own transitions, lit while any of them is active), and its
 * states beside it, named `compound.state`.
 */
const crossesBoundary = (node: Node, edges: readonly { source: string; target: string }[]): boolean =>
  edges.some(({ source, target }) => {
    const sourceInside = isWithin(source, node) && source !== node.id
    const targetInside = isWithin(target, node) && target !== node.id
    return sourceInside !== targetInside && (sourceInside ? !isWithin(target, node) : !isWithin(source, node))
  })

/**
 * Renders the statechart as a Mermaid `stateDiagram-v2`, generated from the machine definition
 * (the README embeds it; a test fails when the README's copy is stale). Transitions between the
 * same two states share one arrow, their labels joined.
 *
 * @example
 * ```ts
 * console.log(statechartToMermaid()) // stateDiagram-v2 ...
 * ```
 */
export const statechartToMermaid = (machine: AnyStateMachine = describeSyncMachine()): string => {
  const root = machine.root as unknown as Node
  const edges = [root, ...descendantsOf(root)].flatMap((node) =>
    transitionsOf(node).flatMap((list) => list.flatMap((transition) => (transition.target ?? []).map((target) => ({ source: node.id, target: target.id })))),
  )
  const lines = ['stateDiagram-v2']
  const labelOf = (transition: Transition): string => {
    const guard = guardName(transition.guard)
    return `${readableEvent(transition.eventType === '' ? 'always' : transition.eventType)}${guard !== null ? ` [${guard}]` : ''}`
  }
  /** The states drawn at one level: children, with flattened compounds opened up beside them. */
  const membersOf = (node: Node, prefix: string): { node: Node; label: string; cluster: boolean }[] =>
    Object.values(node.states).flatMap((child) => {
      const label = `${prefix}${child.key}`
      const compound = Object.keys(child.states).length > 0
      if (!compound) return [{ node: child, label, cluster: false }]
      if (child.type === 'parallel' || !crossesBoundary(child, edges)) return [{ node: child, label, cluster: true }]
      return [{ node: child, label: `${label} (any)`, cluster: false }, ...membersOf(child, `${label}.`)]
    })
  const walk = (node: Node, indent: string): void => {
    const members = membersOf(node, '')
    const regions = node.type === 'parallel'
    members.forEach((member, index) => {
      if (regions && index > 0) lines.push(`${indent}--`)
      const memberId = mermaidId(member.node.id)
      if (member.cluster) {
        lines.push(`${indent}state ${memberId} {`)
        walk(member.node, `${indent}  `)
        lines.push(`${indent}}`)
      } else {
        lines.push(`${indent}state "${member.label}" as ${memberId}`)
      }
      if (member.node.type === 'final') lines.push(`${indent}${memberId} --> [*]`)
    })
    const initial = node.initial?.target[0]
    if (initial !== undefined && !regions) lines.push(`${indent}[*] --> ${mermaidId(initial.id)}`)
    const arrows = new Map<string, string[]>()
    for (const member of members) {
      for (const list of transitionsOf(member.node)) {
        for (const transition of list) {
          for (const target of transition.target ?? []) {
            const key = `${mermaidId(member.node.id)} --> ${mermaidId(target.id)}`
            arrows.set(key, [...(arrows.get(key) ?? []), labelOf(transition)])
          }
        }
      }
    }
    for (const [arrow, labels] of arrows) lines.push(`${indent}${arrow}: ${labels.join(', ')}`)
  }
  walk(root, '  ')
  // Transitions of the root (e.g. SHUTDOWN) leave every top-level state.
  for (const list of transitionsOf(root)) {
    for (const transition of list) {
      for (const target of transition.target ?? []) {
        for (const top of Object.values(root.states)) {
          if (top.type !== 'final') lines.push(`  ${mermaidId(top.id)} --> ${mermaidId(target.id)}: ${readableEvent(transition.eventType)}`)
        }
      }
    }
  }
  return `${lines.join('\n')}\n`
}
