// The model-based property test's vocabulary: steps, their generators, and the oracle that
// checks every rule after every step. Kept apart from the test file so regression tests for
// counterexamples can replay exact step lists.
import * as E from 'fp-ts/lib/Either.js'
import fc from 'fast-check'
import { expect } from 'vitest'
import type { InspectionEvent } from 'xstate'
import { createManualClock, type AuthenticationError, type IdentityKey, type SdkState, type StoredItem } from '@jwt-sync/core'
import { jwt401, makeToken, seededRandom, settle, startHarness, validToken, type Harness, type ScriptedAnswer } from './harness.js'
import { createReferenceModel, type ReferenceModel, type RestReason, type TokenClaims } from './referenceModel.js'

export const USERS = ['u1', 'u2', 'u3'] as const
type User = (typeof USERS)[number]
const JWT_CODES = ['INVALID_SIGNATURE', 'TIME_CONSTRAINT_FAILURE', 'IDENTIFIER_MISMATCH', 'DECRYPTION_FAILED', 'UNKNOWN'] as const

export type TokenKind = 'valid' | 'expired' | 'malformed' | 'wrong-subject' | 'replay-rejected'

export type Step =
  | { readonly kind: 'track' }
  | { readonly kind: 'setUserAttribute' }
  | { readonly kind: 'identify'; readonly user: User }
  | { readonly kind: 'logout' }
  | { readonly kind: 'token'; readonly user: User; readonly token: TokenKind }
  | { readonly kind: 'flush' }
  | { readonly kind: 'answer'; readonly answer: ScriptedAnswer; readonly label: string }
  | { readonly kind: 'tokenDuringFlight'; readonly user: User }
  | { readonly kind: 'foreground' }
  | { readonly kind: 'background' }
  | { readonly kind: 'advance'; readonly ms: number }
  /** The app is killed after `whenPersisted()` and launched again on the same storage (R13, R8). */
  | { readonly kind: 'relaunch' }
  /** Repeated refusals with a fresh token each time: the path to R8's suspension. */
  | { readonly kind: 'authStorm'; readonly user: User; readonly rounds: number }
  /** Repeated transient failures, each answering a flush: the path to R9's backoff cap. */
  | { readonly kind: 'outage'; readonly rounds: number; readonly answer: ScriptedAnswer; readonly label: string }

const answers: fc.Arbitrary<Step> = fc.oneof(
  fc.constant<Step>({ kind: 'answer', answer: { status: 200 }, label: '200' }),
  fc.constantFrom(...JWT_CODES).map<Step>((code) => ({ kind: 'answer', answer: jwt401(code), label: `401 ${code}` })),
  fc.constant<Step>({ kind: 'answer', answer: { status: 401, body: 'garbage' }, label: '401 unreadable' }),
  fc.constantFrom(500, 503).map<Step>((status) => ({ kind: 'answer', answer: { status }, label: String(status) })),
  fc.integer({ min: 1, max: 600 }).map<Step>((s) => ({ kind: 'answer', answer: { status: 429, headers: { 'retry-after': String(s) } }, label: `429 ${s}s` })),
  fc.constant<Step>({ kind: 'answer', answer: { status: 413 }, label: '413' }),
  fc.constant<Step>({ kind: 'answer', answer: { status: 400, body: '{}' }, label: '400' }),
  fc.constantFrom<'timeout' | 'network'>('timeout', 'network').map<Step>((failure) => ({ kind: 'answer', answer: { failure }, label: failure })),
)

