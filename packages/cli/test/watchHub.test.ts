import { describe, expect, it } from 'vitest'
import * as E from 'fp-ts/lib/Either.js'
import { runDemoStory } from '../src/demo/story.js'
import { createDemoTerminal } from '../src/demo/terminal.js'
import { indexStatechart, type StateNodeLike } from '../src/watch/activeStates.js'
import { createChapterGate } from '../src/watch/chapterGate.js'
import { startDemoWatch } from '../src/watch/demoWatch.js'
import { createWatchHub, type WatchMessage } from '../src/watch/watchHub.js'

/** A whole JWT: three base64url parts, the first two JSON objects. */
const FULL_JWT = /eyJ[\w-]{6,}\.eyJ[\w-]{6,}\.[\w-]{20,}/

const node = (path: readonly string[], states: Record<string, StateNodeLike> = {}): StateNodeLike => ({ id: ['m', ...path].join('.'), path, states })
const toy = node([], { idle: node(['idle']), busy: node(['busy'], { a: node(['busy', 'a']), b: node(['busy', 'b']) }) })
const rootRef = { sessionId: 'x:0' }

const statesOf = (messages: readonly WatchMessage[]) => messages.flatMap((message) => (message.type === 'states' ? [message] : []))

describe('watch hub: the inspection stream and the story, as the page receives them', () => {
  it('the machine\'s snapshots and microsteps become active states with what was entered and left', () => {
    let now = 1000
    const hub = createWatchHub({ index: indexStatechart(toy), chart: 'stateDiagram-v2', now: () => now })
    hub.inspect({ type: '@xstate.snapshot', rootId: 'x:0', actorRef: rootRef, event: { type: 'xstate.init' }, snapshot: { value: 'idle' } })
    now = 2000
    hub.inspect({ type: '@xstate.microstep', rootId: 'x:0', actorRef: rootRef, event: { type: 'GO' }, snapshot: { value: { busy: 'a' } } })
    hub.inspect({ type: '@xstate.snapshot', rootId: 'x:0', actorRef: rootRef, event: { type: 'GO' }, snapshot: { value: { busy: 'b' } } })
    expect(statesOf(hub.history()).map(({ at, event, settled, active, entered, left }) => ({ at, event, settled, active, entered, left }))).toEqual([
      { at: 1000, event: 'xstate.init', settled: true, active: ['m', 'm.idle'], entered: ['m', 'm.idle'], left: [] },
      { at: 2000, event: 'GO', settled: false, active: ['m', 'm.busy', 'm.busy.a'], entered: ['m.busy', 'm.busy.a'], left: ['m.idle'] },
      { at: 2000, event: 'GO', settled: true, active: ['m', 'm.busy', 'm.busy.b'], entered: ['m.busy.b'], left: ['m.busy.a'] },
    ])
  })

  it('invoked actors, events without a snapshot and microsteps that move nothing are left out', () => {
    const hub = createWatchHub({ index: indexStatechart(toy), chart: 'stateDiagram-v2' })
    hub.inspect({ type: '@xstate.snapshot', rootId: 'x:0', actorRef: rootRef, event: { type: 'xstate.init' }, snapshot: { value: 'idle' } })
    hub.inspect({ type: '@xstate.snapshot', rootId: 'x:0', actorRef: { sessionId: 'x:1' }, event: { type: 'x' }, snapshot: { status: 'done' } })
    hub.inspect({ type: '@xstate.event', rootId: 'x:0', actorRef: rootRef, event: { type: 'FLUSH' } })
    hub.inspect({ type: '@xstate.microstep', rootId: 'x:0', actorRef: rootRef, event: { type: 'FLUSH' }, snapshot: { value: 'idle' } })
    expect(statesOf(hub.history())).toHaveLength(1)
  })

  it('timeline lines lose their colours; subscribers get later messages until they unsubscribe', () => {
    const hub = createWatchHub({ index: indexStatechart(toy), chart: 'stateDiagram-v2' })
    const seen: WatchMessage[] = []
    const unsubscribe = hub.subscribe((message) => seen.push(message))
    hub.line('\u001b[1m4. A forged token\u001b[22m')
    unsubscribe()
    hub.line('not seen')
    expect(seen).toMatchObject([{ type: 'line', text: '4. A forged token' }])
    expect(hub.history()).toHaveLength(2)
    expect(hub.hello()).toMatchObject({ type: 'hello', chart: 'stateDiagram-v2', nodes: [{ stateId: 'm.idle', nodeId: 'm_idle' }, { stateId: 'm.busy', nodeId: 'm_busy' }, { stateId: 'm.busy.a', nodeId: 'm_busy_a' }, { stateId: 'm.busy.b', nodeId: 'm_busy_b' }] })
  })

  it('R18: the demo story through the hub: states, panels, requests and timeline, none holding a token', async () => {
    const watch = await startDemoWatch({ port: 0, paceMs: 0, stepping: false })
    try {
      const played = await runDemoStory({ terminal: createDemoTerminal({ writeLine: watch.line, colors: false }), ...watch.storyOptions })
      if (E.isLeft(played)) throw new Error(played.left)
      expect(played.right.ok).toBe(true)
      const history = watch.hub.history()
      const types = new Set(history.map((message) => message.type))
      expect([...types].sort()).toEqual(['chapter', 'line', 'request', 'sdk', 'states'])
      expect(history.filter((message) => message.type === 'chapter').map((message) => (message.type === 'chapter' ? message.index : 0))).toEqual([1, 2, 3, 4, 5, 6, 7, 8])
      expect(history.filter((message) => message.type === 'request')).toHaveLength(played.right.evidence.requests.length)
      const settled = statesOf(history).filter((message) => message.settled && message.sdk !== null)
      expect(settled.some((message) => message.sdk?.suspended === true && message.sdk.consecutiveAuthFailures === 10)).toBe(true)
      expect(settled.some((message) => message.sdk?.tokens['alice']?.status === 'rejected')).toBe(true)
      // A token shows as its fingerprint only: never whole, never its signature.
      const text = JSON.stringify(history)
      expect(text).not.toMatch(FULL_JWT)
      const issued = played.right.evidence.issuedTokens
      expect(issued.length).toBeGreaterThan(10)
      expect(issued.filter((token) => text.includes(token.slice(token.lastIndexOf('.') + 1).slice(0, 16)))).toEqual([])
    } finally {
      await watch.server.stop()
    }
  }, 60_000)
})

