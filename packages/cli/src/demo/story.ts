import { generateKeyPair } from 'node:crypto'
import * as E from 'fp-ts/lib/Either.js'
import {
  createManualClock,
  createMemoryStorage,
  createSdk,
  fingerprintToken,
  type AuthenticationError,
  type Sdk,
  type SdkError,
  type SdkPorts,
} from '@jwt-sync/core'
import { createFetchTransport } from '@jwt-sync/adapter-fetch'
import {
  createTokenIssuer,
  startReferenceServer,
  type AcceptedItem,
  type ReferenceServer,
  type RequestLogEntry,
} from '@jwt-sync/reference-server'
import { createDemoAppServer, DEMO_TOKEN_LIFETIME_SECONDS, type DemoAppServer } from './appServer.js'
import { formatSummary, summarize, type DemoSummary, type SessionRequest } from './summary.js'
import type { DemoTerminal } from './terminal.js'
import { createTimeline, type Timeline } from './timeline.js'
import { waitForState } from './waitForState.js'

/**
 * The app id the demo plays under.
 *
 * @example
 * ```ts
 * server.items(DEMO_APP_ID)
 * ```
 */
export const DEMO_APP_ID = 'demo-shop'
/** The simulated clock starts here (a fixed time, so every run reads the same). */
const STORY_START_MS = Date.UTC(2026, 10, 28, 9, 0, 0)
const MINUTE = 60_000
/** The SDK's default inactivity timeout (30 min): the demo waits a little longer for a new session. */
const INACTIVITY_TIMEOUT_MS = 30 * MINUTE
const MAX_CONSECUTIVE_AUTH_FAILURES = 10

/**
 * A chapter of the story, numbered from 1.
 *
 * @example
 * ```ts
 * const mark: ChapterMark = { index: 5, title: 'Ten refusals suspend sync for the session' }
 * ```
 */
export type ChapterMark = { readonly index: number; readonly title: string }

/**
 * Who follows the story as it happens besides the terminal (the watch page): told when the SDK
 * exists, when a chapter begins, and of each request the reference server logs.
 *
 * @example
 * ```ts
 * const observer: StoryObserver = { chapter: (mark) => console.log(mark.index, mark.title) }
 * await runDemoStory({ terminal, observer })
 * ```
 */
export type StoryObserver = {
  readonly sdkCreated?: (sdk: Sdk, details: { readonly maxConsecutiveAuthFailures: number }) => void
  readonly chapter?: (mark: ChapterMark) => void
  readonly request?: (entry: RequestLogEntry) => void
}

/**
 * Options of the demo story.
 *
 * @example
 * ```ts
 * await runDemoStory({ terminal, inspect: inspector.inspect })
 * ```
 */
export type DemoOptions = {
  readonly terminal: DemoTerminal
  /** Passed to the SDK's `inspect` port (the XState inspector). */
  readonly inspect?: SdkPorts['inspect']
  /** Longest real time any step may wait for the SDK (5 s). */
  readonly stepTimeoutMs?: number
  /** Real pause before each chapter, for an audience or a live inspector (0). */
  readonly paceMs?: number
  /** Replaces the `paceMs` pause before each chapter (the watch page's pacing, with its "Next" button). */
  readonly beforeChapter?: (next: ChapterMark) => Promise<void>
  /** Told what happens, for a live view. */
  readonly observer?: StoryObserver
  /** Called once the reference server runs, before the story (tests inject faults here). */
  readonly onServerStarted?: (server: ReferenceServer) => void
}

/**
 * One expected step of the story and whether it happened.
 *
 * @example
 * ```ts
 * const check: StoryCheck = { chapter: 'Logout', description: 'R11: deletedCount = 3', passed: true }
 * ```
 */
export type StoryCheck = { readonly chapter: string; readonly description: string; readonly passed: boolean }

/**
 * What the demo did: its checks, the summary, and the raw evidence the summary was computed
 * from (the server's stored items and request log, and every token the app server issued).
 *
 * @example
 * ```ts
 * const result = await runDemoStory({ terminal })
 * if (E.isRight(result) && result.right.ok) console.log(result.right.summary.delivered)
 * ```
 */
export type DemoResult = {
  readonly ok: boolean
  readonly checks: readonly StoryCheck[]
  readonly summary: DemoSummary
  readonly evidence: {
    readonly storedItems: readonly AcceptedItem[]
    readonly requests: readonly SessionRequest[]
    readonly issuedTokens: readonly string[]
  }
}

