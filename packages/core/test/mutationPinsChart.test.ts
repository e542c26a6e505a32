// Tests that pin the statechart tooling exactly (R19: the chart is observable; the README's
// diagram and the path-coverage test are generated from it): the state and transition lists,
// transition keys as inspection reports them, and the Mermaid rendering of every construct, on a
// small machine that has each one. Each kills mutants the README diagram test lets live
// (mutation/README.md).
import { describe, expect, it } from 'vitest'
import { createActor, createMachine, fromPromise, type InspectionEvent } from 'xstate'
import { describeSyncMachine, listStates, listTransitions, statechartToMermaid, transitionKey } from '../src/sync/statechartGraph.js'

const tiny = createMachine(
  {
    id: 'jwtSync',
    initial: 'a',
    on: { STOP: { target: '.done' }, PING: { actions: [] } },
    states: {
      a: {
        after: { 500: { target: 'b' } },
        on: {
          GO: { target: 'p', guard: { type: 'ok', params: { level: 2, name: 'x' } } },
          NOP: { guard: 'plain', actions: [] },
          DEEP: { target: '#jwtSync.p.r1.y', guard: { type: 'g' } },
          IN: { target: '#jwtSync.c3.e' },
        },
      },
      b: { invoke: { src: fromPromise(async () => 1), onDone: { target: 'box' } } },
      box: { initial: 'inner', states: { inner: { on: { OUT: { target: '#jwtSync.a' } } }, other: { after: { later: { target: 'inner' }, step2: { target: 'inner' } } } } },
      c2: { initial: 'c', states: { c: { on: { UP: { target: '#jwtSync.c2' } } } } },
      c3: { initial: 'd', states: { d: {}, e: {} } },
      p: {
        type: 'parallel',
        states: {
          r1: { initial: 'x', states: { x: { always: { target: 'y', guard: { type: 'g', params: {} } } }, y: {} } },
          r2: { initial: 'z', states: { z: {} } },
        },
      },
      done: { type: 'final' },
    },
  },
  { guards: { ok: () => true, plain: () => false, g: () => true }, delays: { later: 10, step2: 20 } },
)

