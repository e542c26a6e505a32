// Tests that pin the statechart's rules exactly, on the pure functions of src/sync (R5-R12): each
// one kills mutants that the broader tests let live (mutation/README.md). The model-based test
// checks that no rule is broken; these check that each rule does exactly what it says, so a
// change that makes the SDK merely more cautious than the rules fails too.
import { describe, expect, it } from 'vitest'
import type { BatchId, IdentityKey, Identifier, ItemId, SessionId, StoredItem } from '@jwt-sync/core'
import { hash64 } from '../src/jwt/hash.js'
import {
  authError,
  emitAuthError,
  expireStaleTokens,
  forgetToken,
  judgeToken,
  openWait,
  openWaitsForMissingTokens,
  passToken,
  rejectToken,
  rememberRefusal,
  tokenVerdict,
  usableToken,
} from '../src/sync/authentication.js'
import { authStateOf, tokenStateOf } from '../src/sync/authState.js'
import { backoffDelayMs } from '../src/sync/backoff.js'
import { REFUSED_TOKENS_KEPT, type FrozenBatch, type MachineSettings, type SyncContext, type TokenRecord } from '../src/sync/context.js'
import { deleteLoggedOutUser, settleLoggedOutUsers } from '../src/sync/logout.js'
import { applySendOutcome, transientFailure } from '../src/sync/outcome.js'
import { NOTHING_TO_SEND, hasExplicitRequest, planNext } from '../src/sync/plan.js'
import { isSessionOver, isSuspended, newSession, recordActivity, startSession } from '../src/sync/session.js'
import { chain, unchanged } from '../src/sync/step.js'
import { compressesRequests, compressionRefused } from '../src/sync/compression.js'
import { freezeBatch, planWithNextBatch } from '../src/sync/nextBatch.js'
import { makeToken } from './harness.js'

const NOW = Date.UTC(2026, 10, 28, 9)
const U1 = 'u1' as Identifier
const U2 = 'u2' as Identifier
const K1 = 'user:u1' as IdentityKey
const K2 = 'user:u2' as IdentityKey
const ANON = 'anon' as IdentityKey

const settings: MachineSettings = {
  appId: 'pin-app',
  isJwtEnabled: true,
  maxConsecutiveAuthFailures: 10,
  inactivityTimeoutMs: 30 * 60_000,
  periodicFlushMs: 60_000,
  maxBatchSize: 100,
  clockSkewMs: 60_000,
  clientValidation: true,
  allowedAlgorithms: ['RS256', 'RS512'],
  backoff: { baseMs: 2_000, factor: 2, capMs: 300_000 },
}

const contextWith = (overrides: Partial<SyncContext> = {}, settingsOverrides: Partial<MachineSettings> = {}): SyncContext => ({
  settings: { ...settings, ...settingsOverrides },
  identifier: null,
  session: newSession('s1' as SessionId, NOW),
  tokens: {},
  refusedTokens: {},
  waits: {},
  nextWaitId: 1,
  pendingByIdentity: {},
  deadLetterCount: 0,
  outbox: [],
  loggingOut: [],
  owedDeletions: [],
  retry: { consecutiveTransientFailures: 0, backoffUntil: null, retryAfterUntil: null, storageFailing: false },
  foreground: true,
  flushRequests: { requested: 0, completed: 0 },
  totals: { delivered: 0, deadLettered: 0, deleted: 0 },
  plan: NOTHING_TO_SEND,
  ...overrides,
})

const token = (sub: string, nonce: string, expSeconds = Math.floor(NOW / 1000) + 3600): string => makeToken({ sub, exp: expSeconds, nonce })
const usable = (value: string, expiresAt: number | null = NOW + 3_600_000): TokenRecord => ({ token: value, status: 'usable', expiresAt })
const item = (id: string, identity: IdentityKey): StoredItem =>
  ({ id: id as ItemId, identity, timestamp: NOW, sessionId: 's1' as SessionId, type: 'event', name: 'e', attributes: {} }) as StoredItem
const batch = (id: string, identity: IdentityKey, count: number): FrozenBatch => ({
  batchId: id as BatchId,
  identity,
  items: Array.from({ length: count }, (_, i) => item(`${id}-${i}`, identity)),
})
let batchCounter = 0
const deps = { now: NOW, random: () => 0.5, nextBatchId: () => `new-${++batchCounter}` as BatchId }