/** Random steps, weighted so that items, identities and tokens interleave densely with server outcomes. */
export const stepArbitrary: fc.Arbitrary<Step> = fc.oneof(
  { weight: 6, arbitrary: fc.constant<Step>({ kind: 'track' }) },
  { weight: 1, arbitrary: fc.constant<Step>({ kind: 'setUserAttribute' }) },
  { weight: 2, arbitrary: fc.constantFrom(...USERS).map<Step>((user) => ({ kind: 'identify', user })) },
  { weight: 1, arbitrary: fc.constant<Step>({ kind: 'logout' }) },
  {
    weight: 4,
    arbitrary: fc
      .record({
        user: fc.constantFrom(...USERS),
        token: fc.constantFrom<TokenKind>('valid', 'valid', 'valid', 'expired', 'malformed', 'wrong-subject', 'replay-rejected'),
      })
      .map<Step>(({ user, token }) => ({ kind: 'token', user, token })),
  },
  { weight: 3, arbitrary: fc.constant<Step>({ kind: 'flush' }) },
  { weight: 5, arbitrary: answers },
  { weight: 1, arbitrary: fc.constantFrom(...USERS).map<Step>((user) => ({ kind: 'tokenDuringFlight', user })) },
  { weight: 1, arbitrary: fc.constant<Step>({ kind: 'foreground' }) },
  { weight: 1, arbitrary: fc.constant<Step>({ kind: 'background' }) },
  { weight: 1, arbitrary: fc.constant<Step>({ kind: 'relaunch' }) },
  {
    weight: 1,
    arbitrary: fc
      .record({ user: fc.constantFrom(...USERS), rounds: fc.integer({ min: 1, max: 12 }) })
      .map<Step>(({ user, rounds }) => ({ kind: 'authStorm', user, rounds })),
  },
  {
    weight: 1,
    arbitrary: fc
      .record({
        rounds: fc.integer({ min: 1, max: 12 }),
        failure: fc.constantFrom<[ScriptedAnswer, string]>([{ status: 503 }, '503'], [{ failure: 'network' }, 'network'], [{ failure: 'timeout' }, 'timeout']),
      })
      .map<Step>(({ rounds, failure: [answer, label] }) => ({ kind: 'outage', rounds, answer, label })),
  },
  {
    weight: 2,
    arbitrary: fc.oneof(fc.integer({ min: 1_000, max: 5 * 60_000 }), fc.constant(31 * 60_000)).map<Step>((ms) => ({ kind: 'advance', ms })),
  },
)

const MAX_AUTH_FAILURES = 10

/** What the runs reached, printed by the test so a reader can see the model explores the hard paths. */
export const coverage = {
  runs: 0,
  steps: 0,
  relaunches: 0,
  requests: 0,
  authFailures: 0,
  suspensions: 0,
  deletedItems: 0,
  deadLetters: 0,
  transientFailures: 0,
  /** Every `region.state` the chart rested in after a step. */
  chartStates: new Set<string>(),
}

/** What the oracle remembers: what the app did and what the rules allow. */
type Oracle = {
  identity: User | null
  /** Each tracked item's identity at tracking time. */
  tracked: Map<string, IdentityKey>
  /** Tokens that passed the client checks, per user: the only ones that may ever be sent (R3). */
  validTokens: Map<User, Set<string>>
  /** The latest valid token per user, and the last one the server refused. */
  latestToken: Map<User, string>
  rejected: Map<User, string>
  /** Batch id -> its item ids (R14: a batch is frozen). */
  batches: Map<string, string>
  deletedReported: number
  requestsChecked: number
}

/** What the client checks can read in each token the test made (the reference model does not decode JWTs). */
const claimsOf = new Map<string, TokenClaims>()
const MALFORMED: TokenClaims = { decodable: false, sub: null, expSeconds: null }
const made = (token: string, sub: string, expSeconds: number): string => {
  claimsOf.set(token, { decodable: true, sub, expSeconds })
  return token
}
const freshToken = (sub: string, now: number, nonce: string): string => made(validToken(sub, now, nonce), sub, Math.floor(now / 1000) + 3600)

const tokenFor = (kind: TokenKind, user: User, now: number, oracle: Oracle, nonce: number): string => {
  switch (kind) {
    case 'valid':
      return freshToken(user, now, `n${nonce}`)
    case 'expired': {
      const exp = Math.floor(now / 1000) - 3600
      return made(makeToken({ sub: user, exp }), user, exp)
    }
    case 'malformed':
      return 'not-a-jwt'
    case 'wrong-subject':
      return freshToken(user === 'u1' ? 'u2' : 'u1', now, `n${nonce}`)
    case 'replay-rejected':
      return oracle.rejected.get(user) ?? 'not-a-jwt'
  }
}

