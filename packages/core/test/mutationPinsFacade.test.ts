// Tests that pin the facade `createSdk` where the broader tests look only at the outcome: the
// items it queues, what flush, logout and flushAndShutdown report, what shutdown leaves behind,
// the calls it refuses, and when it holds writes. Each kills mutants the broader tests let live
// (mutation/README.md).
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import type { InspectionEvent } from 'xstate'
import { createManualClock, createSdk, type HttpRequest, type LogFields, type Logger, type Storage } from '@jwt-sync/core'
import { START, baseConfig, createScriptedServer, expectLeft, expectRight, settle, startHarness, storageWith, validToken } from './harness.js'

type Line = { level: string; message: string; fields: LogFields }
const recordingLogger = (lines: Line[]): Logger => ({
  debug: (message, fields) => lines.push({ level: 'debug', message, fields }),
  info: (message, fields) => lines.push({ level: 'info', message, fields }),
  warn: (message, fields) => lines.push({ level: 'warn', message, fields }),
  error: (message, fields) => lines.push({ level: 'error', message, fields }),
})

/** The scripted server, with every request body it received kept (the harness keeps only ids). */
const recordingServer = () => {
  const server = createScriptedServer()
  const bodies: { items: Record<string, unknown>[] }[] = []
  const transport = {
    send: (request: HttpRequest) => {
      bodies.push(JSON.parse(request.body) as { items: Record<string, unknown>[] })
      return server.transport.send(request)
    },
  }
  return { server, bodies, transport }
}

/** The memory storage, counting commits that append items and closes. */
const countingStorage = () => {
  const counts = { appendCommits: 0, commits: 0, closes: 0 }
  const storage: Storage = storageWith((ns) => ({
    commit: (write) => {
      counts.commits++
      if ((write.append?.length ?? 0) > 0) counts.appendCommits++
      return ns.commit(write)
    },
    close: () => {
      counts.closes++
      return ns.close()
    },
  }))
  return { storage, counts }
}

/** A 400 naming the item as invalid: it goes to the dead letters (R10). */
const rejectItem = (id: string) => ({ status: 400, body: JSON.stringify({ error: { type: 'VALIDATION', message: 'no', itemIds: [id] } }) })
const idOf = (tracked: E.Either<unknown, { id: string }>): string => expectRight(tracked).id

describe('R19 R17: the items the facade queues', () => {
  it('R19: setUserAttribute queues a user_attribute item, track an event item, each with its validated name', async () => {
    const { bodies, transport } = recordingServer()
    const sdk = createSdk(baseConfig({}, false), { transport, clock: createManualClock(START) })
    const attribute = idOf(sdk.setUserAttribute('plan', 'pro'))
    const event = idOf(sdk.track('Opened', { screen: 'home' }))
    expect(expectRight(await sdk.flush()).delivered).toBe(2)
    const items = bodies.flatMap((body) => body.items)
    expect(items.find((item) => item['id'] === attribute)).toMatchObject({ type: 'user_attribute', name: 'plan', value: 'pro' })
    expect(items.find((item) => item['id'] === event)).toMatchObject({ type: 'event', name: 'Opened', attributes: { screen: 'home' } })
    await sdk.shutdown()
  })
  it('R17: setUserAttribute with a bad name names the field `name` and queues nothing', async () => {
    const { server, bodies, transport } = recordingServer()
    const sdk = createSdk(baseConfig({}, false), { transport, clock: createManualClock(START) })
    expect(expectLeft(sdk.setUserAttribute(5 as never, 'pro'))).toEqual({ code: 'INVALID_INPUT', field: 'name', message: 'name: expected a string, got number' })
    expect(expectLeft(sdk.setUserAttribute('', 'pro'))).toMatchObject({ code: 'INVALID_INPUT', field: 'name' })
    expect(expectRight(await sdk.flush())).toEqual({ delivered: 0, deadLettered: 0, deleted: 0, pending: 0, waiting: [] })
    expect(server.requests).toEqual([])
    expect(bodies).toEqual([])
    await sdk.shutdown()
  })
})

