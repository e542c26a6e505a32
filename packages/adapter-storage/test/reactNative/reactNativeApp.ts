/**
 * A React Native app's use of jwt-sync, as one bundle: core + adapter-fetch + the key-value
 * storage, lowered for Hermes and run in the `hermes` binary after `hostShim.js` (fetch, timers,
 * console and an AsyncStorage-shaped store). It plays S1, S2 and S3 and a relaunch, and prints
 * one JSON line per scenario with what it observed; the vitest test checks the rules.
 */
import { createSdk, type AuthenticationError, type Sdk, type SdkConfig } from '@jwt-sync/core'
import * as E from 'fp-ts/lib/Either.js'
import { createFetchTransport } from '../../../adapter-fetch/src/fetchTransport.js'
import { createKeyValueStorage } from '../../src/keyValueStorage.js'
import type { KeyValueStore } from '../../src/keyValueStore.js'

type TestHost = {
  readonly params: { readonly tokens: Record<string, string | string[]> }
  readonly store: KeyValueStore & { readonly dump: () => string; readonly keyCount: () => number }
  readonly server: {
    readonly requests: { readonly identity: string | null; readonly token: string | null; readonly outcome: string; readonly batchId: string }[]
    readonly storedNames: (identity: string | null) => string[]
    readonly timesReceived: () => Record<string, number>
  }
  readonly settle: () => Promise<void>
  readonly advance: (ms: number) => Promise<void>
  readonly print: (line: string) => void
}
const host = (globalThis as unknown as { jwtSyncTestHost: TestHost }).jwtSyncTestHost
const tokens = host.params.tokens as { aliceRefused: string; aliceTrusted: string; bobRefused: string[]; bobTrusted: string[]; carolTrusted: string; carolRefused: string }

/** What an app does at start: the SDK on fetch and the key-value store, its auth listener wired. */
const startSdk = (appId: string, extra: Partial<SdkConfig> = {}): { sdk: Sdk; authErrors: AuthenticationError[] } => {
  const sdk = createSdk(
    { appId, baseUrl: 'https://ingest.example.test', environment: 'test', networkConfig: { authorizationConfig: { isJwtEnabled: true } }, ...extra },
    { transport: createFetchTransport(), storage: createKeyValueStorage({ store: host.store }) },
  )
  const authErrors: AuthenticationError[] = []
  sdk.registerAuthenticationListener((error) => authErrors.push(error))
  return { sdk, authErrors }
}

const since = (from: number): string[] => host.server.requests.slice(from).map((r) => r.outcome)
const reportOf = <A>(result: E.Either<{ code: string }, A>): A | { error: string } => (E.isRight(result) ? result.right : { error: result.left.code })

const s1 = async (): Promise<unknown> => {
  const { sdk, authErrors } = startSdk('rn-s1')
  await host.settle()
  sdk.identify('alice')
  sdk.passAuthenticationDetails({ token: tokens.aliceRefused, identifier: 'alice' })
  sdk.track('added_to_cart', { sku: 'A1' })
  let from = host.server.requests.length
  const firstFlush = reportOf(await sdk.flush())
  const firstFlushRequests = since(from)
  from = host.server.requests.length
  const secondFlush = reportOf(await sdk.flush())
  await host.advance(3 * 60_000)
  const requestsWhileRefused = since(from)
  const waiting = sdk.getState()
  const sameTokenAgain = reportOf(sdk.passAuthenticationDetails({ token: tokens.aliceRefused, identifier: 'alice' }))
  from = host.server.requests.length
  sdk.passAuthenticationDetails({ token: tokens.aliceTrusted, identifier: 'alice' })
  await host.settle()
  const requestsAfterNewToken = since(from)
  const after = sdk.getState()
  await sdk.shutdown()
  return {
    firstFlush,
    firstFlushRequests,
    authErrors: authErrors.map((e) => ({ source: e.source, code: e.details.code, identifier: e.details.identifier, isTheRefusedToken: e.details.token === tokens.aliceRefused })),
    secondFlush,
    requestsWhileRefused,
    whileRefused: { sync: waiting.chart?.sync, pendingCount: waiting.pendingCount },
    sameTokenAgain,
    requestsAfterNewToken,
    after: { pendingCount: after.pendingCount, consecutiveAuthFailures: after.consecutiveAuthFailures },
    storedForAlice: host.server.storedNames('alice'),
  }
}