/**
 * The SDK's random source as the model sees it: the harness's generator, of which the SDK draws
 * one value for its id prefix when it starts (src/sdk/ids.ts); every later draw is R9 jitter.
 */
const modelRandom = (): (() => number) => {
  const random = seededRandom(42)
  random()
  return random
}

/** Runs the steps against a real SDK (manual clock, memory storage, scripted server), checking every rule after every step. */
export const runModel = async (steps: readonly Step[], inspect?: (event: InspectionEvent) => void): Promise<void> => {
  let harness = await startHarness(inspect !== undefined ? { inspect } : {})
  const model = createReferenceModel(harness.clock.now(), modelRandom())
  const errors = harness.errors
  const oracle: Oracle = {
    identity: null,
    tracked: new Map(),
    validTokens: new Map(),
    latestToken: new Map(),
    rejected: new Map(),
    batches: new Map(),
    deletedReported: 0,
    requestsChecked: 0,
  }
  let nonce = 0
  let errorsSeen = 0
  let suspendedSeen = false
  try {
    for (const step of steps) {
      const before = {
        requests: harness.server.requests.length,
        sessionId: harness.sdk.getState().sessionId,
        sessions: model.state.session.serial,
        errors: errors.length,
        predictedErrors: model.state.errors.length,
      }
      if (step.kind === 'relaunch') {
        harness = await relaunch(harness, inspect)
        model.relaunch(modelRandom())
      } else {
        await applyStep(step, harness, oracle, model, () => nonce++)
      }
      await settle()
      model.endOfTick()
      model.drain()
      for (const error of errors.slice(errorsSeen)) observeError(error, oracle)
      errorsSeen = errors.length
      // The prediction first: when both fail, its message names what the SDK did differently.
      checkPrediction(harness, oracle, model, before, step)
      await checkRules(harness, oracle, step)
      coverage.steps++
      if (harness.sdk.getState().suspended) suspendedSeen = true
    }
    coverage.runs++
    if (suspendedSeen) coverage.suspensions++
    const { server } = harness
    coverage.requests += server.requests.length
    coverage.authFailures += server.requests.filter((r) => r.response === 401).length
    coverage.transientFailures += server.requests.filter((r) => r.response !== 401 && r.response !== 200 && r.response !== 'pending').length
    coverage.deletedItems += oracle.deletedReported
    coverage.deadLetters += harness.sdk.getState().deadLetterCount
  } finally {
    await harness.sdk.shutdown()
  }
}

/**
 * Kills the app once its items are persisted (the actor stops, no shutdown, its timers stay on a
 * clock nobody advances) and starts a new instance on the same storage and server, as a relaunch.
 */
const relaunch = async (harness: Harness, inspect?: (event: InspectionEvent) => void): Promise<Harness> => {
  await harness.sdk.whenPersisted()
  harness.sdk.actor.stop()
  coverage.relaunches++
  return startHarness({
    storage: harness.storage,
    server: harness.server,
    clock: createManualClock(harness.clock.now()),
    errors: harness.errors,
    ...(inspect !== undefined ? { inspect } : {}),
  })
}