/** A fresh RSA-2048 private key (PKCS#8 PEM), generated on libuv's thread pool. */
const generatePrivateKeyPem = (): Promise<string> =>
  new Promise((resolve, reject) =>
    generateKeyPair('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } }, (error, _publicKey, privateKey) =>
      error === null ? resolve(privateKey) : reject(error),
    ),
  )

const describeResult = (result: E.Either<SdkError, unknown>): string => (E.isRight(result) ? 'Right' : `Left(${result.left.code})`)

const describeError = (error: AuthenticationError): string => {
  const details = error.details
  const parts = [`${details.code} (${details.numericCode})`, `source=${error.source}`]
  if (details.identifier !== undefined) parts.push(`identifier=${details.identifier}`)
  if (details.token !== undefined) parts.push(`token=${fingerprintToken(details.token)}`)
  if (details.deletedCount !== undefined) parts.push(`deletedCount=${details.deletedCount}`)
  return parts.join(' ')
}

/** Everything a chapter needs. */
type Stage = {
  readonly sdk: Sdk
  readonly server: ReferenceServer
  readonly clock: ReturnType<typeof createManualClock>
  readonly timeline: Timeline
  readonly appServer: DemoAppServer
  readonly trustedKid: string
  readonly stepTimeoutMs: number
  readonly authErrors: AuthenticationError[]
  readonly requests: () => readonly SessionRequest[]
  readonly check: (passed: boolean, description: string) => boolean
  readonly track: (name: string, attributes?: Record<string, string | number | boolean>) => void
  readonly setUserAttribute: (name: string, value: string) => void
  readonly advance: (ms: number, why: string) => void
  /** Waits until the listener's token fetches have finished. */
  readonly listenerSettled: () => Promise<void>
  readonly wait: (label: string, predicate: Parameters<typeof waitForState>[1]) => Promise<boolean>
}

const itemNamesOf = (server: ReferenceServer): readonly string[] => server.items(DEMO_APP_ID).map((record) => record.item.name)

const anonymousEvents = async (stage: Stage): Promise<void> => {
  const { sdk, timeline, check } = stage
  stage.track('App opened')
  stage.track('Viewed home', { tab: 'featured' })
  const before = stage.requests().length
  timeline.say('app', 'flush()')
  await sdk.flush()
  const sent = stage.requests().slice(before)
  check(sent.length === 1 && sent[0]?.entry.identifier === null && sent[0].entry.tokenFingerprint === undefined, 'R2: anonymous batch sent without Authorization')
  check(sent[0]?.entry.status === 200 && sent[0].entry.accepted === 2, 'server stored the 2 anonymous items')
}

const login = async (stage: Stage): Promise<void> => {
  const { sdk, timeline, check, appServer } = stage
  timeline.say('app', 'identify("alice")')
  sdk.identify('alice')
  const token = await appServer.issue('alice')
  if (token === null) throw new Error('the app server is offline at login')
  const passed = sdk.passAuthenticationDetails({ identifier: 'alice', token })
  timeline.say('app', `app server issued a token (${DEMO_TOKEN_LIFETIME_SECONDS / 60} min) ${fingerprintToken(token)}; passAuthenticationDetails → ${describeResult(passed)}`)
  stage.track('Added to cart', { sku: 'A1', price: 9.5 })
  stage.setUserAttribute('plan', 'pro')
  const before = stage.requests().length
  timeline.say('app', 'flush()')
  await sdk.flush()
  const sent = stage.requests().slice(before)
  check(
    sent.length === 1 && sent[0]?.entry.identifier === 'alice' && sent[0].entry.authResult === 'ok' && sent[0].entry.tokenFingerprint === fingerprintToken(token),
    'R3: alice\'s batch carried alice\'s token; server verified it (RS256)',
  )
}

const tokenExpires = async (stage: Stage): Promise<void> => {
  const { sdk, timeline, check, authErrors } = stage
  stage.advance(12 * MINUTE, 'the token\'s 10 minutes (+60 s skew) run out')
  const errorsBefore = authErrors.length
  const before = stage.requests().length
  stage.track('Checkout', { total: 9.5 })
  timeline.say('app', 'flush()')
  await sdk.flush()
  const clientError = authErrors.slice(errorsBefore).find((error) => error.details.code === 'TIME_CONSTRAINT_FAILURE')
  check(clientError?.source === 'client', 'R6: client check caught the expired token (TIME_CONSTRAINT_FAILURE, source client)')
  const resumed = await stage.wait('listener fetches a new token; sync resumes', (state) => state.pendingCount === 0)
  await stage.listenerSettled()
  const sent = stage.requests().slice(before)
  check(!sent.some((request) => request.entry.authResult === 'TIME_CONSTRAINT_FAILURE'), 'the expired token was never sent')
  check(resumed && sent.some((request) => request.entry.status === 200 && request.entry.identifier === 'alice'), 'sync resumed with the new token; "Checkout" delivered')
}