describe('R17 R1: passAuthenticationDetails answers', () => {
  it('R17: details that are not an object are refused naming `details`', async () => {
    const sdk = createSdk(baseConfig(), { transport: createScriptedServer().transport, clock: createManualClock(START) })
    for (const details of ['u1', 5, null, undefined]) {
      expect(expectLeft(sdk.passAuthenticationDetails(details as never))).toStrictEqual({ code: 'INVALID_INPUT', field: 'details', message: 'details: expected { token, identifier }' })
    }
    await sdk.shutdown()
  })
  it('R1: with JWT disabled the answer is JWT_DISABLED with no numericCode field at all', async () => {
    const sdk = createSdk(baseConfig({}, false), { transport: createScriptedServer().transport, clock: createManualClock(START) })
    const answer = expectLeft(sdk.passAuthenticationDetails({ identifier: 'u1', token: validToken('u1', START) }))
    expect(answer).toStrictEqual({ code: 'JWT_DISABLED', message: 'JWT is disabled in networkConfig.authorizationConfig' })
    expect(Object.keys(answer)).toEqual(['code', 'message'])
    await sdk.shutdown()
  })
})

describe('R15 R17: listeners that are not listeners', () => {
  it('R15: a non-function authentication or problem listener is never registered, so nothing throws when errors come; an { onError } object is', async () => {
    const lines: Line[] = []
    const server = createScriptedServer()
    const sdk = createSdk(baseConfig(), { transport: server.transport, clock: createManualClock(START), logger: recordingLogger(lines) })
    for (const listener of [null, 5, 'x', {}, { onError: 'no' }]) sdk.registerAuthenticationListener(listener as never)
    for (const listener of [null, 5, 'x', {}]) sdk.registerProblemListener(listener as never)
    const heard: string[] = []
    sdk.registerAuthenticationListener({ onError: (error) => heard.push(error.details.code) })
    const problems: string[] = []
    sdk.registerProblemListener((problem) => problems.push(problem.type))
    sdk.identify('u1')
    expect(expectLeft(sdk.passAuthenticationDetails({ identifier: 'u1', token: 'not-a-jwt' })).code).toBe('DECRYPTION_FAILED')
    sdk.passAuthenticationDetails({ identifier: 'u1', token: validToken('u1', START) })
    const bad = idOf(sdk.track('bad'))
    server.answer(rejectItem(bad))
    expect(expectRight(await sdk.flush()).deadLettered).toBe(1)
    expect(heard).toEqual(['DECRYPTION_FAILED'])
    expect(problems).toEqual(['DEAD_LETTER'])
    expect(lines.filter((line) => line.message.includes('listener threw'))).toEqual([])
    await sdk.shutdown()
  })
})

describe('R12: what flush and logout report', () => {
  it('R12: delivered, deadLettered and deleted count what this attempt did, not the totals', async () => {
    const { sdk, server } = await startHarness()
    // Totals of 1 each first.
    sdk.track('a')
    expect(expectRight(await sdk.flush())).toEqual({ delivered: 1, deadLettered: 0, deleted: 0, pending: 0, waiting: [] })
    server.answer(rejectItem(idOf(sdk.track('b'))))
    expect(expectRight(await sdk.flush())).toMatchObject({ delivered: 0, deadLettered: 1 })
    sdk.identify('u1')
    sdk.track('c')
    expect(expectRight(await sdk.logout())).toMatchObject({ delivered: 0, deadLettered: 0, deleted: 1 })
    // Then one more of each.
    sdk.track('d')
    expect(expectRight(await sdk.flush())).toEqual({ delivered: 1, deadLettered: 0, deleted: 0, pending: 0, waiting: [] })
    server.answer(rejectItem(idOf(sdk.track('e'))))
    expect(expectRight(await sdk.flush())).toEqual({ delivered: 0, deadLettered: 1, deleted: 0, pending: 0, waiting: [] })
    sdk.identify('u2')
    sdk.track('f')
    expect(expectRight(await sdk.logout())).toEqual({ delivered: 0, deadLettered: 0, deleted: 1, pending: 0, waiting: [] })
    await sdk.shutdown()
  })
  it('R12: items left pending are reported with why they wait', async () => {
    const { sdk } = await startHarness()
    sdk.identify('u1')
    sdk.track('e')
    expect(expectRight(await sdk.flush())).toEqual({ delivered: 0, deadLettered: 0, deleted: 0, pending: 1, waiting: ['awaiting-token'] })
    await sdk.shutdown()
  })
  it('R12 R13: with nothing pending nothing waits, even while a storage write keeps failing', async () => {
    let failRemoves = false
    const storage = storageWith((ns) => ({
      commit: (write) => (failRemoves && (write.remove?.length ?? 0) > 0 ? () => Promise.resolve(E.left({ kind: 'io' as const, message: 'broken' })) : ns.commit(write)),
    }))
    const { sdk, clock } = await startHarness({ storage })
    const problems: unknown[] = []
    sdk.registerProblemListener((problem) => problems.push(problem))
    sdk.track('a')
    await sdk.whenPersisted()
    failRemoves = true
    // The acknowledgement of the delivered item cannot be written.
    expect(expectRight(await sdk.flush())).toEqual({ delivered: 1, deadLettered: 0, deleted: 0, pending: 0, waiting: [] })
    clock.advance(1_000)
    await settle()
    expect(problems).toEqual([{ type: 'STORAGE', kind: 'io', message: 'broken' }])
    expect(expectRight(await sdk.flush())).toEqual({ delivered: 0, deadLettered: 0, deleted: 0, pending: 0, waiting: [] })
    failRemoves = false
    clock.advance(2_000)
    await settle()
    await sdk.shutdown()
  })
})