/** Each step is made on the SDK and, command by command, on the reference model. */
const applyStep = async (step: Step, harness: Harness, oracle: Oracle, model: ReferenceModel, nextNonce: () => number): Promise<void> => {
  const { sdk, clock, server } = harness
  const identityKey = (): IdentityKey => (oracle.identity === null ? 'anon' : `user:${oracle.identity}`) as IdentityKey
  const track = (result: E.Either<unknown, { id: string }>): void => {
    if (E.isLeft(result)) throw new Error(`track failed: ${JSON.stringify(result.left)}`)
    oracle.tracked.set(result.right.id, identityKey())
    model.track(result.right.id)
  }
  const answer = (scripted: ScriptedAnswer): void => {
    server.clearScript()
    server.answer(scripted)
    model.answer(scripted)
  }
  const clearScript = (): void => {
    server.clearScript()
    model.clearScript()
  }
  switch (step.kind) {
    case 'track':
    case 'setUserAttribute':
      track(step.kind === 'track' ? sdk.track('event', { n: oracle.tracked.size }) : sdk.setUserAttribute('plan', 'pro'))
      return
    case 'identify':
      sdk.identify(step.user)
      oracle.identity = step.user
      model.identify(step.user)
      return
    case 'logout':
      oracle.identity = null
      await sdk.logout()
      model.logout()
      return
    case 'token':
      passToken(harness, oracle, model, step.user, tokenFor(step.token, step.user, clock.now(), oracle, nextNonce()))
      return
    case 'flush':
      await sdk.flush()
      model.flush()
      return
    case 'answer':
      answer(step.answer)
      return
    case 'tokenDuringFlight': {
      // A response that arrives after a new token was passed (R7, last sentence).
      answer({ hold: true })
      const token = freshToken(step.user, clock.now(), `f${nextNonce()}`)
      const flushing = sdk.flush()
      await settle()
      passToken(harness, oracle, null, step.user, token)
      if (server.heldCount() > 0) server.release(jwt401('INVALID_SIGNATURE'))
      server.clearScript()
      await flushing
      // The model: the token arrives while the held request waits, which the server then refuses;
      // without a request to hold, the token arrives once the flush has come to rest.
      let held = false
      model.flush({
        onHold: () => {
          held = true
          model.passToken(step.user, token, claimsOf.get(token) ?? MALFORMED)
          return jwt401('INVALID_SIGNATURE')
        },
      })
      if (!held) model.passToken(step.user, token, claimsOf.get(token) ?? MALFORMED)
      model.clearScript()
      model.drain()
      return
    }
    case 'authStorm':
      for (let round = 0; round < step.rounds; round++) {
        answer(jwt401('INVALID_SIGNATURE'))
        sdk.identify(step.user)
        oracle.identity = step.user
        model.identify(step.user)
        passToken(harness, oracle, model, step.user, freshToken(step.user, clock.now(), `s${nextNonce()}`))
        track(sdk.track('storm'))
        await sdk.flush()
        model.flush()
      }
      clearScript()
      return
    case 'outage':
      for (let round = 0; round < step.rounds; round++) {
        answer(step.answer)
        await sdk.flush()
        model.flush()
      }
      clearScript()
      return
    case 'foreground':
      sdk.onAppForeground()
      model.foreground()
      return
    case 'background':
      sdk.onAppBackground()
      model.background()
      return
    case 'advance':
      // Time moves in slices so async work started by one timer can finish before the next.
      for (let left = step.ms; left > 0; left -= 30_000) {
        clock.advance(Math.min(30_000, left))
        await settle()
      }
      model.advance(step.ms)
      return
  }
}

/** Passes a token to the SDK and, unless `model` is null (the caller does it itself), to the model. */
const passToken = (harness: Harness, oracle: Oracle, model: ReferenceModel | null, user: User, token: string): void => {
  model?.passToken(user, token, claimsOf.get(token) ?? MALFORMED)
  const result = harness.sdk.passAuthenticationDetails({ identifier: user, token })
  if (E.isRight(result)) {
    const tokens = oracle.validTokens.get(user) ?? new Set<string>()
    tokens.add(token)
    oracle.validTokens.set(user, tokens)
    oracle.latestToken.set(user, token)
  }
}

const observeError = (error: AuthenticationError, oracle: Oracle): void => {
  if (error.details.deletedCount !== undefined) oracle.deletedReported += error.details.deletedCount
  if (error.source === 'server' && error.details.token !== undefined && error.details.identifier !== undefined) {
    oracle.rejected.set(error.details.identifier as User, error.details.token)
  }
}

const readQueue = async (harness: Harness): Promise<{ pending: StoredItem[]; deadLettered: string[] }> => {
  const opened = await harness.storage.open('test-app')()
  if (E.isLeft(opened)) throw new Error('storage not readable')
  const ns = opened.right
  const pending: StoredItem[] = []
  for (const identity of ['anon', ...USERS.map((user) => `user:${user}`)] as IdentityKey[]) {
    const items = await ns.peek(identity, Number.MAX_SAFE_INTEGER)()
    if (E.isRight(items)) pending.push(...items.right)
  }
  const letters = await ns.readDeadLetters(Number.MAX_SAFE_INTEGER)()
  return { pending, deadLettered: E.isRight(letters) ? letters.right.map((letter) => letter.item.id) : [] }
}

