// How the persister groups writes around a request: one commit per batch carries the previous
// batch's acknowledgement and this batch's freeze (R13, R14), and nothing waits on a held write
// for long.
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { createManualClock, createSdk, type HttpRequest, type StorageWrite } from '@jwt-sync/core'
import { MAX_HOLD_MS } from '../src/runtime/persister.js'
import { START, baseConfig, createScriptedServer, jwt401, settle, storageWith, validToken } from './harness.js'

type Commit = { readonly write: StorageWrite; readonly afterRequests: number }

/** Memory storage that records every commit with the number of requests sent before it. */
const recordingStorage = (requestsSoFar: () => number) => {
  const commits: Commit[] = []
  const storage = storageWith((ns) => ({
    commit: (write: StorageWrite) => async () => {
      const result = await ns.commit(write)()
      if (E.isRight(result)) commits.push({ write, afterRequests: requestsSoFar() })
      return result
    },
  }))
  return { storage, commits }
}

const outboxIdsOf = (write: StorageWrite): string[] => {
  const outbox = write.state?.['outbox'] as { value?: { batchId: string }[] } | undefined
  return (outbox?.value ?? []).map((batch) => batch.batchId)
}

describe('grouped commits around a request', () => {
  it('R13 R14: one commit per batch: while batch n is in flight, the acknowledgement of n-1 and the freeze of n+1 go in one commit, durable before n+1 leaves', async () => {
    const server = createScriptedServer()
    const sent: HttpRequest[] = []
    const { storage, commits } = recordingStorage(() => sent.length)
    const transport = {
      send: (request: HttpRequest) => {
        sent.push(request)
        return server.transport.send(request)
      },
    }
    const sdk = createSdk(baseConfig({ maxBatchSize: 10 }, false), { transport, storage, clock: createManualClock(START) })
    for (let i = 0; i < 40; i++) sdk.track('e', { i })
    await sdk.flush()
    await sdk.whenPersisted()
    expect(sent).toHaveLength(4)
    const batchIds = sent.map((request) => request.headers['Idempotency-Key'] ?? '')
    // R14: each request's batch was in a commit made before it left.
    batchIds.forEach((batchId, index) => {
      const freeze = commits.find((commit) => outboxIdsOf(commit.write).includes(batchId))
      expect(freeze, `freeze of request ${index}`).toBeDefined()
      expect(freeze?.afterRequests, `freeze of request ${index} committed before it was sent`).toBe(index)
    })
    // One commit while each request is in flight: it acknowledges the batch before and freezes
    // the next, so the next leaves as soon as the answer arrives, with no commit in between.
    const itemIdsOf = (index: number): string[] => (JSON.parse(sent[index]?.body ?? '{}') as { items: { id: string }[] }).items.map((item) => item.id)
    for (let index = 1; index < sent.length; index++) {
      const during = commits.filter((commit) => commit.afterRequests === index)
      expect(during, `commits while request ${index - 1} (0-based) was in flight`).toHaveLength(1)
      const [commit] = during
      expect(outboxIdsOf(commit?.write ?? {})).toContain(batchIds[index])
      if (index >= 2) expect(commit?.write.remove, `acknowledgement of request ${index - 1}`).toEqual(itemIdsOf(index - 2))
    }
    // Every item went out once (no batch repeated an acknowledged item).
    const itemIds = sent.flatMap((request) => (JSON.parse(request.body) as { items: { id: string }[] }).items.map((item) => item.id))
    expect(new Set(itemIds).size).toBe(40)
    await sdk.shutdown()
  })

  it(`R13: an item tracked while a request is in flight is committed within ${MAX_HOLD_MS} ms, without whenPersisted()`, async () => {
    const server = createScriptedServer()
    const clock = createManualClock(START)
    const { storage, commits } = recordingStorage(() => server.requests.length)
    const sdk = createSdk(baseConfig({}, false), { transport: server.transport, storage, clock })
    sdk.track('before')
    server.answer({ hold: true })
    const flushing = sdk.flush()
    await settle()
    expect(server.heldCount()).toBe(1)
    const tracked = sdk.track('during the request')
    if (E.isLeft(tracked)) throw new Error('track failed')
    const committedIds = (): string[] => commits.flatMap((commit) => (commit.write.append ?? []).map((item) => item.id as string))
    await settle()
    expect(committedIds()).not.toContain(tracked.right.id)
    clock.advance(MAX_HOLD_MS)
    await settle()
    expect(committedIds()).toContain(tracked.right.id)
    server.release({ status: 200 })
    await flushing
    await sdk.shutdown()
  })

  it('R13: whenPersisted() during a request commits at once; it does not wait for the answer', async () => {
    const server = createScriptedServer()
    const clock = createManualClock(START)
    const { storage, commits } = recordingStorage(() => server.requests.length)
    const sdk = createSdk(baseConfig({}, false), { transport: server.transport, storage, clock })
    sdk.track('before')
    server.answer({ hold: true })
    const flushing = sdk.flush()
    await settle()
    const tracked = sdk.track('during the request')
    if (E.isLeft(tracked)) throw new Error('track failed')
    let persisted = false
    void sdk.whenPersisted().then(() => (persisted = true))
    await settle()
    expect(persisted).toBe(true)
    expect(commits.some((commit) => (commit.write.append ?? []).some((item) => item.id === tracked.right.id))).toBe(true)
    expect(server.heldCount()).toBe(1)
    server.release({ status: 200 })
    await flushing
    await sdk.shutdown()
  })

  it('R8 S1: a refusal count that grew and a refused token are in storage before the next request leaves, also when the loop goes straight on; only a delivery\'s writes may follow it', async () => {
    const server = createScriptedServer()
    const committedState: Record<string, unknown> = {}
    const storage = storageWith((ns) => ({
      commit: (write: StorageWrite) => async () => {
        const result = await ns.commit(write)()
        if (E.isRight(result)) Object.assign(committedState, write.state ?? {})
        return result
      },
    }))
    const seenAtSend: { failures: number; refusedDigests: number }[] = []
    const transport = {
      send: (request: HttpRequest) => {
        const session = committedState['session'] as { value?: { consecutiveAuthFailures?: number } } | undefined
        const refused = committedState['refusedTokens'] as { value?: Record<string, unknown[]> } | undefined
        seenAtSend.push({ failures: session?.value?.consecutiveAuthFailures ?? 0, refusedDigests: refused?.value?.['u1']?.length ?? 0 })
        return server.transport.send(request)
      },
    }
    const clock = createManualClock(START)
    const sdk = createSdk(baseConfig(), { transport, storage, clock })
    sdk.identify('u1')
    sdk.passAuthenticationDetails({ identifier: 'u1', token: validToken('u1', clock.now(), 'first') })
    sdk.track('a')
    server.answer({ hold: true })
    const flushing = sdk.flush()
    await settle()
    // R7: a token passed while the refused request is in flight is used at once, without a rest
    // in between; the first token is refused (its digest kept) and the count goes up.
    sdk.passAuthenticationDetails({ identifier: 'u1', token: validToken('u1', clock.now(), 'second') })
    server.release(jwt401('INVALID_SIGNATURE'))
    await flushing
    expect(server.requests.map((request) => request.response)).toEqual([401, 200])
    // The second request left only once the count of 1 and the refused token's digest were stored.
    expect(seenAtSend).toEqual([
      { failures: 0, refusedDigests: 0 },
      { failures: 1, refusedDigests: 1 },
    ])
    await sdk.shutdown()
  })
})