describe('R8: sessions and the consecutive-failure counter', () => {
  it('R8: a session ends exactly when inactivityTimeoutMs has passed since the last activity', () => {
    expect(isSessionOver(NOW, NOW + 30 * 60_000, 30 * 60_000)).toBe(true)
    expect(isSessionOver(NOW, NOW + 30 * 60_000 - 1, 30 * 60_000)).toBe(false)
    const context = contextWith()
    const at = (ms: number) => recordActivity(context, NOW + ms, () => 's2' as SessionId).context.session.id
    expect(at(30 * 60_000)).toBe('s2')
    expect(at(30 * 60_000 - 1)).toBe('s1')
  })
  it('R8: activity within the session moves the last activity forward, never back', () => {
    const context = contextWith({ session: { ...newSession('s1' as SessionId, NOW), lastActivityAt: NOW + 1000 } })
    expect(recordActivity(context, NOW + 2000, () => 's2' as SessionId)).toEqual({ context: { ...context, session: { ...context.session, lastActivityAt: NOW + 2000 } }, emits: [] })
    expect(recordActivity(context, NOW + 500, () => 's2' as SessionId).context.session.lastActivityAt).toBe(NOW + 1000)
  })
  it('R8: a new session starts the counter at 0 and resumes sync only if R8 had stopped it', () => {
    const suspended = contextWith({ session: { ...newSession('s1' as SessionId, NOW - 1), consecutiveAuthFailures: 10 } })
    const step = startSession(suspended, 's2' as SessionId, NOW)
    expect(step.context.session).toEqual({ id: 's2', startedAt: NOW, lastActivityAt: NOW, consecutiveAuthFailures: 0 })
    expect(step.sync).toBe(true)
    expect(step.emits).toEqual([
      { type: 'log', level: 'info', message: 'session started', fields: { sessionId: 's2', previousSessionId: 's1', previousAuthFailures: 10 } },
    ])
    const nine = contextWith({ session: { ...newSession('s1' as SessionId, NOW - 1), consecutiveAuthFailures: 9 } })
    expect(startSession(nine, 's2' as SessionId, NOW).sync).toBe(false)
  })
  it('R8: suspended exactly when the count reaches maxConsecutiveAuthFailures', () => {
    const withCount = (count: number, max = 10) => contextWith({ session: { ...newSession('s1' as SessionId, NOW), consecutiveAuthFailures: count } }, { maxConsecutiveAuthFailures: max })
    expect(isSuspended(withCount(9))).toBe(false)
    expect(isSuspended(withCount(10))).toBe(true)
    expect(isSuspended(withCount(11))).toBe(true)
    expect(isSuspended(withCount(2, 3))).toBe(false)
    expect(isSuspended(withCount(3, 3))).toBe(true)
  })
  it('R8: the counter resets on any success, without a new session', () => {
    const failing = contextWith({
      session: { ...newSession('s1' as SessionId, NOW), consecutiveAuthFailures: 9 },
      pendingByIdentity: { [ANON]: 1 },
      outbox: [batch('b1', ANON, 1)],
    })
    const step = applySendOutcome(failing, batch('b1', ANON, 1), null, { kind: 'delivered', status: 200 }, deps)
    expect(step.context.session).toEqual({ ...failing.session, consecutiveAuthFailures: 0 })
  })
  it('R8: each refusal counts one, whoever it is for', () => {
    const context = contextWith({ session: { ...newSession('s1' as SessionId, NOW), consecutiveAuthFailures: 4 }, tokens: { u1: usable('t1') }, pendingByIdentity: { [K1]: 1 } })
    const step = applySendOutcome(context, batch('b1', K1, 1), 't1', { kind: 'auth-failed', code: 'INVALID_SIGNATURE', numericCode: 4003, message: 'm' }, deps)
    expect(step.context.session.consecutiveAuthFailures).toBe(5)
    const transient = applySendOutcome(context, batch('b1', K1, 1), 't1', { kind: 'transient', reason: 'HTTP 503', retryAfterMs: null }, deps)
    expect(transient.context.session.consecutiveAuthFailures).toBe(4)
  })
})

describe('R9: backoff', () => {
  it('R9: the ceiling is min(capMs, baseMs * factor^(n-1)), jittered by random(), floored', () => {
    const backoff = { baseMs: 2_000, factor: 3, capMs: 50_000 }
    expect(backoffDelayMs(1, backoff, () => 0.5)).toBe(1_000)
    expect(backoffDelayMs(2, backoff, () => 0.5)).toBe(3_000)
    expect(backoffDelayMs(3, backoff, () => 0.5)).toBe(9_000)
    expect(backoffDelayMs(4, backoff, () => 0.5)).toBe(25_000)
    expect(backoffDelayMs(20, backoff, () => 1)).toBe(50_000)
    expect(backoffDelayMs(0, backoff, () => 1)).toBe(2_000)
    expect(backoffDelayMs(1, backoff, () => 0.33333)).toBe(666)
  })
  it('R9: a transient failure counts one more, sets the backoff deadline, keeps Retry-After as a floor and settles flushes', () => {
    const context = contextWith({ retry: { consecutiveTransientFailures: 2, backoffUntil: null, retryAfterUntil: null, storageFailing: false }, flushRequests: { requested: 3, completed: 1 } })
    const step = transientFailure(context, 'HTTP 503', null, deps)
    // Third failure: ceiling 8 s, half of it.
    expect(step.context.retry).toEqual({ consecutiveTransientFailures: 3, backoffUntil: NOW + 4_000, retryAfterUntil: null, storageFailing: false })
    expect(step.context.flushRequests).toEqual({ requested: 3, completed: 3 })
    expect(step.emits).toEqual([{ type: 'log', level: 'warn', message: 'transient failure, will retry', fields: { reason: 'HTTP 503', retryInMs: 4_000, failures: 3 } }])
    const withRetryAfter = transientFailure(context, 'HTTP 429', 60_000, deps, 'storage')
    expect(withRetryAfter.context.retry).toEqual({ consecutiveTransientFailures: 3, backoffUntil: NOW + 60_000, retryAfterUntil: NOW + 60_000, storageFailing: true })
    const shortRetryAfter = transientFailure(context, 'HTTP 429', 1_000, deps)
    expect(shortRetryAfter.context.retry.backoffUntil).toBe(NOW + 4_000)
    expect(transientFailure(context, 'HTTP 429', 0, deps).context.retry.retryAfterUntil).toBe(NOW)
  })
  it('R9: any response resets the transient count and backoff, but not a Retry-After window', () => {
    const context = contextWith({
      retry: { consecutiveTransientFailures: 4, backoffUntil: NOW + 10, retryAfterUntil: NOW + 20, storageFailing: true },
      pendingByIdentity: { [ANON]: 2 },
      outbox: [batch('b1', ANON, 2)],
    })
    for (const outcome of [
      { kind: 'delivered', status: 200 },
      { kind: 'too-large' },
      { kind: 'rejected', status: 400, itemIds: null, message: 'x' },
      { kind: 'auth-failed', code: 'UNKNOWN', numericCode: 4999, message: 'x' },
    ] as const) {
      const retry = applySendOutcome(context, batch('b1', ANON, 2), null, outcome, deps).context.retry
      if (outcome.kind === 'auth-failed') expect(retry.consecutiveTransientFailures, outcome.kind).toBe(1)
      else expect(retry, outcome.kind).toEqual({ consecutiveTransientFailures: 0, backoffUntil: null, retryAfterUntil: NOW + 20, storageFailing: false })
    }
  })
})