/** Every rule the model can see, checked after every step. */
const checkRules = async (harness: Harness, oracle: Oracle, step: Step): Promise<void> => {
  const { server, sdk } = harness
  const context = `after ${JSON.stringify(step)}`
  // R3, R4, R14 on every new request.
  for (const request of server.requests.slice(oracle.requestsChecked)) {
    const identities = new Set(request.itemIds.map((id) => oracle.tracked.get(id)))
    expect(identities.size, `R4 one identity per request ${context}`).toBe(1)
    const [identity] = [...identities]
    expect(identity, `R4 request identity matches the stamp ${context}`).toBe(request.identity === null ? 'anon' : `user:${request.identity}`)
    if (request.identity === null) expect(request.token, `R2 anonymous without token ${context}`).toBeNull()
    else expect(oracle.validTokens.get(request.identity as User)?.has(request.token ?? ''), `R3 token passed for ${request.identity} ${context}`).toBe(true)
    const frozen = oracle.batches.get(request.batchId)
    const items = request.itemIds.join(',')
    if (frozen !== undefined) expect(items, `R14 frozen batch ${context}`).toBe(frozen)
    oracle.batches.set(request.batchId, items)
  }
  oracle.requestsChecked = server.requests.length

  // R7/S1: after the server refused token T for user X, T is never sent again for X.
  const refusedAt = new Map<string, number>()
  server.requests.forEach((request, index) => {
    const key = `${request.identity}|${request.token}`
    if (refusedAt.has(key) && request.token !== null) {
      throw new Error(`S1: token refused at request ${refusedAt.get(key)} was sent again at ${index} ${context}`)
    }
    if (request.response === 401 && request.token !== null) refusedAt.set(key, index)
  })

  // R8: never more than 10 auth-failed requests in one session without a success in between.
  let failures = 0
  let session = ''
  for (const request of server.requests) {
    if (request.sessionId !== session) {
      session = request.sessionId
      failures = 0
    }
    if (request.response === 401) failures++
    if (typeof request.response === 'number' && request.response >= 200 && request.response < 300) failures = 0
    expect(failures, `R8 ${context}`).toBeLessThanOrEqual(MAX_AUTH_FAILURES)
  }

  // Conservation: every tracked item is pending, delivered, dead-lettered or deleted (R11), exactly one.
  await sdk.whenPersisted()
  const { pending, deadLettered } = await readQueue(harness)
  const pendingIds = new Set(pending.map((item) => item.id))
  const fates = new Map<string, string[]>()
  const mark = (id: string, fate: string) => fates.set(id, [...(fates.get(id) ?? []), fate])
  for (const id of pendingIds) mark(id, 'pending')
  for (const id of server.stored) mark(id, 'delivered')
  for (const id of deadLettered) mark(id, 'dead-lettered')
  let deleted = 0
  for (const [id, identity] of oracle.tracked) {
    const fate = fates.get(id) ?? []
    if (fate.length === 0) {
      deleted++
      expect(identity, `deleted items belong to a user (R11) ${context}`).not.toBe('anon')
    }
    expect(fate.length, `item ${id} has one fate, has ${fate.join('+')} ${context}`).toBeLessThanOrEqual(1)
  }
  expect(deleted, `deleted items were reported with deletedCount (R11) ${context}`).toBe(oracle.deletedReported)
  for (const id of fates.keys()) expect(oracle.tracked.has(id), `SDK sends only tracked items ${context}`).toBe(true)
  expect(sdk.getState().pendingCount, `pendingCount matches storage ${context}`).toBe(pendingIds.size)
  checkChartAgreesWithData(sdk.getState(), context)
}

const REST_STATES: Readonly<Record<RestReason, string>> = {
  'nothing-to-send': 'rest.nothingToSend',
  'waiting-for-trigger': 'rest.waitingForTrigger',
  'awaiting-token': 'rest.awaitingToken',
  suspended: 'rest.suspended',
  'retry-after': 'rest.retryAfter',
  backoff: 'rest.backingOff',
}

