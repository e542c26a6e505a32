import type { SnapshotFrom } from 'xstate'
import { fingerprintToken } from '../jwt/fingerprint.js'
import type { ResolvedConfig } from '../model/config.js'
import { isSuspended } from '../sync/session.js'
import type { SyncMachine } from '../sync/machine.js'
import type { ChartState, SdkState } from './types.js'

type Snapshot = SnapshotFrom<SyncMachine>

/** A region's active state as a dotted path below the region (`identified.tokenRefused`). */
const pathOf = (value: unknown): string => {
  if (typeof value === 'string') return value
  if (typeof value !== 'object' || value === null) return ''
  const [entry] = Object.entries(value)
  return entry === undefined ? '' : `${entry[0]}${pathOf(entry[1]) === '' ? '' : `.${pathOf(entry[1])}`}`
}

/**
 * The active state of each region while running, null while starting or stopped.
 *
 * @example
 * ```ts
 * chartOf(actor.getSnapshot()) // { presence: 'foreground', session: 'active', auth: 'identified.tokenRefused', sync: 'rest.awaitingToken' }
 * ```
 */
export const chartOf = (snapshot: Snapshot): ChartState | null => {
  if (snapshot.status !== 'active' || typeof snapshot.value !== 'object') return null
  const running = (snapshot.value as { running?: Record<string, unknown> }).running
  if (running === undefined) return null
  return { presence: pathOf(running['presence']), session: pathOf(running['session']), auth: pathOf(running['auth']), sync: pathOf(running['sync']) }
}

/** Items the facade has accepted but not yet counted into the statechart (see `createTracking`). */
export type UncountedItems = { readonly byIdentity: Readonly<Record<string, number>>; readonly unstamped: number }

/**
 * `getState()`: the plain, serialisable snapshot (R19), tokens as fingerprints (R18). Items
 * tracked but not yet counted by the statechart (this tick's, or those tracked before the restore
 * finished) are included, so `pendingCount` is right at once after `track()`.
 *
 * @example
 * ```ts
 * const state = toSdkState(actor.getSnapshot(), config, Date.now(), { byIdentity: {}, unstamped: 0 })
 * ```
 */
export const toSdkState = (snapshot: Snapshot, config: ResolvedConfig, now: number, uncounted: UncountedItems): SdkState => {
  const context = snapshot.context
  const chart = chartOf(snapshot)
  const status = snapshot.status !== 'active' || snapshot.matches('stopped') ? 'stopped' : snapshot.matches('starting') ? 'starting' : 'running'
  const sync =
    chart === null || !(chart.sync.startsWith('attempt') || chart.sync.startsWith('logoutFlush'))
      ? chart !== null && ['rest.backingOff', 'rest.retryAfter', 'rest.storageUnavailable'].includes(chart.sync)
        ? 'backing-off'
        : 'idle'
      : 'sending'
  const pendingByIdentity: Record<string, number> = {}
  for (const [identity, count] of Object.entries(context.pendingByIdentity)) if (count > 0) pendingByIdentity[identity] = count
  for (const [identity, count] of Object.entries(uncounted.byIdentity)) pendingByIdentity[identity] = (pendingByIdentity[identity] ?? 0) + count
  const retryAt = Math.max(context.retry.backoffUntil ?? 0, context.retry.retryAfterUntil ?? 0)
  return {
    status,
    appId: config.appId,
    identifier: context.identifier,
    sessionId: context.session.id,
    consecutiveAuthFailures: context.session.consecutiveAuthFailures,
    suspended: isSuspended(context),
    pendingCount: Object.values(pendingByIdentity).reduce((sum, count) => sum + count, 0) + uncounted.unstamped,
    pendingByIdentity,
    deadLetterCount: context.deadLetterCount,
    foreground: context.foreground,
    sync,
    chart,
    loggingOut: context.loggingOut,
    retryAt: retryAt > now ? retryAt : null,
    tokens: Object.fromEntries(
      Object.entries(context.tokens).map(([identifier, record]) => [
        identifier,
        { status: record.status, token: fingerprintToken(record.token), expiresAt: record.expiresAt },
      ]),
    ),
  }
}