describe('R10 R14: what a send outcome does to the queue', () => {
  const two = contextWith({ pendingByIdentity: { [ANON]: 5, [K1]: 3 }, outbox: [batch('b0', K1, 3), batch('b1', ANON, 5), batch('b2', ANON, 1)] })
  it('R14: a delivered batch leaves the outbox (only that one), its items leave the counts and are removed from storage', () => {
    const step = applySendOutcome(two, batch('b1', ANON, 5), null, { kind: 'delivered', status: 200 }, deps)
    expect(step.context.outbox.map((b) => b.batchId)).toEqual(['b0', 'b2'])
    expect(step.context.pendingByIdentity).toEqual({ [ANON]: 0, [K1]: 3 })
    expect(step.context.totals).toEqual({ delivered: 5, deadLettered: 0, deleted: 0 })
    expect(step.emits).toEqual([{ type: 'persist', write: { remove: ['b1-0', 'b1-1', 'b1-2', 'b1-3', 'b1-4'] } }])
    // A batch no longer in the outbox changes nothing there.
    expect(applySendOutcome(two, batch('gone', ANON, 1), null, { kind: 'delivered', status: 200 }, deps).context.outbox).toEqual(two.outbox)
    // Counts never go below zero.
    expect(applySendOutcome(contextWith({ pendingByIdentity: { [ANON]: 1 } }), batch('x', ANON, 3), null, { kind: 'delivered', status: 200 }, deps).context.pendingByIdentity[ANON]).toBe(0)
  })
  it('R10: 413 splits the batch in two halves in its place (the first half the larger), with new ids', () => {
    const step = applySendOutcome(two, batch('b1', ANON, 5), null, { kind: 'too-large' }, { ...deps, nextBatchId: (() => { let n = 0; return () => `h${++n}` as BatchId })() })
    expect(step.context.outbox.map((b) => [b.batchId, b.items.map((i) => i.id)])).toEqual([
      ['b0', ['b0-0', 'b0-1', 'b0-2']],
      ['h1', ['b1-0', 'b1-1', 'b1-2']],
      ['h2', ['b1-3', 'b1-4']],
      ['b2', ['b2-0']],
    ])
    expect(step.context.outbox.every((b) => b.identity === (b.batchId === 'b0' ? K1 : ANON))).toBe(true)
    expect(step.context.pendingByIdentity).toEqual(two.pendingByIdentity)
    expect(step.emits).toEqual([{ type: 'log', level: 'info', message: 'split a rejected batch', fields: { status: 413, size: 5 } }])
  })
  it('R10: a lone rejected item is dead-lettered and reported with its status and reason', () => {
    const one = contextWith({ pendingByIdentity: { [ANON]: 1 }, outbox: [batch('b1', ANON, 1)], deadLetterCount: 2, totals: { delivered: 0, deadLettered: 2, deleted: 0 } })
    const step = applySendOutcome(one, batch('b1', ANON, 1), null, { kind: 'rejected', status: 404, itemIds: null, message: 'HTTP 404' }, deps)
    expect(step.context.outbox).toEqual([])
    expect(step.context.pendingByIdentity).toEqual({ [ANON]: 0 })
    expect(step.context.deadLetterCount).toBe(3)
    expect(step.context.totals.deadLettered).toBe(3)
    expect(step.emits).toEqual([
      { type: 'persist', write: { deadLetters: [{ item: item('b1-0', ANON), status: 404, reason: 'HTTP 404', at: NOW }], remove: ['b1-0'] } },
      { type: 'problem', problem: { type: 'DEAD_LETTER', itemIds: ['b1-0'], status: 404, reason: 'HTTP 404' } },
    ])
  })
  it('R10: named items are dead-lettered; the rest stay together as a new batch in its place', () => {
    const step = applySendOutcome(two, batch('b1', ANON, 5), null, { kind: 'rejected', status: 422, itemIds: ['b1-1', 'b1-3', 'elsewhere'], message: 'bad' }, { ...deps, nextBatchId: () => 'rest' as BatchId })
    expect(step.context.outbox.map((b) => [b.batchId, b.items.map((i) => i.id)])).toEqual([
      ['b0', ['b0-0', 'b0-1', 'b0-2']],
      ['rest', ['b1-0', 'b1-2', 'b1-4']],
      ['b2', ['b2-0']],
    ])
    expect(step.context.pendingByIdentity).toEqual({ [ANON]: 3, [K1]: 3 })
    expect(step.emits[1]).toEqual({ type: 'problem', problem: { type: 'DEAD_LETTER', itemIds: ['b1-1', 'b1-3'], status: 422, reason: 'bad' } })
    // Every item named: nothing is left to resend.
    const all = applySendOutcome(two, batch('b2', ANON, 1), null, { kind: 'rejected', status: 422, itemIds: ['b2-0'], message: 'bad' }, deps)
    expect(all.context.outbox.map((b) => b.batchId)).toEqual(['b0', 'b1'])
    // Ids that name no item of the batch: it is split as if none were named.
    const none = applySendOutcome(two, batch('b1', ANON, 5), null, { kind: 'rejected', status: 422, itemIds: ['elsewhere'], message: 'bad' }, deps)
    expect(none.context.outbox).toHaveLength(4)
    expect(none.context.deadLetterCount).toBe(0)
  })
})

