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

/**
 * Renders the statechart as a Mermaid `stateDiagram-v2`, generated from the machine definition
 * (the README embeds it; a test fails when the README's copy is stale).
 *
 * @example
 * ```ts
 * console.log(statechartToMermaid()) // stateDiagram-v2 ...
 * ```
 */
export const statechartToMermaid = (machine: AnyStateMachine = describeSyncMachine()): string => {
  const lines = ['stateDiagram-v2']
  const walk = (node: Node, indent: string): void => {
    const children = Object.values(node.states)
    if (children.length === 0) return
    const regions = node.type === 'parallel'
    children.forEach((child, index) => {
      if (regions && index > 0) lines.push(`${indent}--`)
      const childId = mermaidId(child.id)
      if (Object.keys(child.states).length > 0) {
        lines.push(`${indent}state ${childId} {`)
        walk(child, `${indent}  `)
        lines.push(`${indent}}`)
      } else {
        lines.push(`${indent}state "${child.key}" as ${childId}`)
      }
      if (child.type === 'final') lines.push(`${indent}${childId} --> [*]`)
    })
    const initial = node.initial?.target[0]
    if (initial !== undefined && !regions) lines.push(`${indent}[*] --> ${mermaidId(initial.id)}`)
    for (const child of children) {
      for (const list of transitionsOf(child)) {
        for (const transition of list) {
          for (const target of transition.target ?? []) {
            const guard = guardName(transition.guard)
            const label = `${readableEvent(transition.eventType === '' ? 'always' : transition.eventType)}${guard !== null ? ` [${guard}]` : ''}`
            lines.push(`${indent}${mermaidId(child.id)} --> ${mermaidId(target.id)}: ${label}`)
          }
        }
      }
    }
  }
  walk(machine.root as unknown as Node, '  ')
  // Transitions of the root (e.g. SHUTDOWN) leave every top-level state.
  const root = machine.root as unknown as Node
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
