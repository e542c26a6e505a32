import type { PayloadFormat } from './payloadFormats.js'

/**
 * One line of the delivery table: which driver file runs, with which batching, and what it is.
 *
 * @example
 * ```ts
 * const subject = DELIVERY_SUBJECTS.find((s) => s.id === 'raw-fetch')
 * ```
 */
export type DeliverySubject = {
  readonly id: string
  readonly label: string
  /** Bundled driver name under `.build/drivers/`. */
  readonly driver: string
  readonly format: PayloadFormat
  /** `null`: the SDK's default batching. */
  readonly batchSize: number | null
  /** jwt-sync's request compression (R20); `undefined` for the peers and the floor. */
  readonly compression?: 'gzip' | 'none'
  readonly role: 'jwt-sync' | 'peer' | 'floor'
  /** npm packages whose versions the report names. */
  readonly packages: readonly string[]
}

/**
 * Every delivery subject, in the order each round runs them (A B C ... A B C ...).
 *
 * @example
 * ```ts
 * for (const subject of DELIVERY_SUBJECTS) console.log(subject.label)
 * ```
 */
export const DELIVERY_SUBJECTS: readonly DeliverySubject[] = [
  { id: 'jwt-sync-memory', label: 'jwt-sync (memory, JWT, batch 100)', driver: 'jwtSyncMemory', format: 'jwt-sync', batchSize: 100, compression: 'none', role: 'jwt-sync', packages: [] },
  { id: 'jwt-sync-memory-gzip', label: 'jwt-sync (memory, JWT, batch 100, gzip)', driver: 'jwtSyncMemory', format: 'jwt-sync', batchSize: 100, compression: 'gzip', role: 'jwt-sync', packages: [] },
  { id: 'jwt-sync-file', label: 'jwt-sync (file + fsync, JWT, batch 100)', driver: 'jwtSyncFile', format: 'jwt-sync', batchSize: 100, compression: 'none', role: 'jwt-sync', packages: [] },
  { id: 'segment-default', label: '@segment/analytics-node (defaults)', driver: 'segment', format: 'segment', batchSize: null, role: 'peer', packages: ['@segment/analytics-node'] },
  { id: 'segment-100', label: '@segment/analytics-node (batch 100)', driver: 'segment', format: 'segment', batchSize: 100, role: 'peer', packages: ['@segment/analytics-node'] },
  { id: 'posthog-default', label: 'posthog-node (defaults)', driver: 'posthog', format: 'posthog', batchSize: null, role: 'peer', packages: ['posthog-node'] },
  { id: 'posthog-100', label: 'posthog-node (batch 100)', driver: 'posthog', format: 'posthog', batchSize: 100, role: 'peer', packages: ['posthog-node'] },
  { id: 'amplitude-default', label: '@amplitude/analytics-node (defaults)', driver: 'amplitude', format: 'amplitude', batchSize: null, role: 'peer', packages: ['@amplitude/analytics-node'] },
  { id: 'amplitude-100', label: '@amplitude/analytics-node (batch 100)', driver: 'amplitude', format: 'amplitude', batchSize: 100, role: 'peer', packages: ['@amplitude/analytics-node'] },
  { id: 'raw-fetch', label: 'floor: raw fetch (batch 100, 1 in flight)', driver: 'rawFetch', format: 'raw', batchSize: 100, role: 'floor', packages: [] },
]