/** A token as a message shows it: its nonce is enough to tell the test's tokens apart. */
const shortToken = (token: string | null): string => {
  if (token === null) return 'none'
  const payload = token.split('.')[1]
  if (payload === undefined) return token
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as { sub?: unknown; nonce?: unknown }
    return `${String(claims.sub)}/${String(claims.nonce)}`
  } catch {
    return token
  }
}

/**
 * Two-sided: what the reference model predicts for this step is exactly what the SDK did, so an
 * SDK more cautious than the rules (sending less, counting less, deleting less) fails as surely
 * as one that breaks a safety rule.
 */
const checkPrediction = (
  harness: Harness,
  oracle: Oracle,
  model: ReferenceModel,
  before: { readonly requests: number; readonly sessionId: string; readonly sessions: number; readonly errors: number; readonly predictedErrors: number },
  step: Step,
): void => {
  const { server, sdk, errors } = harness
  const context = `after ${JSON.stringify(step)}`
  const sent = server.requests.slice(before.requests)
  const predicted = model.state.requests.slice(before.requests)
  const describe = (requests: readonly { identity: string | null; token: string | null; itemIds: readonly string[]; response: unknown }[]) =>
    requests.map((r) => `${r.identity ?? 'anon'} ${shortToken(r.token)} [${r.itemIds.length}] -> ${String(r.response)}`).join('; ')
  const requestContext = `(sent: ${describe(sent)}; predicted: ${describe(predicted)}) ${context}`
  expect(sent.length, `R12/R5/R8/R9 number of requests in this step ${requestContext}`).toBe(predicted.length)
  sent.forEach((request, i) => {
    const expected = predicted[i]
    if (expected === undefined) return
    expect(request.identity, `R4/R11 identity served by request ${i} ${requestContext}`).toBe(expected.identity)
    expect(shortToken(request.token), `R2/R3/R7 token of request ${i} ${requestContext}`).toBe(shortToken(expected.token))
    expect(request.itemIds, `R14/R10 items of request ${i} ${requestContext}`).toEqual(expected.itemIds)
    expect(request.response, `answer to request ${i} ${requestContext}`).toBe(expected.response)
  })
  const heard = errors.slice(before.errors).map((error) => ({
    source: error.source,
    code: error.details.code,
    identifier: error.details.identifier ?? '',
    token: error.details.token ?? null,
    deletedCount: error.details.deletedCount ?? null,
  }))
  const told = (list: readonly { source: string; code: string; identifier: string; token: string | null; deletedCount: number | null }[]) =>
    list.map((e) => `${e.source} ${e.code} ${e.identifier || 'anon'} ${shortToken(e.token)}${e.deletedCount === null ? '' : ` deleted ${e.deletedCount}`}`).join('; ')
  const predictedErrors = model.state.errors.slice(before.predictedErrors)
  expect(told(heard), `R5/R6/R7/R11/R15 what the authentication listener heard ${context}`).toBe(told(predictedErrors))
  expect(heard.map((e) => e.token), `R7/R15 tokens the listener heard ${context}`).toEqual(predictedErrors.map((e) => e.token))
  const state = sdk.getState()
  expect(state.consecutiveAuthFailures, `R8 counter ${context}`).toBe(model.state.session.failures)
  expect(state.suspended, `R8 suspended ${context}`).toBe(model.suspended())
  expect(state.sessionId !== before.sessionId, `session boundary (a new session in this step) ${context}`).toBe(model.state.session.serial !== before.sessions)
  expect(state.pendingByIdentity, `R5/R11/R12 pending items per identity ${context}`).toEqual(model.pendingByIdentity())
  expect(oracle.deletedReported, `R11 deleted count ${context}`).toBe(model.state.deleted)
  expect(state.deadLetterCount, `R10 dead letters ${context}`).toBe(model.state.deadLetters)
  const statuses = Object.fromEntries(Object.entries(state.tokens).map(([user, token]) => [user, token.status]))
  expect(statuses, `R6/R7/R11 token statuses ${context}`).toEqual(model.tokenStatuses())
  expect(state.retryAt, `R9 retry deadline (backoff, cap, Retry-After) ${context}`).toBe(model.retryAt())
  expect(state.identifier, `identity ${context}`).toBe(model.state.identifier)
  expect(state.foreground, `R12 foreground (periodic flush) ${context}`).toBe(model.state.foreground)
  expect(state.loggingOut, `R11 users whose logout flush is owed ${context}`).toEqual(model.state.loggingOut)
  expect(state.chart?.sync, `R5/R8/R9/R12 where the sync loop rests ${context}`).toBe(REST_STATES[model.state.rest])
}