const s2 = async (): Promise<unknown> => {
  const { sdk } = startSdk('rn-s2', { inactivityTimeoutMs: 120_000 })
  await host.settle()
  sdk.identify('bob')
  sdk.track('viewed')
  const refuse = async (token: string): Promise<void> => {
    sdk.passAuthenticationDetails({ token, identifier: 'bob' })
    await sdk.flush()
  }
  let from = host.server.requests.length
  for (let i = 0; i < 3; i++) await refuse(tokens.bobRefused[i]!)
  const firstRefusals = since(from)
  const countAfterThree = sdk.getState().consecutiveAuthFailures
  sdk.passAuthenticationDetails({ token: tokens.bobTrusted[0]!, identifier: 'bob' })
  await host.settle()
  const countAfterSuccess = sdk.getState().consecutiveAuthFailures
  sdk.track('tapped')
  from = host.server.requests.length
  for (let i = 3; i < 13; i++) await refuse(tokens.bobRefused[i]!)
  const tenRefusals = since(from)
  const suspended = sdk.getState()
  from = host.server.requests.length
  sdk.passAuthenticationDetails({ token: tokens.bobTrusted[1]!, identifier: 'bob' })
  const flushWhileSuspended = reportOf(await sdk.flush())
  await host.advance(5 * 60_000)
  const requestsWhileSuspended = since(from)
  from = host.server.requests.length
  sdk.onAppForeground() // AppState 'active' after the inactivity timeout: the next session
  sdk.track('came_back')
  const flushInNextSession = reportOf(await sdk.flush())
  const requestsInNextSession = since(from)
  const resumed = sdk.getState()
  await sdk.shutdown()
  return {
    firstRefusals,
    countAfterThree,
    countAfterSuccess,
    tenRefusals,
    suspended: { suspended: suspended.suspended, consecutiveAuthFailures: suspended.consecutiveAuthFailures, sync: suspended.chart?.sync },
    flushWhileSuspended,
    requestsWhileSuspended,
    flushInNextSession,
    requestsInNextSession,
    resumed: { suspended: resumed.suspended, consecutiveAuthFailures: resumed.consecutiveAuthFailures, pendingCount: resumed.pendingCount, newSession: resumed.sessionId !== suspended.sessionId },
    storedForBob: host.server.storedNames('bob'),
  }
}

const s3 = async (): Promise<unknown> => {
  const { sdk, authErrors } = startSdk('rn-s3')
  await host.settle()
  sdk.identify('carol')
  sdk.passAuthenticationDetails({ token: tokens.carolTrusted, identifier: 'carol' })
  sdk.track('c0')
  const firstFlush = reportOf(await sdk.flush())
  sdk.passAuthenticationDetails({ token: tokens.carolRefused, identifier: 'carol' })
  sdk.track('c1')
  sdk.setUserAttribute('plan', 'pro')
  await sdk.whenPersisted()
  const before = host.store.dump()
  const from = host.server.requests.length
  const logout = reportOf(await sdk.logout())
  const logoutRequests = since(from)
  sdk.track('anonymous_after_logout')
  const flushAfter = reportOf(await sdk.flush())
  await sdk.whenPersisted()
  await host.settle()
  const after = host.store.dump()
  const state = sdk.getState()
  await sdk.shutdown()
  const atRest = (text: string) => ({
    fullTokens: [tokens.carolTrusted, tokens.carolRefused].filter((token) => text.includes(token)).length,
    carolItems: text.includes('"identity":"user:carol"'),
  })
  return {
    firstFlush,
    beforeLogout: atRest(before),
    logout,
    logoutRequests,
    deletion: authErrors.filter((e) => e.details.deletedCount !== undefined).map((e) => ({ source: e.source, code: e.details.code, identifier: e.details.identifier, deletedCount: e.details.deletedCount })),
    flushAfter,
    after: { identifier: state.identifier, pendingCount: state.pendingCount, tokenIdentifiers: Object.keys(state.tokens) },
    atRest: atRest(after),
    storedForCarol: host.server.storedNames('carol'),
  }
}

const relaunch = async (): Promise<unknown> => {
  const first = startSdk('rn-relaunch')
  await host.settle()
  first.sdk.track('before_relaunch_1')
  first.sdk.setUserAttribute('theme', 'dark')
  await first.sdk.whenPersisted()
  await first.sdk.shutdown() // the app goes away with the items unsent
  const storedBefore = host.server.storedNames(null).filter((name) => name !== 'anonymous_after_logout')
  const from = host.server.requests.length
  const second = startSdk('rn-relaunch') // the next launch sends what the store kept, without being asked
  await host.settle()
  const sentOnStart = since(from)
  const flush = reportOf(await second.sdk.flush())
  await second.sdk.shutdown()
  const received = host.server.timesReceived()
  return { storedBefore, sentOnStart, flush, received: { before_relaunch_1: received['before_relaunch_1'], theme: received['theme'] } }
}

const scenarios: [string, () => Promise<unknown>][] = [
  ['S1', s1],
  ['S2', s2],
  ['S3', s3],
  ['relaunch', relaunch],
]

const runAll = async (): Promise<void> => {
  for (const [name, scenario] of scenarios) {
    try {
      host.print(JSON.stringify({ event: 'scenario', name, observed: await scenario() }))
    } catch (error) {
      host.print(JSON.stringify({ event: 'scenario', name, error: error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error) }))
    }
  }
  host.print(JSON.stringify({ event: 'done', storeKeys: host.store.keyCount() }))
}

/** The run, for hosts that want to wait on it. */
export const done: Promise<void> = runAll()
