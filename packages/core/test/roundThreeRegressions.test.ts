// Defects found in round three by mutation testing and the reference model, each pinned by the
// rule it broke.
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { describe, expect, it } from 'vitest'
import { describeDecodeFailure } from '../src/model/decodeFailure.js'
import { MAX_PROVIDER_ATTEMPTS } from '../src/runtime/tokenProviderService.js'
import { settle, startHarness, validToken } from './harness.js'

describe('round three regressions', () => {
  it('R11: an item tracked right after logout() belongs to nobody and never goes with the logged-out user\'s token', async () => {
    const { sdk, server, clock } = await startHarness()
    sdk.identify('u1')
    sdk.passAuthenticationDetails({ identifier: 'u1', token: validToken('u1', clock.now()) })
    const before = sdk.track('before')
    const loggingOut = sdk.logout()
    const after = sdk.track('after')
    expect(E.isRight(before) && E.isRight(after)).toBe(true)
    await loggingOut
    await sdk.flush()
    await settle()
    const afterId = E.isRight(after) ? after.right.id : ''
    const beforeId = E.isRight(before) ? before.right.id : ''
    const carrying = (id: string) => server.requests.filter((request) => request.itemIds.includes(id))
    expect(carrying(afterId).map((request) => [request.identity, request.token])).toEqual([[null, null]])
    // The item tracked before the logout went with u1's token, or was deleted under R11: never anonymous.
    for (const request of carrying(beforeId)) expect(request.identity).toBe('u1')
    expect(server.stored.has(afterId)).toBe(true)
    await sdk.shutdown()
  })

  it('R16: a tokenProvider that keeps giving a token the client checks refuse is asked a limited number of times, with backoff, not in a loop', async () => {
    const calls: number[] = []
    const { sdk, clock, errors } = await startHarness({
      config: { tokenProvider: () => (calls.push(clock.now()), Promise.resolve('not-a-jwt')) },
    })
    sdk.identify('u1')
    sdk.track('e')
    await sdk.flush()
    for (let i = 0; i < 20; i++) await settle()
    expect(calls.length, 'asked once, then waits out the backoff').toBe(1)
    expect(errors.map((error) => error.details.code), 'R6: the client checks refused it').toContain('DECRYPTION_FAILED')
    // Every retry waits its backoff; after MAX_PROVIDER_ATTEMPTS the provider is left alone.
    for (let minute = 0; minute < 30; minute++) {
      clock.advance(60_000)
      await settle()
    }
    expect(calls.length).toBe(MAX_PROVIDER_ATTEMPTS)
    for (let i = 1; i < calls.length; i++) expect(calls[i]! - calls[i - 1]!, `attempt ${i + 1} waited`).toBeGreaterThan(0)
    await sdk.shutdown()
  })

  it('R17: a decode failure names the whole field path under exact, refined and recursive codecs', () => {
    const fieldOf = (codec: t.Mixed, value: unknown): string => {
      const decoded = codec.decode(value)
      return E.isLeft(decoded) ? describeDecodeFailure(decoded.left).field : 'decoded'
    }
    const inner = t.type({ b: t.number })
    expect(fieldOf(t.exact(t.type({ a: inner })), { a: { b: 'x' } })).toBe('a.b')
    expect(fieldOf(t.refinement(t.type({ a: inner }), () => true, 'Refined'), { a: { b: 'x' } })).toBe('a.b')
    type Tree = { readonly child: Tree | null; readonly n: number }
    const Tree: t.Type<Tree> = t.recursion('Tree', () => t.type({ child: t.union([Tree, t.null]), n: t.number }))
    expect(fieldOf(Tree, { child: { child: null, n: 'x' }, n: 1 })).toBe('child.n')
    // Union and intersection members are not fields.
    expect(fieldOf(t.type({ a: t.union([t.intersection([inner, t.type({ c: t.string })]), t.null]) }), { a: { b: 1, c: 2 } })).toBe('a.c')
  })
})