const TOKEN_STATES: Readonly<Record<string, string>> = {
  none: 'noToken',
  usable: 'tokenUsable',
  rejected: 'tokenRefused',
  expired: 'tokenExpired',
  invalid: 'tokenInvalid',
}

/**
 * The chart tells the truth: after every step the statechart's state value agrees with the data
 * getState() shows, each region stated independently of how the machine derives it.
 */
const checkChartAgreesWithData = (state: SdkState, context: string): void => {
  const chart = state.chart
  expect(chart, `running, so every region has a state ${context}`).not.toBeNull()
  if (chart === null) return
  for (const [region, value] of Object.entries(chart)) coverage.chartStates.add(`${region}.${value}`)
  // Session region (R8): suspended exactly when the counter reached the limit.
  expect(chart.session === 'suspended', `session.suspended iff getState().suspended ${context}`).toBe(state.suspended)
  expect(state.suspended, `suspended iff ${MAX_AUTH_FAILURES} consecutive failures ${context}`).toBe(state.consecutiveAuthFailures >= MAX_AUTH_FAILURES)
  // Auth region: the current identity and its token's status.
  const tokenStatus = state.identifier === null ? null : (state.tokens[state.identifier]?.status ?? 'none')
  const auth = tokenStatus === null ? (state.loggingOut.length > 0 ? 'loggingOut' : 'anonymous') : `identified.${TOKEN_STATES[tokenStatus]}`
  expect(chart.auth, `auth region agrees with identifier, logout flush and token status ${context}`).toBe(auth)
  // Sync region: once settled it rests, for the reason the data gives.
  expect(chart.sync.startsWith('rest.'), `sync rests once every step settled (${chart.sync}) ${context}`).toBe(true)
  const pendingIdentities = Object.keys(state.pendingByIdentity)
  const hasUsableToken = (identity: string) => identity.startsWith('user:') && state.tokens[identity.slice(5)]?.status === 'usable'
  const nothingSendable = pendingIdentities.length > 0 && pendingIdentities.every((identity) => identity !== 'anon' && !hasUsableToken(identity))
  expect(chart.sync === 'rest.nothingToSend', `nothingToSend iff nothing pending ${context}`).toBe(state.pendingCount === 0)
  expect(chart.sync === 'rest.suspended', `rest.suspended iff suspended with items pending ${context}`).toBe(state.suspended && state.pendingCount > 0)
  if (['rest.backingOff', 'rest.retryAfter', 'rest.storageUnavailable'].includes(chart.sync)) {
    expect(state.retryAt, `a retry state has a retry time ${context}`).not.toBeNull()
  }
  if (chart.sync === 'rest.awaitingToken') {
    expect(nothingSendable, `awaitingToken: every pending identity is a user without a usable token ${context}`).toBe(true)
  }
  if (!state.suspended && state.retryAt === null && nothingSendable) {
    expect(chart.sync, `pending items, no usable token, no retry window: awaitingToken ${context}`).toBe('rest.awaitingToken')
  }
  if (chart.sync === 'rest.waitingForTrigger') {
    expect(state.pendingCount > 0 && !nothingSendable, `waitingForTrigger: something pending can be sent ${context}`).toBe(true)
  }
  if (!state.suspended && state.retryAt === null && state.pendingCount > 0 && !nothingSendable) {
    expect(chart.sync, `sendable items, no retry window: they wait for a trigger ${context}`).toBe('rest.waitingForTrigger')
  }
}