describe('R7 R11: a refused token', () => {
  const t1 = token('u1', 'a')
  const refused = { kind: 'auth-failed', code: 'INVALID_SIGNATURE', numericCode: 4003, message: 'bad sig' } as const
  it('R7: the token becomes rejected with its code, is remembered, the identifier waits, the listener hears it', () => {
    const context = contextWith({ tokens: { u1: usable(t1) }, pendingByIdentity: { [K1]: 1 }, nextWaitId: 7 })
    const step = applySendOutcome(context, batch('b1', K1, 1), t1, refused, deps)
    expect(step.context.tokens['u1']).toEqual({ ...usable(t1), status: 'rejected', errorCode: 'INVALID_SIGNATURE' })
    expect(step.context.refusedTokens['u1']).toEqual([{ digest: hash64(t1), code: 'INVALID_SIGNATURE' }])
    expect(step.context.waits['u1']).toEqual({ id: 7, openedByError: true, notified: false })
    expect(step.context.pendingByIdentity).toEqual({ [K1]: 1 })
    expect(step.emits).toEqual([
      { type: 'log', level: 'warn', message: 'server refused the token', fields: { code: 'INVALID_SIGNATURE', consecutiveAuthFailures: 1 } },
      {
        type: 'authError',
        error: { type: 'JWT', source: 'server', accountMeta: { appId: 'pin-app' }, details: { code: 'INVALID_SIGNATURE', numericCode: 4003, token: t1, identifier: 'u1', message: 'bad sig' } },
        dedupeKey: `u1|${t1}|INVALID_SIGNATURE`,
      },
      { type: 'tokenWanted', identifier: 'u1', reason: 'rejected' },
    ])
  })
  it('R7: a token passed while the request was in flight stays usable; the refused one is still remembered', () => {
    const t2 = token('u1', 'b')
    const context = contextWith({ tokens: { u1: usable(t2) }, pendingByIdentity: { [K1]: 1 } })
    const step = rejectToken(context, U1, t1, 'INVALID_SIGNATURE', 'bad sig')
    expect(step.context.tokens['u1']).toEqual(usable(t2))
    expect(step.context.waits).toEqual({})
    expect(step.context.refusedTokens['u1']).toEqual([{ digest: hash64(t1), code: 'INVALID_SIGNATURE' }])
    expect(step.emits.map((e) => e.type)).toEqual(['authError'])
  })
  it('R7: a refusal for an identifier with no token record (forgotten meanwhile) is remembered and reported, nothing else', () => {
    const context = contextWith({ pendingByIdentity: { [K1]: 1 } })
    const step = rejectToken(context, U1, t1, 'UNKNOWN', 'm')
    expect(step.context.tokens).toEqual({})
    expect(step.context.waits).toEqual({})
    expect(step.context.refusedTokens['u1']).toEqual([{ digest: hash64(t1), code: 'UNKNOWN' }])
    expect(step.emits.map((e) => e.type)).toEqual(['authError'])
  })
  it('R7: the latest refusals are remembered first, each once, at most REFUSED_TOKENS_KEPT', () => {
    let context = contextWith()
    for (let i = 0; i < 12; i++) context = rememberRefusal(context, U1, `t${i}`, 'UNKNOWN')
    expect(REFUSED_TOKENS_KEPT).toBe(10)
    expect(context.refusedTokens['u1']?.map((entry) => entry.digest)).toEqual(Array.from({ length: 10 }, (_, i) => hash64(`t${11 - i}`)))
    const again = rememberRefusal(context, U1, 't5', 'INVALID_SIGNATURE')
    expect(again.refusedTokens['u1']?.[0]).toEqual({ digest: hash64('t5'), code: 'INVALID_SIGNATURE' })
    expect(again.refusedTokens['u1']?.filter((entry) => entry.digest === hash64('t5'))).toHaveLength(1)
    expect(again.refusedTokens['u1']).toHaveLength(10)
    expect(rememberRefusal(context, U2, 'x', 'UNKNOWN').refusedTokens['u1']).toEqual(context.refusedTokens['u1'])
  })
  it('R11: a logged-out user\'s refused flush owes a deletion (carried out by the chart) instead of a wait', () => {
    const context = contextWith({ tokens: { u1: usable(t1) }, pendingByIdentity: { [K1]: 2 }, loggingOut: [U1], owedDeletions: [] })
    const step = applySendOutcome(context, batch('b1', K1, 2), t1, refused, deps)
    expect(step.context.owedDeletions).toEqual([{ identifier: 'u1', source: 'server', code: 'INVALID_SIGNATURE', message: 'bad sig', token: t1 }])
    expect(step.context.refusedTokens['u1']).toEqual([{ digest: hash64(t1), code: 'INVALID_SIGNATURE' }])
    expect(step.context.tokens['u1']).toEqual(usable(t1))
    expect(step.context.waits).toEqual({})
    expect(step.context.session.consecutiveAuthFailures).toBe(1)
    expect(step.emits.map((e) => e.type)).toEqual(['log'])
  })
  it('R7 R8: a 401 on a batch sent without a token is retried on the clock, counted, and reported without an identifier', () => {
    const context = contextWith({ pendingByIdentity: { [ANON]: 1 } })
    const step = applySendOutcome(context, batch('b1', ANON, 1), null, { kind: 'auth-failed', code: 'TOKEN_NOT_AVAILABLE', numericCode: 4005, message: 'no token' }, deps)
    expect(step.context.session.consecutiveAuthFailures).toBe(1)
    expect(step.context.retry.consecutiveTransientFailures).toBe(1)
    expect(step.context.retry.backoffUntil).toBe(NOW + 1_000)
    expect(step.emits[1]).toEqual({
      type: 'authError',
      error: { type: 'JWT', source: 'server', accountMeta: { appId: 'pin-app' }, details: { code: 'TOKEN_NOT_AVAILABLE', numericCode: 4005, identifier: '', message: 'no token' } },
      dedupeKey: '||TOKEN_NOT_AVAILABLE',
    })
    expect(step.emits[2]).toEqual({ type: 'log', level: 'warn', message: 'transient failure, will retry', fields: { reason: '401 TOKEN_NOT_AVAILABLE', retryInMs: 1_000, failures: 1 } })
    // JWT disabled: a user's batch has no token either.
    const user = applySendOutcome(contextWith({ pendingByIdentity: { [K1]: 1 } }), batch('b1', K1, 1), null, refused, deps)
    expect(user.emits[1]).toMatchObject({ error: { details: { identifier: 'u1' } } })
    expect(user.context.tokens).toEqual({})
  })
})