describe('R12: flushAndShutdown', () => {
  it('R12: with no options it uses the configured timeout and shuts down', async () => {
    const { sdk } = await startHarness()
    sdk.track('e')
    expect(expectRight(await sdk.flushAndShutdown())).toEqual({ delivered: 1, deadLettered: 0, deleted: 0, pending: 0, waiting: [], timedOut: false })
    expect(sdk.getState().status).toBe('stopped')
  })
  it('R12: a flush that outlasts the deadline reports what was done meanwhile (differences, not totals), what is pending, and no reasons', async () => {
    const { sdk, server, clock } = await startHarness()
    sdk.track('a')
    await sdk.flush()
    server.answer(rejectItem(idOf(sdk.track('b'))))
    await sdk.flush()
    sdk.identify('u1')
    sdk.track('c')
    await sdk.logout()
    sdk.track('d')
    sdk.track('e')
    server.answer({ hold: true })
    const report = sdk.flushAndShutdown({ timeoutMs: 1_000 })
    await settle()
    expect(server.heldCount()).toBe(1)
    clock.advance(1_000)
    expect(expectRight(await report)).toEqual({ delivered: 0, deadLettered: 0, deleted: 0, pending: 2, waiting: [], timedOut: true })
    expect(sdk.getState().status).toBe('stopped')
  })
})

describe('R12 R19: shutdown', () => {
  const inspected = async () => {
    const events: InspectionEvent[] = []
    const counting = countingStorage()
    const harness = await startHarness({ storage: counting.storage, inspect: (event) => events.push(event) })
    const sent = (type: string) => events.filter((event) => event.type === '@xstate.event' && event.event.type === type).length
    return { ...harness, sent, counts: counting.counts }
  }
  it('R19: shutdown sends SHUTDOWN once, stops the actor, closes storage once, and leaves no timer behind', async () => {
    const { sdk, clock, sent, counts } = await inspected()
    expect(clock.pendingTimers()).toBeGreaterThan(0)
    await sdk.shutdown()
    expect(sent('SHUTDOWN')).toBe(1)
    expect(sdk.actor.getSnapshot().status).toBe('done')
    expect(clock.pendingTimers()).toBe(0)
    expect(counts.closes).toBe(1)
    await sdk.shutdown()
    expect(sent('SHUTDOWN')).toBe(1)
    expect(counts.closes).toBe(1)
  })
  it('R12: after shutdown, onAppForeground, onAppBackground and identify send nothing to the chart', async () => {
    const { sdk, sent } = await inspected()
    await sdk.shutdown()
    sdk.onAppForeground()
    sdk.onAppBackground()
    expect(expectLeft(sdk.identify('u1')).code).toBe('SHUT_DOWN')
    expect(expectLeft(await sdk.flushAndShutdown({ timeoutMs: 10 })).code).toBe('SHUT_DOWN')
    expect([sent('FOREGROUND'), sent('BACKGROUND'), sent('IDENTIFY'), sent('FLUSH')]).toEqual([0, 0, 0, 0])
  })
  it('R12: flushAndShutdown that finishes in time leaves neither its deadline nor any other timer', async () => {
    const { sdk, clock } = await inspected()
    sdk.track('e')
    expect(expectRight(await sdk.flushAndShutdown({ timeoutMs: 5_000 })).timedOut).toBe(false)
    expect(clock.pendingTimers()).toBe(0)
  })
  it('R13: shutdown with a failing disk gives up after timeoutMs and stops retrying the write', async () => {
    let commits = 0
    const storage = storageWith(() => ({
      commit: () => {
        commits++
        return () => Promise.resolve(E.left({ kind: 'io' as const, message: 'broken' }))
      },
    }))
    const clock = createManualClock(START)
    const sdk = createSdk(baseConfig({ timeoutMs: 1_000 }), { transport: createScriptedServer().transport, clock, storage })
    sdk.track('e')
    await settle()
    expect(commits).toBeGreaterThan(0)
    const done = sdk.shutdown()
    await settle()
    clock.advance(1_000)
    await done
    const after = commits
    expect(clock.pendingTimers()).toBe(0)
    clock.advance(60_000)
    await settle()
    expect(commits).toBe(after)
  })
})