const forgedToken = async (stage: Stage): Promise<void> => {
  const { sdk, timeline, check, appServer, authErrors } = stage
  appServer.setMode('misconfigured')
  const forged = await appServer.issue('alice')
  appServer.setMode('offline')
  if (forged === null) throw new Error('no forged token')
  const passed = sdk.passAuthenticationDetails({ identifier: 'alice', token: forged })
  timeline.say('app', `a token signed by ANOTHER key (same kid) arrives ${fingerprintToken(forged)}; passAuthenticationDetails → ${describeResult(passed)} (client checks cannot see signatures)`)
  timeline.say('app', 'the app server is unreachable for now: the listener cannot fetch tokens')
  const errorsBefore = authErrors.length
  stage.track('Payment started', { method: 'card' })
  timeline.say('app', 'flush()')
  await sdk.flush()
  const refused = authErrors.slice(errorsBefore).find((error) => error.details.code === 'INVALID_SIGNATURE')
  check(refused?.source === 'server' && refused.details.token === forged, 'R7: server refused the forged token (INVALID_SIGNATURE), listener told')
  check(sdk.getState().tokens['alice']?.status === 'rejected', 'the forged token is marked rejected')
  const before = stage.requests().length
  stage.track('Payment confirmed')
  timeline.say('app', 'flush(), twice')
  await sdk.flush()
  await sdk.flush()
  stage.advance(2 * MINUTE, 'two periodic flushes fall due')
  await sdk.flush()
  check(stage.requests().length === before, 'S1: sync paused: no request while no new token (3 flushes, 2 periodic)')
  check((sdk.getState().pendingByIdentity['user:alice'] ?? 0) === 2, 'alice\'s items wait, none lost')
}

const tenRefusals = async (stage: Stage): Promise<void> => {
  const { sdk, timeline, check, appServer } = stage
  const sessionId = sdk.getState().sessionId
  appServer.setMode('misconfigured')
  timeline.say('app', 'the app server is back, but signs with a stale key: every token it issues is forged')
  const token = await appServer.issue('alice')
  if (token === null) throw new Error('no token')
  const passed = sdk.passAuthenticationDetails({ identifier: 'alice', token })
  timeline.say('app', `passAuthenticationDetails(${fingerprintToken(token)}) → ${describeResult(passed)}`)
  const suspended = await stage.wait('token → refusal → listener → token …', (state) => state.suspended)
  await stage.listenerSettled()
  const inSession = stage.requests().filter((request) => request.sessionId === sessionId)
  const refusals = inSession.filter((request) => request.entry.status === 401).length
  const state = sdk.getState()
  timeline.say('sdk', `state: suspended=${state.suspended} consecutiveAuthFailures=${state.consecutiveAuthFailures}`)
  check(suspended && refusals === MAX_CONSECUTIVE_AUTH_FAILURES && state.consecutiveAuthFailures === MAX_CONSECUTIVE_AUTH_FAILURES, `S2/R8: ${refusals} refusals in this session suspend sync`)

  appServer.setMode('honest')
  const good = await appServer.issue('alice', 3600)
  if (good === null) throw new Error('no token')
  const before = stage.requests().length
  const kept = sdk.passAuthenticationDetails({ identifier: 'alice', token: good })
  timeline.say('app', `the app server is fixed; a good token (60 min) ${fingerprintToken(good)} → ${describeResult(kept)}`)
  timeline.say('app', 'flush()')
  const report = await sdk.flush()
  const waiting = E.isRight(report) ? report.right.waiting.join(', ') : report.left.code
  timeline.say('sdk', `flush report: waiting on ${waiting}`)
  check(stage.requests().length === before && sdk.getState().tokens['alice']?.status === 'usable', 'R8: no request until the next session; the good token is kept')
}