describe('R11: logout deletion and bookkeeping', () => {
  it('R11: every pending item of the user leaves (frozen batches included), the token is forgotten, the listener hears deletedCount', () => {
    const t1 = token('u1', 'a')
    const context = contextWith({
      tokens: { u1: usable(t1), u2: usable('t2') },
      waits: { u1: { id: 1, openedByError: false, notified: true }, u2: { id: 2, openedByError: false, notified: true } },
      pendingByIdentity: { [K1]: 4, [K2]: 1 },
      outbox: [batch('a', K1, 2), batch('b', K2, 1), batch('c', K1, 2)],
      loggingOut: [U2, U1],
      owedDeletions: [
        { identifier: U1, source: 'server', code: 'INVALID_SIGNATURE', message: 'm', token: t1 },
        { identifier: U2, source: 'client', code: 'TOKEN_NOT_AVAILABLE', message: 'n' },
      ],
      totals: { delivered: 1, deadLettered: 0, deleted: 3 },
    })
    const step = deleteLoggedOutUser(context, { identifier: U1, source: 'server', code: 'INVALID_SIGNATURE', message: 'm', token: t1 })
    expect(step.context.pendingByIdentity).toEqual({ [K2]: 1 })
    expect(step.context.outbox.map((b) => b.batchId)).toEqual(['b'])
    expect(step.context.loggingOut).toEqual(['u2'])
    expect(step.context.owedDeletions.map((owed) => owed.identifier)).toEqual(['u2'])
    expect(step.context.totals).toEqual({ delivered: 1, deadLettered: 0, deleted: 7 })
    expect(step.context.tokens).toEqual({ u2: usable('t2') })
    expect(Object.keys(step.context.waits)).toEqual(['u2'])
    expect(step.emits).toEqual([
      { type: 'persist', write: { removeIdentities: ['user:u1'], erase: true } },
      {
        type: 'authError',
        error: { type: 'JWT', source: 'server', accountMeta: { appId: 'pin-app' }, details: { code: 'INVALID_SIGNATURE', numericCode: 4003, identifier: 'u1', message: 'm', deletedCount: 4, token: t1 } },
        dedupeKey: 'u1|deletion:3|INVALID_SIGNATURE',
      },
      { type: 'log', level: 'warn', message: "deleted a logged-out user's pending items (R11)", fields: { code: 'INVALID_SIGNATURE', deletedCount: 4 } },
    ])
    const noToken = deleteLoggedOutUser(context, { identifier: U2, source: 'client', code: 'TOKEN_NOT_AVAILABLE', message: 'n' })
    expect(noToken.emits[1]).toMatchObject({ error: { source: 'client', details: { code: 'TOKEN_NOT_AVAILABLE', numericCode: 4005, deletedCount: 1 } } })
    expect(noToken.emits[1]).not.toHaveProperty('error.details.token')
  })
  it('R11: a logged-out user with nothing pending is done: the token leaves memory; one with items stays', () => {
    const context = contextWith({ tokens: { u1: usable('t1'), u2: usable('t2') }, pendingByIdentity: { [K1]: 0, [K2]: 2 }, loggingOut: [U1, U2] })
    const step = settleLoggedOutUsers(context)
    expect(step.context.loggingOut).toEqual(['u2'])
    expect(step.context.tokens).toEqual({ u2: usable('t2') })
    // The token record without u1 is written in this tick; erase drops the old copy from storage.
    expect(step.emits).toEqual([{ type: 'persist', write: { erase: true } }])
    const none = contextWith({ tokens: { u1: usable('t1') }, loggingOut: [U1] })
    expect(settleLoggedOutUsers(none).context.tokens).toEqual({})
    const stillPending = contextWith({ tokens: { u2: usable('t2') }, pendingByIdentity: { [K2]: 1 }, loggingOut: [U2] })
    expect(settleLoggedOutUsers(stillPending)).toEqual({ context: stillPending, emits: [] })
  })
})