describe('R13 R14: the facade holds writes while a batch is on its way', () => {
  it('R14: at rest a tracked item is committed at once; while a request is in flight it waits (at most 100 ms)', async () => {
    const { storage, counts } = countingStorage()
    const { sdk, server, clock } = await startHarness({ storage })
    const atRest = counts.appendCommits
    sdk.track('a')
    await settle()
    expect(counts.appendCommits).toBe(atRest + 1)
    server.answer({ hold: true })
    void sdk.flush()
    await settle()
    expect(server.heldCount()).toBe(1)
    const inFlight = counts.appendCommits
    sdk.track('b')
    await settle()
    expect(counts.appendCommits).toBe(inFlight)
    clock.advance(100)
    await settle()
    expect(counts.appendCommits).toBe(inFlight + 1)
    server.release({ status: 200 })
    await settle()
    await sdk.shutdown()
  })
  it('R19: getQueue counts an item tracked while a request is in flight', async () => {
    const { sdk, server } = await startHarness()
    sdk.track('a')
    server.answer({ hold: true })
    void sdk.flush()
    await settle()
    expect(server.heldCount()).toBe(1)
    sdk.track('b')
    const queue = expectRight(await sdk.getQueue())
    expect(queue.pending).toEqual([{ identity: 'anon', count: 2, oldestTimestamp: START }])
    server.release({ status: 200 })
    await settle()
    await sdk.shutdown()
  })
  it('R19: getQueue shows no oldest timestamp when storage has no item to show for a pending identity', async () => {
    const storage = storageWith(() => ({ peek: () => () => Promise.resolve(E.right([])) }))
    const { sdk } = await startHarness({ storage })
    sdk.identify('u1')
    sdk.track('e')
    await sdk.flush()
    expect(expectRight(await sdk.getQueue()).pending).toEqual([{ identity: 'user:u1', count: 1, oldestTimestamp: null }])
    await sdk.shutdown()
  })
})

describe('R19 R12: shutdown while a request is in flight', () => {
  it('R19: the chart counts the items tracked meanwhile before it stops, and the flush under way settles', async () => {
    const { sdk, server } = await startHarness()
    sdk.track('a')
    server.answer({ hold: true })
    let flushed: unknown = 'unsettled'
    void sdk.flush().then((report) => (flushed = report))
    await settle()
    expect(server.heldCount()).toBe(1)
    sdk.track('b')
    sdk.track('c')
    await sdk.shutdown()
    await settle()
    expect(sdk.actor.getSnapshot().context.pendingByIdentity).toEqual({ anon: 3 })
    expect(sdk.getState()).toMatchObject({ status: 'stopped', pendingCount: 3 })
    // Cut short by shutdown with the batch still on its way: the loop was not at rest, so no reason is given.
    expect(flushed).toEqual(E.right({ delivered: 0, deadLettered: 0, deleted: 0, pending: 3, waiting: [] }))
  })
})