const nextSession = async (stage: Stage): Promise<void> => {
  const { sdk, timeline, check } = stage
  const previous = sdk.getState().sessionId
  timeline.say('app', 'onAppBackground(): the user leaves the app')
  sdk.onAppBackground()
  const before = stage.requests().length
  stage.advance(INACTIVITY_TIMEOUT_MS + MINUTE, 'more than the 30 min inactivity timeout passes')
  check(stage.requests().length === before, 'still no request while suspended')
  timeline.say('app', 'onAppForeground(): the user comes back')
  sdk.onAppForeground()
  const state = sdk.getState()
  timeline.say('sdk', `new session ${state.sessionId} (was ${previous}); consecutiveAuthFailures=${state.consecutiveAuthFailures}`)
  const drained = await stage.wait('sync resumes in the new session', (current) => current.pendingCount === 0)
  const names = itemNamesOf(stage.server)
  check(
    state.sessionId !== previous && !state.suspended && drained && names.includes('Payment started') && names.includes('Payment confirmed'),
    'R12: the new session resumed sync; the paused items are delivered',
  )
}

const logoutFails = async (stage: Stage): Promise<void> => {
  const { sdk, timeline, check, server, appServer, authErrors } = stage
  stage.track('Added to wishlist', { sku: 'B2' })
  stage.track('Added to wishlist', { sku: 'C3' })
  stage.setUserAttribute('newsletter', 'weekly')
  // Tracked items reach the statechart's counts at the end of the tick; wait for that.
  await sdk.whenPersisted()
  const pendingAlice = sdk.getState().pendingByIdentity['user:alice'] ?? 0
  const removed = server.removeKey(DEMO_APP_ID, stage.trustedKid)
  appServer.setMode('offline')
  timeline.say('server', `operator revokes the app's signing key (kid ${stage.trustedKid.slice(0, 8)}…): ${E.isRight(removed) ? 'removed' : 'not found'}`)
  const errorsBefore = authErrors.length
  timeline.say('app', 'logout()')
  const report = await sdk.logout()
  const deletion = authErrors.slice(errorsBefore).find((error) => error.details.deletedCount !== undefined)
  const deleted = E.isRight(report) ? report.right.deleted : -1
  timeline.say('sdk', `logout report: ${E.isRight(report) ? JSON.stringify(report.right) : report.left.code}`)
  const names = itemNamesOf(server)
  check(
    deletion?.details.code === 'INVALID_SIGNATURE' && deletion.details.deletedCount === pendingAlice && deleted === pendingAlice && !names.includes('Added to wishlist'),
    `S3/R11: the logout flush failed with a JWT error; alice's ${pendingAlice} pending items deleted (deletedCount)`,
  )
  const state = sdk.getState()
  check(state.identifier === null && state.pendingCount === 0 && state.tokens['alice'] === undefined, 'alice\'s token is forgotten; nothing pending')
}

const anonymousAgain = async (stage: Stage): Promise<void> => {
  const { sdk, timeline, check } = stage
  stage.track('Browsed as guest')
  const before = stage.requests().length
  timeline.say('app', 'flush()')
  await sdk.flush()
  const sent = stage.requests().slice(before)
  check(sent.length === 1 && sent[0]?.entry.status === 200 && sent[0].entry.identifier === null && sent[0].entry.tokenFingerprint === undefined, 'after logout, items are anonymous and go without a token')
}

const CHAPTERS: readonly { readonly title: string; readonly play: (stage: Stage) => Promise<void> }[] = [
  { title: 'Anonymous events go without a token', play: anonymousEvents },
  { title: 'Login: identify and a token from the app server', play: login },
  { title: 'The token expires; the client check catches it', play: tokenExpires },
  { title: 'A forged token: the server refuses it, sync pauses', play: forgedToken },
  { title: 'Ten refusals suspend sync for the session', play: tenRefusals },
  { title: 'The next session resumes sync', play: nextSession },
  { title: 'Logout whose flush fails with a JWT error', play: logoutFails },
  { title: 'Anonymous again', play: anonymousAgain },
]

/**
 * Plays the whole jwt-sync story against a reference server on loopback with the real SDK
 * (`createSdk` + `createFetchTransport` + memory storage), simulated time on a manual clock
 * shared by the SDK, the server and the app server, printing a timeline and a summary. The demo
 * checks itself: `ok` is false when any expected step did not happen. `Left` when it could not
 * start (keys, server).
 *
 * @example
 * ```ts
 * const result = await runDemoStory({ terminal: createDemoTerminal({ writeLine: console.log, colors: false }) })
 * process.exitCode = E.isRight(result) && result.right.ok ? 0 : 1
 * ```
 */