describe('R19: the statechart as data', () => {
  it('R19: every state id, depth first, the root included', () => {
    expect(listStates(tiny)).toEqual([
      'jwtSync',
      'jwtSync.a',
      'jwtSync.b',
      'jwtSync.box',
      'jwtSync.box.inner',
      'jwtSync.box.other',
      'jwtSync.c2',
      'jwtSync.c2.c',
      'jwtSync.c3',
      'jwtSync.c3.d',
      'jwtSync.c3.e',
      'jwtSync.p',
      'jwtSync.p.r1',
      'jwtSync.p.r1.x',
      'jwtSync.p.r1.y',
      'jwtSync.p.r2',
      'jwtSync.p.r2.z',
      'jwtSync.done',
    ])
    const states = listStates(describeSyncMachine())
    expect(states.slice(0, 4)).toEqual(['jwtSync', 'jwtSync.starting', 'jwtSync.running', 'jwtSync.running.presence'])
    expect(states).toContain('jwtSync.running.sync.logoutFlush.deleting')
    expect(states.at(-1)).toBe('jwtSync.stopped')
  })
  it('R19: every transition with its key, event, targets and guard (parameters shown)', () => {
    expect(listTransitions(tiny)).toEqual([
      { key: 'jwtSync|STOP|0', source: 'jwtSync', event: 'STOP', targets: ['jwtSync.done'], guard: null },
      { key: 'jwtSync|PING|0', source: 'jwtSync', event: 'PING', targets: [], guard: null },
      { key: 'jwtSync.a|GO|0', source: 'jwtSync.a', event: 'GO', targets: ['jwtSync.p'], guard: 'ok(2, x)' },
      { key: 'jwtSync.a|NOP|0', source: 'jwtSync.a', event: 'NOP', targets: [], guard: 'plain' },
      { key: 'jwtSync.a|DEEP|0', source: 'jwtSync.a', event: 'DEEP', targets: ['jwtSync.p.r1.y'], guard: 'g' },
      { key: 'jwtSync.a|IN|0', source: 'jwtSync.a', event: 'IN', targets: ['jwtSync.c3.e'], guard: null },
      { key: 'jwtSync.a|xstate.after.500.jwtSync.a|0', source: 'jwtSync.a', event: 'xstate.after.500.jwtSync.a', targets: ['jwtSync.b'], guard: null },
      { key: 'jwtSync.b|xstate.done.actor.0.jwtSync.b|0', source: 'jwtSync.b', event: 'xstate.done.actor.0.jwtSync.b', targets: ['jwtSync.box'], guard: null },
      { key: 'jwtSync.box.inner|OUT|0', source: 'jwtSync.box.inner', event: 'OUT', targets: ['jwtSync.a'], guard: null },
      { key: 'jwtSync.box.other|xstate.after.later.jwtSync.box.other|0', source: 'jwtSync.box.other', event: 'xstate.after.later.jwtSync.box.other', targets: ['jwtSync.box.inner'], guard: null },
      { key: 'jwtSync.box.other|xstate.after.step2.jwtSync.box.other|0', source: 'jwtSync.box.other', event: 'xstate.after.step2.jwtSync.box.other', targets: ['jwtSync.box.inner'], guard: null },
      { key: 'jwtSync.c2.c|UP|0', source: 'jwtSync.c2.c', event: 'UP', targets: ['jwtSync.c2'], guard: null },
      { key: 'jwtSync.p.r1.x|always|0', source: 'jwtSync.p.r1.x', event: 'always', targets: ['jwtSync.p.r1.y'], guard: 'g' },
    ])
    const chart = listTransitions(describeSyncMachine())
    expect(new Set(chart.map((t) => t.key)).size).toBe(chart.length)
    expect(chart).toContainEqual({
      key: 'jwtSync.running.session.active|always|0',
      source: 'jwtSync.running.session.active',
      event: 'always',
      targets: ['jwtSync.running.session.suspended'],
      guard: 'authFailureLimitReached',
    })
    expect(chart.find((t) => t.key === 'jwtSync.running.auth.anonymous|always|1')?.guard).toBe('authIs(identified)')
  })
  it('R19: the key of a transition taken, as inspection reports it, is its key in the list', () => {
    const taken: string[] = []
    const actor = createActor(tiny, {
      inspect: (event: InspectionEvent) => {
        if (event.type === '@xstate.microstep') for (const transition of event._transitions) taken.push(transitionKey(transition))
      },
    })
    actor.start()
    actor.send({ type: 'GO' })
    actor.send({ type: 'STOP' })
    actor.stop()
    expect(taken).toEqual(['jwtSync.a|GO|0', 'jwtSync.p.r1.x|always|0', 'jwtSync|STOP|0'])
    const keys = new Set(listTransitions(tiny).map((t) => t.key))
    for (const key of taken) expect(keys.has(key)).toBe(true)
  })
  it('R19: the Mermaid rendering: regions, flattened boxes, delays in ms or by name, done events, guards, finals, root transitions', () => {
    // A compound is drawn flat when a transition crosses its box (box, c3, and the region r1 of
    // the parallel p), as a box when its transitions stay inside or end at the box itself (c2).
    expect(statechartToMermaid(tiny)).toBe(
      [
        'stateDiagram-v2',
        '  state "a" as a',
        '  state "b" as b',
        '  state "box (any)" as box',
        '  state "box.inner" as box_inner',
        '  state "box.other" as box_other',
        '  state c2 {',
        '    state "c" as c2_c',
        '    [*] --> c2_c',
        '    c2_c --> c2: UP',
        '  }',
        '  state "c3 (any)" as c3',
        '  state "c3.d" as c3_d',
        '  state "c3.e" as c3_e',
        '  state p {',
        '    state "r1 (any)" as p_r1',
        '    --',
        '    state "r1.x" as p_r1_x',
        '    --',
        '    state "r1.y" as p_r1_y',
        '    --',
        '    state p_r2 {',
        '      state "z" as p_r2_z',
        '      [*] --> p_r2_z',
        '    }',
        '    p_r1_x --> p_r1_y: always [g]',
        '  }',
        '  state "done" as done',
        '  done --> [*]',
        '  [*] --> a',
        '  a --> p: GO [ok(2, x)]',
        '  a --> p_r1_y: DEEP [g]',
        '  a --> c3_e: IN',
        '  a --> b: after 500 ms',
        '  b --> box: done',
        '  box_inner --> a: OUT',
        '  box_other --> box_inner: after later, after step2',
        '  a --> done: STOP',
        '  b --> done: STOP',
        '  box --> done: STOP',
        '  c2 --> done: STOP',
        '  c3 --> done: STOP',
        '  p --> done: STOP',
        '',
      ].join('\n'),
    )
  })
})
