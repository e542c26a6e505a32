import { describe, expect, it } from 'vitest'
import { describeSyncMachine, listStates, statechartToMermaid } from '@jwt-sync/core/statechart'
import {
  activeStateIds,
  activeStatePaths,
  chartNodes,
  indexStatechart,
  mermaidNodeIdOf,
  nodeIdOfElement,
  stateChanges,
  type StateNodeLike,
} from '../src/watch/activeStates.js'

/** A state node as XState builds it: id from the path unless the definition names one. */
const node = (path: readonly string[], states: Record<string, StateNodeLike> = {}, id?: string): StateNodeLike => ({
  id: id ?? ['m', ...path].join('.'),
  path,
  states,
})

/** m { a { x, y }, p (parallel) { left { on, off }, right { hidden (id "#secret") } } } */
const toy = node([], {
  a: node(['a'], { x: node(['a', 'x']), y: node(['a', 'y']) }),
  p: node(['p'], {
    left: node(['p', 'left'], { on: node(['p', 'left', 'on']), off: node(['p', 'left', 'off']) }),
    right: node(['p', 'right'], { hidden: node(['p', 'right', 'hidden'], {}, 'secret') }),
  }),
})

describe('watch page: from a snapshot value to the Mermaid nodes to light', () => {
  it('a state value names every active state, ancestors first, each region of a parallel state', () => {
    expect(activeStatePaths('a')).toEqual([[], ['a']])
    expect(activeStatePaths({ a: 'x' })).toEqual([[], ['a'], ['a', 'x']])
    expect(activeStatePaths({ p: { left: 'on', right: 'hidden' } })).toEqual([[], ['p'], ['p', 'left'], ['p', 'left', 'on'], ['p', 'right'], ['p', 'right', 'hidden']])
  })

  it('active state ids come from the machine\'s own index: a node with its own id keeps it; unknown paths are skipped', () => {
    const index = indexStatechart(toy)
    expect(activeStateIds(index, { p: { left: 'off', right: 'hidden' } })).toEqual(['m', 'm.p', 'm.p.left', 'm.p.left.off', 'm.p.right', 'secret'])
    expect(activeStateIds(index, { a: 'nowhere' })).toEqual(['m', 'm.a'])
  })

  it('the index lists the states in the order core\'s listStates does', () => {
    const machine = describeSyncMachine()
    expect(indexStatechart(machine.root).stateIds).toEqual(listStates(machine))
  })

  it('the presence region of the real machine maps to its state ids', () => {
    const index = indexStatechart(describeSyncMachine().root)
    const ids = activeStateIds(index, { running: { presence: 'background' } })
    expect(ids).toEqual(['jwtSync', 'jwtSync.running', 'jwtSync.running.presence', 'jwtSync.running.presence.background'])
  })

  it('every state of the machine is declared in the diagram under the node id the page looks for', () => {
    const machine = describeSyncMachine()
    const chart = statechartToMermaid(machine)
    const declared = new Set([...chart.matchAll(/^\s*state (?:"[^"]*" as (\S+)|(\S+) \{)$/gm)].map((match) => match[1] ?? match[2]))
    const nodes = chartNodes(indexStatechart(machine.root))
    expect(nodes.length).toBe(listStates(machine).length - 1)
    expect(nodes.filter(({ nodeId }) => !declared.has(nodeId))).toEqual([])
    // And no two states share a node.
    expect(new Set(nodes.map(({ nodeId }) => nodeId)).size).toBe(nodes.length)
  })

  it('state ids of the redesigned chart map to the node ids statechartToMermaid gives them', () => {
    expect(mermaidNodeIdOf('jwtSync.running.sync.rest.awaitingToken')).toBe('running_sync_rest_awaitingToken')
    expect(mermaidNodeIdOf('jwtSync.running.session.suspended')).toBe('running_session_suspended')
    expect(mermaidNodeIdOf('jwtSync.starting')).toBe('starting')
    expect(mermaidNodeIdOf('jwtSync')).toBe('root')
  })

  it('rendered element ids (Mermaid 12 stateDiagram-v2) give back the node id; other elements give null', () => {
    // As Mermaid 12.3 renders them: leaves and composites alike, a counter that varies per render.
    expect(nodeIdOfElement('statechart-state-running_sync_rest_awaitingToken-42')).toBe('running_sync_rest_awaitingToken')
    expect(nodeIdOfElement('statechart-state-running-61')).toBe('running')
    expect(nodeIdOfElement('my-state-chart-state-running_session_suspended-7')).toBe('running_session_suspended')
    expect(nodeIdOfElement('statechart-edge3')).toBeNull()
    expect(nodeIdOfElement('statechart_stateDiagram-barbEnd')).toBeNull()
  })

  it('entered and left states between two configurations', () => {
    expect(stateChanges(['m', 'm.a', 'm.a.x'], ['m', 'm.a', 'm.a.y'])).toEqual({ entered: ['m.a.y'], left: ['m.a.x'] })
    expect(stateChanges([], ['m', 'm.a'])).toEqual({ entered: ['m', 'm.a'], left: [] })
    expect(stateChanges(['m', 'm.a'], ['m', 'm.a'])).toEqual({ entered: [], left: [] })
  })
})