describe('R5 R6 R7: tokens passed and waits', () => {
  it('R6: judging a token: JWT off, the same usable token, a refused one, unchecked, invalid, accepted', () => {
    const t1 = token('u1', 'a')
    expect(judgeToken(contextWith({}, { isJwtEnabled: false }), U1, t1, NOW)).toEqual({ kind: 'jwt-disabled' })
    expect(judgeToken(contextWith({ tokens: { u1: usable(t1) } }), U1, t1, NOW)).toEqual({ kind: 'already-usable' })
    expect(judgeToken(contextWith({ tokens: { u1: { ...usable(t1), status: 'expired' } } }), U1, t1, NOW)).toEqual({ kind: 'accepted', expiresAt: (Math.floor(NOW / 1000) + 3600) * 1000 })
    expect(judgeToken(contextWith({ tokens: { u1: usable('other') } }), U1, t1, NOW).kind).toBe('accepted')
    const refused = rememberRefusal(contextWith({ tokens: { u1: usable(t1) } }), U1, t1, 'IDENTIFIER_MISMATCH')
    expect(judgeToken(refused, U1, t1, NOW)).toEqual({ kind: 'already-usable' })
    expect(judgeToken({ ...refused, tokens: {} }, U1, t1, NOW)).toEqual({ kind: 'refused-before', code: 'IDENTIFIER_MISMATCH' })
    expect(judgeToken({ ...refused, tokens: {} }, U2, t1, NOW).kind).toBe('invalid')
    expect(judgeToken(contextWith({}, { clientValidation: false }), U1, 'opaque', NOW)).toEqual({ kind: 'accepted', expiresAt: null })
    expect(judgeToken(contextWith({}, { clientValidation: false }), U1, token('someone', 'x', 5), NOW)).toEqual({ kind: 'accepted', expiresAt: 5_000 })
    expect(judgeToken(contextWith(), U1, token('u2', 'x'), NOW)).toEqual({ kind: 'invalid', code: 'IDENTIFIER_MISMATCH', message: 'token subject does not match the identifier' })
    expect(judgeToken(contextWith({}, { allowedAlgorithms: ['RS512'] }), U1, t1, NOW).kind).toBe('invalid')
    const expiringNow = token('u1', 'x', NOW / 1000)
    expect(judgeToken(contextWith({}, { clockSkewMs: 0 }), U1, expiringNow, NOW)).toMatchObject({ kind: 'invalid', code: 'TIME_CONSTRAINT_FAILURE' })
    expect(judgeToken(contextWith(), U1, expiringNow, NOW)).toEqual({ kind: 'accepted', expiresAt: NOW })
  })
  it('R1 R6 R7: what passAuthenticationDetails answers for each judgement', () => {
    expect(tokenVerdict({ kind: 'jwt-disabled' })).toEqual({ _tag: 'Left', left: { code: 'JWT_DISABLED', message: 'JWT is disabled in networkConfig.authorizationConfig' } })
    expect(tokenVerdict({ kind: 'refused-before', code: 'UNKNOWN' })).toEqual({ _tag: 'Left', left: { code: 'UNKNOWN', message: 'this token was already rejected by the server; pass a new one' } })
    expect(tokenVerdict({ kind: 'invalid', code: 'DECRYPTION_FAILED', message: 'm' })).toEqual({ _tag: 'Left', left: { code: 'DECRYPTION_FAILED', message: 'm' } })
    expect(tokenVerdict({ kind: 'already-usable' })).toEqual({ _tag: 'Right', right: undefined })
    expect(tokenVerdict({ kind: 'accepted', expiresAt: null })).toEqual({ _tag: 'Right', right: undefined })
  })
  it('R5 R12: an accepted token is usable, ends the wait and asks for a sync; a repeat changes nothing', () => {
    const t1 = token('u1', 'a')
    const waiting = contextWith({ waits: { u1: { id: 3, openedByError: true, notified: false }, u2: { id: 4, openedByError: false, notified: true } } })
    const step = passToken(waiting, U1, t1, NOW)
    expect(step.context.tokens['u1']).toEqual({ token: t1, status: 'usable', expiresAt: (Math.floor(NOW / 1000) + 3600) * 1000 })
    expect(Object.keys(step.context.waits)).toEqual(['u2'])
    expect(step.emits).toEqual([
      { type: 'authResolved', identifier: 'u1' },
      { type: 'tokenStored', identifier: 'u1', expiresAt: (Math.floor(NOW / 1000) + 3600) * 1000 },
    ])
    expect(passToken(step.context, U1, t1, NOW)).toEqual(unchanged(step.context))
    expect(passToken(contextWith({}, { isJwtEnabled: false }), U1, t1, NOW).emits).toEqual([])
  })
  it('R6: an invalid token never replaces a usable one; without one, it is kept as invalid and opens a wait', () => {
    const good = usable(token('u1', 'good'))
    const bad = token('u2', 'bad')
    const kept = passToken(contextWith({ tokens: { u1: good } }), U1, bad, NOW)
    expect(kept.context.tokens).toEqual({ u1: good })
    expect(kept.context.waits).toEqual({})
    expect(kept.emits).toHaveLength(1)
    expect(kept.emits[0]).toMatchObject({ type: 'authError', error: { source: 'client', details: { code: 'IDENTIFIER_MISMATCH', token: bad, identifier: 'u1' } } })
    const stored = passToken(contextWith({ nextWaitId: 5 }), U1, bad, NOW)
    expect(stored.context.tokens['u1']).toEqual({ token: bad, status: 'invalid', expiresAt: null, errorCode: 'IDENTIFIER_MISMATCH' })
    expect(stored.context.waits['u1']).toEqual({ id: 5, openedByError: true, notified: false })
    expect(stored.context.nextWaitId).toBe(6)
    expect(stored.emits[1]).toEqual({ type: 'tokenWanted', identifier: 'u1', reason: 'invalid' })
  })
  it('R5: a wait opened without an error becomes one opened by an error; a second open changes nothing', () => {
    const context = contextWith({ nextWaitId: 2 })
    const first = openWait(context, U1, false)
    expect(first.waits['u1']).toEqual({ id: 2, openedByError: false, notified: false })
    expect(first.nextWaitId).toBe(3)
    expect(openWait(first, U1, false)).toBe(first)
    const upgraded = openWait(first, U1, true)
    expect(upgraded.waits['u1']).toEqual({ id: 2, openedByError: true, notified: false })
    expect(upgraded.nextWaitId).toBe(3)
    expect(openWait(upgraded, U1, true)).toBe(upgraded)
    expect(openWait(upgraded, U1, false)).toBe(upgraded)
  })
  it('R5: TOKEN_NOT_AVAILABLE once per wait, for users with pending items and no usable token, not for users logging out', () => {
    const context = contextWith({
      pendingByIdentity: { [ANON]: 3, [K1]: 2, [K2]: 0, ['user:u3' as IdentityKey]: 1, ['user:u4' as IdentityKey]: 1, ['user:u5' as IdentityKey]: 1 },
      tokens: { u4: usable('t4') },
      loggingOut: ['u3' as Identifier],
      waits: { u5: { id: 9, openedByError: true, notified: false } },
      nextWaitId: 10,
    })
    const step = openWaitsForMissingTokens(context)
    expect(Object.keys(step.context.waits).sort()).toEqual(['u1', 'u5'])
    expect(step.context.waits['u1']).toEqual({ id: 10, openedByError: false, notified: true })
    expect(step.emits).toEqual([
      {
        type: 'authError',
        error: { type: 'JWT', source: 'client', accountMeta: { appId: 'pin-app' }, details: { code: 'TOKEN_NOT_AVAILABLE', numericCode: 4005, identifier: 'u1', message: 'no usable token for pending items' } },
        dedupeKey: 'u1|wait:10|TOKEN_NOT_AVAILABLE',
      },
      { type: 'tokenWanted', identifier: 'u1', reason: 'missing' },
    ])
    expect(openWaitsForMissingTokens(step.context).emits).toEqual([])
    expect(openWaitsForMissingTokens(contextWith({ pendingByIdentity: { [K1]: 1 } }, { isJwtEnabled: false })).emits).toEqual([])
  })
  it('R6: a usable token of a user with pending items is marked expired at the moment of use, at exactly now - skew >= exp', () => {
    const t1 = token('u1', 'a')
    const at = (expiresAt: number, overrides: Partial<SyncContext> = {}, settingsOverrides: Partial<MachineSettings> = {}) =>
      expireStaleTokens(contextWith({ tokens: { u1: usable(t1, expiresAt) }, pendingByIdentity: { [K1]: 1 }, ...overrides }, settingsOverrides), NOW)
    const expired = at(NOW - 60_000)
    expect(expired.context.tokens['u1']).toEqual({ ...usable(t1, NOW - 60_000), status: 'expired', errorCode: 'TIME_CONSTRAINT_FAILURE' })
    expect(expired.context.waits['u1']).toMatchObject({ openedByError: true })
    expect(expired.emits).toEqual([
      {
        type: 'authError',
        error: { type: 'JWT', source: 'client', accountMeta: { appId: 'pin-app' }, details: { code: 'TIME_CONSTRAINT_FAILURE', numericCode: 4010, token: t1, identifier: 'u1', message: 'token has expired' } },
        dedupeKey: `u1|${t1}|TIME_CONSTRAINT_FAILURE`,
      },
      { type: 'tokenWanted', identifier: 'u1', reason: 'invalid' },
    ])
    expect(at(NOW - 60_000 + 1).emits).toEqual([])
    expect(at(NOW - 60_000, { pendingByIdentity: {} }).emits).toEqual([])
    expect(at(NOW - 60_000, {}, { clientValidation: false }).emits).toEqual([])
    expect(at(NOW - 60_000, {}, { isJwtEnabled: false }).emits).toEqual([])
    expect(expireStaleTokens(contextWith({ tokens: { u1: usable(t1, null) }, pendingByIdentity: { [K1]: 1 } }), NOW).emits).toEqual([])
    expect(expireStaleTokens(contextWith({ tokens: { u1: { ...usable(t1, 0), status: 'rejected' } }, pendingByIdentity: { [K1]: 1 } }), NOW).emits).toEqual([])
  })
  it('R11: forgetting a token removes it and closes its wait; others stay', () => {
    const context = contextWith({ tokens: { u1: usable('a'), u2: usable('b') }, waits: { u1: { id: 1, openedByError: false, notified: false } } })
    expect(forgetToken(context, U1)).toEqual({ ...context, tokens: { u2: usable('b') }, waits: {} })
    expect(forgetToken(context, U2).waits).toBe(context.waits)
    expect(usableToken(context, U1)).toBe('a')
    expect(usableToken(contextWith({ tokens: { u1: { ...usable('a'), status: 'expired' } } }), U1)).toBeNull()
    expect(usableToken(context, 'u9' as Identifier)).toBeNull()
  })
  it('R7 R15: errors name the app and carry the numeric code; one key per (identifier, token, code), or per occurrence', () => {
    const context = contextWith()
    expect(authError(context, 'client', 'UNKNOWN', { identifier: 'u1' })).toEqual({ type: 'JWT', source: 'client', accountMeta: { appId: 'pin-app' }, details: { code: 'UNKNOWN', numericCode: 4999, identifier: 'u1' } })
    expect(emitAuthError(context, 'server', 'UNKNOWN', { identifier: 'u1', token: 't' })).toMatchObject({ dedupeKey: 'u1|t|UNKNOWN' })
    expect(emitAuthError(context, 'server', 'UNKNOWN', { identifier: 'u1' })).toMatchObject({ dedupeKey: 'u1||UNKNOWN' })
    expect(emitAuthError(context, 'server', 'UNKNOWN', { identifier: 'u1', token: 't' }, 'x')).toMatchObject({ dedupeKey: 'u1|x|UNKNOWN' })
  })
})