export const runDemoStory = async (options: DemoOptions): Promise<E.Either<string, DemoResult>> => {
  const { terminal } = options
  const style = terminal.style
  const clock = createManualClock(STORY_START_MS)
  const timeline = createTimeline(terminal, clock.now, STORY_START_MS)
  terminal.line(style.bold('jwt-sync demo') + style.dim(' — the whole story, real SDK, real HTTP on loopback, real RS256 tokens, simulated time'))

  const setup = terminal.startProgress('generating RSA key pairs, starting the reference server')
  // Off the main thread and in parallel: faster, and the spinner keeps turning meanwhile.
  let pems: readonly [string, string]
  try {
    pems = await Promise.all([generatePrivateKeyPem(), generatePrivateKeyPem()])
  } catch (error) {
    setup.stop()
    return E.left(`could not generate RSA keys: ${error instanceof Error ? error.message : String(error)}`)
  }
  const trusted = createTokenIssuer({ privateKeyPem: pems[0] })
  const foreign = createTokenIssuer({ privateKeyPem: pems[1] })
  if (E.isLeft(trusted) || E.isLeft(foreign)) {
    setup.stop()
    return E.left(E.isLeft(trusted) ? trusted.left : E.isLeft(foreign) ? foreign.left : 'no key')
  }
  const sessionOfRequest: SessionRequest[] = []
  let sdk: Sdk | null = null
  let seen = 0
  let server: ReferenceServer
  // Each request is printed the moment the server logs it, tagged with the SDK's session then.
  const drainRequests = (): void => {
    const log: readonly RequestLogEntry[] = server.requestLog().filter((entry) => entry.appId === DEMO_APP_ID)
    for (const entry of log.slice(seen)) {
      sessionOfRequest.push({ entry, sessionId: sdk?.getState().sessionId ?? 'none' })
      timeline.request(entry)
      options.observer?.request?.(entry)
    }
    seen = log.length
  }
  const serverLogger = { debug: () => undefined, info: () => drainRequests(), warn: () => drainRequests(), error: () => undefined }
  try {
    server = await startReferenceServer({
      apps: { [DEMO_APP_ID]: { publicKeys: [trusted.right.publicKeyPem] } },
      // The server judges exp/iat on the same simulated clock as the SDK and the app server.
      now: clock.now,
      logger: serverLogger,
      maxLogEntries: 100_000,
    })
  } catch (error) {
    setup.stop()
    return E.left(`could not start the reference server: ${error instanceof Error ? error.message : String(error)}`)
  }
  setup.stop()
  timeline.say('server', `reference server at ${server.url}, app "${DEMO_APP_ID}" trusts RS256 key ${trusted.right.kid.slice(0, 8)}… (enforcement required)`)

  const appServer = createDemoAppServer({ trusted: trusted.right, foreign: foreign.right, now: clock.now })
  const client = createSdk(
    { appId: DEMO_APP_ID, baseUrl: server.url, environment: 'test', networkConfig: { authorizationConfig: { isJwtEnabled: true } }, maxConsecutiveAuthFailures: MAX_CONSECUTIVE_AUTH_FAILURES },
    { transport: createFetchTransport(), storage: createMemoryStorage(), clock, ...(options.inspect !== undefined ? { inspect: options.inspect } : {}) },
  )
  sdk = client
  options.observer?.sdkCreated?.(client, { maxConsecutiveAuthFailures: MAX_CONSECUTIVE_AUTH_FAILURES })
  timeline.say('sdk', `createSdk: JWT enabled, memory storage, fetch transport, session ${client.getState().sessionId}`)

  const checks: StoryCheck[] = []
  const authErrors: AuthenticationError[] = []
  const listenerWork = new Set<Promise<void>>()
  let itemsTracked = 0
  let chapterTitle = ''
  let lastSuspended = false

  client.subscribe((state) => {
    if (state.suspended !== lastSuspended) timeline.say('sdk', state.suspended ? style.red('sync SUSPENDED until the next session (R8)') : style.green('suspension over: new session'))
    lastSuspended = state.suspended
  })
  client.registerAuthenticationListener((error) => {
    authErrors.push(error)
    timeline.say('sdk', `${style.yellow('listener ←')} ${describeError(error)}`)
    const identifier = error.details.identifier
    // An R11 deletion needs no new token: the user is gone.
    if (error.details.deletedCount !== undefined || identifier === undefined) return
    const work = (async () => {
      const token = await appServer.issue(identifier)
      if (token === null) {
        timeline.say('app', `listener: app server unreachable, no new token for ${identifier}`)
        return
      }
      const passed = client.passAuthenticationDetails({ identifier, token })
      timeline.say('app', `listener: app server issued ${fingerprintToken(token)} → passAuthenticationDetails ${describeResult(passed)}`)
    })()
    listenerWork.add(work)
    void work.finally(() => listenerWork.delete(work))
  })

  const stepTimeoutMs = options.stepTimeoutMs ?? 5000
  const stage: Stage = {
    sdk: client,
    server,
    clock,
    timeline,
    appServer,
    trustedKid: trusted.right.kid,
    stepTimeoutMs,
    authErrors,
    requests: () => {
      drainRequests()
      return sessionOfRequest
    },
    check: (passed, description) => {
      checks.push({ chapter: chapterTitle, description, passed })
      timeline.check(passed, description)
      return passed
    },
    track: (name, attributes) => {
      const result = client.track(name, attributes)
      if (E.isRight(result)) itemsTracked++
      timeline.say('app', `track(${JSON.stringify(name)}${attributes === undefined ? '' : `, ${JSON.stringify(attributes)}`}) → ${describeResult(result)}`)
    },
    setUserAttribute: (name, value) => {
      const result = client.setUserAttribute(name, value)
      if (E.isRight(result)) itemsTracked++
      timeline.say('app', `setUserAttribute(${JSON.stringify(name)}, ${JSON.stringify(value)}) → ${describeResult(result)}`)
    },
    advance: (ms, why) => {
      timeline.say('clock', style.yellow(`⏩ ${Math.round(ms / MINUTE)} min pass: ${why}`))
      clock.advance(ms)
    },
    listenerSettled: async () => {
      while (listenerWork.size > 0) await Promise.all([...listenerWork])
    },
    wait: async (label, predicate) => {
      const progress = terminal.startProgress(label)
      try {
        return await waitForState(client, predicate, stepTimeoutMs)
      } finally {
        progress.stop()
      }
    },
  }

  options.onServerStarted?.(server)
  const paceMs = options.paceMs ?? 0
  try {
    for (const [position, chapter] of CHAPTERS.entries()) {
      const mark: ChapterMark = { index: position + 1, title: chapter.title }
      if (paceMs > 0 || options.beforeChapter !== undefined) {
        const pause = terminal.startProgress(`next: ${chapter.title}`)
        await (options.beforeChapter?.(mark) ?? new Promise((resolve) => setTimeout(resolve, paceMs)))
        pause.stop()
      }
      chapterTitle = chapter.title
      options.observer?.chapter?.(mark)
      timeline.chapter(chapter.title)
      try {
        await chapter.play(stage)
      } catch (error) {
        stage.check(false, `chapter failed: ${error instanceof Error ? error.message : String(error)}`)
      }
      await stage.listenerSettled()
    }
    const finalState = client.getState()
    const deletedUnderR11 = authErrors.reduce((sum, error) => sum + (error.details.deletedCount ?? 0), 0)
    const storedItems = server.items(DEMO_APP_ID)
    const summary = summarize({ itemsTracked, deletedUnderR11, pendingAtEnd: finalState.pendingCount, storedItems, requests: stage.requests() })
    chapterTitle = 'Summary'
    timeline.chapter('Summary')
    for (const line of formatSummary(summary, style)) terminal.line(line)
    stage.check(summary.itemsTracked === summary.delivered + summary.deletedUnderR11 + summary.pendingAtEnd, 'every tracked item is delivered, deleted under R11 or pending: none lost')
    stage.check(summary.authFailuresBySession.every((session) => session.authFailures <= MAX_CONSECUTIVE_AUTH_FAILURES), 'R8: never more than 10 auth failures in one session')
    const failed = checks.filter((entry) => !entry.passed)
    terminal.line('')
    terminal.line(
      failed.length === 0
        ? style.green(style.bold(`✔ all ${checks.length} checks passed`))
        : style.red(style.bold(`✘ ${failed.length} of ${checks.length} checks failed: ${failed.map((entry) => entry.description).join('; ')}`)),
    )
    return E.right({
      ok: failed.length === 0,
      checks,
      summary,
      evidence: { storedItems, requests: [...sessionOfRequest], issuedTokens: appServer.issued() },
    })
  } finally {
    await client.shutdown()
    await server.stop()
  }
}