describe('chapter gate: how the watched story paces itself', () => {
  it('step mode waits for "Next"; a timed pause ends by itself or at "Next"; close releases for good', async () => {
    const told: string[] = []
    const gate = createChapterGate({ paceMs: 60_000, stepping: true, onPause: (next, untilAt) => told.push(`pause ${next.index} ${untilAt === null ? 'until next' : 'timed'}`), onResume: () => told.push('resume') })
    let passed = false
    const waiting = gate.beforeChapter({ index: 1, title: 'one' }).then(() => (passed = true))
    await new Promise((resolve) => setTimeout(resolve, 30))
    expect(passed).toBe(false)
    gate.next()
    await waiting
    gate.setStepping(false)
    const timed = gate.beforeChapter({ index: 2, title: 'two' })
    gate.next()
    await timed
    gate.close()
    await gate.beforeChapter({ index: 3, title: 'three' })
    expect(told).toEqual(['pause 1 until next', 'resume', 'pause 2 timed', 'resume'])

    const quick = createChapterGate({ paceMs: 20, stepping: false, onPause: () => undefined, onResume: () => undefined })
    const started = Date.now()
    await quick.beforeChapter({ index: 1, title: 'one' })
    expect(Date.now() - started).toBeGreaterThanOrEqual(15)
  })
})