describe('R3 R5 R8 R9 R11 R12: what the sync loop does next', () => {
  const t1 = 't1'
  it('R11: a deletion owed comes first, even while suspended; with no usable token a logged-out user is deleted (TOKEN_NOT_AVAILABLE)', () => {
    const owed = { identifier: U2, source: 'server' as const, code: 'UNKNOWN' as const, message: 'm' }
    const suspended = { ...newSession('s1' as SessionId, NOW), consecutiveAuthFailures: 10 }
    expect(planNext(contextWith({ owedDeletions: [owed], session: suspended, pendingByIdentity: { [K2]: 1 } }), NOW)).toEqual({ kind: 'delete', deletion: owed })
    const noToken = contextWith({ loggingOut: [U1, U2], pendingByIdentity: { [K1]: 0, [K2]: 2 }, session: suspended })
    expect(planNext(noToken, NOW)).toEqual({
      kind: 'delete',
      deletion: { identifier: 'u2', source: 'client', code: 'TOKEN_NOT_AVAILABLE', message: "no usable token for the logged-out user's pending items" },
    })
    // With a usable token the logged-out user's items are flushed, not deleted (R11), before anyone else's.
    const flushable = contextWith({ loggingOut: [U2], tokens: { u2: usable('t2') }, pendingByIdentity: { [ANON]: 1, [K2]: 2 } })
    expect(planNext(flushable, NOW)).toEqual({ kind: 'form', identity: 'user:u2', logout: true })
    // JWT disabled: nobody has a token, and nothing is deleted for it.
    expect(planNext(contextWith({ loggingOut: [U2], pendingByIdentity: { [K2]: 2 } }, { isJwtEnabled: false }), NOW)).toEqual({ kind: 'form', identity: 'user:u2', logout: true })
  })
  it('R8: nothing is sent while suspended; nothing pending is nothing to send', () => {
    const suspended = { ...newSession('s1' as SessionId, NOW), consecutiveAuthFailures: 10 }
    expect(planNext(contextWith({ session: suspended, pendingByIdentity: { [ANON]: 1 } }), NOW)).toEqual({ kind: 'rest', reason: 'suspended' })
    expect(planNext(contextWith({ session: suspended, pendingByIdentity: { [ANON]: 0 } }), NOW)).toEqual(NOTHING_TO_SEND)
    expect(NOTHING_TO_SEND).toEqual({ kind: 'rest', reason: 'nothing-to-send' })
  })
  it('R9 R12: Retry-After holds every attempt until its deadline; backoff holds automatic ones only', () => {
    const pending = { pendingByIdentity: { [ANON]: 1 } }
    const retry = (fields: Partial<SyncContext['retry']>) => ({ retry: { consecutiveTransientFailures: 1, backoffUntil: null, retryAfterUntil: null, storageFailing: false, ...fields } })
    const explicit = { flushRequests: { requested: 1, completed: 0 } }
    expect(planNext(contextWith({ ...pending, ...retry({ retryAfterUntil: NOW + 1 }), ...explicit }), NOW)).toEqual({ kind: 'rest', reason: 'retry-after' })
    expect(planNext(contextWith({ ...pending, ...retry({ retryAfterUntil: NOW }) }), NOW).kind).toBe('form')
    expect(planNext(contextWith({ ...pending, ...retry({ backoffUntil: NOW + 1 }) }), NOW)).toEqual({ kind: 'rest', reason: 'backoff' })
    expect(planNext(contextWith({ ...pending, ...retry({ backoffUntil: NOW + 1, storageFailing: true }) }), NOW)).toEqual({ kind: 'rest', reason: 'storage-unavailable' })
    expect(planNext(contextWith({ ...pending, ...retry({ backoffUntil: NOW }) }), NOW).kind).toBe('form')
    expect(planNext(contextWith({ ...pending, ...retry({ backoffUntil: NOW + 1 }), ...explicit }), NOW).kind).toBe('form')
    expect(hasExplicitRequest(contextWith(explicit))).toBe(true)
    expect(hasExplicitRequest(contextWith({ flushRequests: { requested: 2, completed: 2 } }))).toBe(false)
  })
  it('R3 R5: only identities with a usable token (or none needed) are served; frozen batches are resent first', () => {
    const frozen = batch('b9', K1, 1)
    const context = contextWith({ tokens: { u1: usable(t1) }, pendingByIdentity: { [ANON]: 1, [K1]: 1, [K2]: 1 }, outbox: [frozen] })
    expect(planNext(context, NOW)).toEqual({ kind: 'send', batch: frozen, token: t1, logout: false })
    expect(planNext(contextWith({ pendingByIdentity: { [K2]: 1, [ANON]: 1 } }), NOW)).toEqual({ kind: 'form', identity: 'anon', logout: false })
    expect(planNext(contextWith({ pendingByIdentity: { [K2]: 1 } }), NOW)).toEqual({ kind: 'rest', reason: 'awaiting-token' })
    expect(planNext(contextWith({ pendingByIdentity: { [K2]: 1 }, tokens: { u2: { ...usable('x'), status: 'rejected' } } }), NOW)).toEqual({ kind: 'rest', reason: 'awaiting-token' })
    expect(planNext(contextWith({ pendingByIdentity: { [K2]: 1 } }, { isJwtEnabled: false }), NOW)).toEqual({ kind: 'form', identity: 'user:u2', logout: false })
    // A frozen batch of an identity with nothing pending any more is not served.
    expect(planNext(contextWith({ outbox: [frozen], pendingByIdentity: { [K1]: 0, [ANON]: 1 }, tokens: { u1: usable(t1) } }), NOW)).toEqual({ kind: 'form', identity: 'anon', logout: false })
  })
  it('R12: newly tracked items alone start no request: they wait for a trigger', () => {
    expect(planNext(contextWith({ pendingByIdentity: { [ANON]: 1 } }), NOW, 'tracked-only')).toEqual({ kind: 'rest', reason: 'waiting-for-trigger' })
    expect(planNext(contextWith({ pendingByIdentity: { [K2]: 1 } }), NOW, 'tracked-only')).toEqual({ kind: 'rest', reason: 'awaiting-token' })
    expect(planNext(contextWith({ pendingByIdentity: { [ANON]: 1 } }), NOW)).toEqual({ kind: 'form', identity: 'anon', logout: false })
  })
})

describe('R19: the auth region and step plumbing', () => {
  it('R19: the auth region follows JWT off, identified, logging out and anonymous; the token state follows the record', () => {
    expect(authStateOf(contextWith({ identifier: U1 }, { isJwtEnabled: false }))).toBe('jwtDisabled')
    expect(authStateOf(contextWith({ identifier: U1, loggingOut: [U2] }))).toBe('identified')
    expect(authStateOf(contextWith({ loggingOut: [U2] }))).toBe('loggingOut')
    expect(authStateOf(contextWith())).toBe('anonymous')
    expect(tokenStateOf(contextWith())).toBeNull()
    expect(tokenStateOf(contextWith({ identifier: U1 }))).toBe('none')
    expect(tokenStateOf(contextWith({ identifier: U1, tokens: { u1: { ...usable('t'), status: 'invalid' } } }))).toBe('invalid')
  })
  it('R12: chained rules see each other\'s context, keep every effect in order, and ask for a sync if any does', () => {
    const log = (message: string) => ({ type: 'log' as const, level: 'info' as const, message, fields: {} })
    const step = chain(
      contextWith(),
      (c) => ({ context: { ...c, nextWaitId: c.nextWaitId + 1 }, emits: [log('a')] }),
      (c) => ({ context: { ...c, nextWaitId: c.nextWaitId * 10 }, emits: [log('b')], sync: true }),
      (c) => ({ context: c, emits: [], sync: false }),
    )
    expect(step.context.nextWaitId).toBe(20)
    expect(step.emits).toEqual([log('a'), log('b')])
    expect(step.sync).toBe(true)
    expect(chain(contextWith(), (c) => unchanged(c)).sync).toBe(false)
    expect(chain(contextWith(), (c) => ({ context: c, emits: [], sync: false })).sync).toBe(false)
  })
})

describe('R20 R14: compression refused, and the batch read ahead', () => {
  it('R20: a 415 to a gzip body turns compression off for good, with a warning naming the batch', () => {
    const context = contextWith({}, { compression: 'gzip' })
    expect(compressesRequests(context)).toBe(true)
    expect(compressesRequests(contextWith({}, { compression: 'none' }))).toBe(false)
    const step = compressionRefused(context, batch('b7', ANON, 1))
    expect(compressesRequests(step.context)).toBe(false)
    expect(step.emits).toEqual([{ type: 'log', level: 'warn', message: 'the server refused a gzip body (415); sending uncompressed from now on', fields: { batchId: 'b7' } }])
  })
  it('R14: items read ahead become the next frozen batch only for the identity the plan would form, outside a logout', () => {
    const items = [item('n1', ANON), item('n2', ANON)]
    const ids = () => 'ahead' as BatchId
    const pending = contextWith({ pendingByIdentity: { [ANON]: 2, [K2]: 1 }, tokens: { u2: usable('t2') } })
    const form = { kind: 'form', identity: ANON, logout: false } as const
    // Nothing read ahead: nothing changes.
    expect(planWithNextBatch(pending, form, NOW, ids)).toEqual({ context: pending, plan: form })
    expect(planWithNextBatch({ ...pending, nextBatch: null }, form, NOW, ids)).toEqual({ context: { ...pending, nextBatch: null }, plan: form })
    // Read ahead for this identity: frozen at the end of the outbox and sent.
    const ahead = { ...pending, nextBatch: { identity: ANON, items } }
    const used = planWithNextBatch(ahead, form, NOW, ids)
    expect(used.context.outbox).toEqual([{ batchId: 'ahead', identity: ANON, items }])
    expect(used.context.nextBatch).toBeNull()
    expect(used.plan).toEqual({ kind: 'send', batch: { batchId: 'ahead', identity: ANON, items }, token: null, logout: false })
    // Not used, but cleared: another identity, a logout flush, a plan that is not a form, no items.
    for (const [plan, next] of [
      [{ kind: 'form', identity: K2, logout: false }, { identity: ANON, items }],
      [{ kind: 'form', identity: ANON, logout: true }, { identity: ANON, items }],
      [{ kind: 'rest', reason: 'backoff' }, { identity: ANON, items }],
      [form, { identity: ANON, items: [] }],
    ] as const) {
      const result = planWithNextBatch({ ...pending, nextBatch: next }, plan, NOW, ids)
      expect(result, JSON.stringify(plan)).toEqual({ context: { ...pending, nextBatch: null }, plan })
    }
    expect(freezeBatch(pending, K2, items, 'f' as BatchId).outbox).toEqual([{ batchId: 'f', identity: K2, items }])
  })
})
