import type { AcceptedItem, RequestLogEntry } from '@jwt-sync/reference-server'
import type { Style } from './terminal.js'

/**
 * A server request as the demo saw it: the log entry and the SDK session current when it came in.
 *
 * @example
 * ```ts
 * const request: SessionRequest = { entry, sessionId: 's-abc' }
 * ```
 */
export type SessionRequest = { readonly entry: RequestLogEntry; readonly sessionId: string }

/**
 * The demo's closing figures. Delivered and request counts come from the server's own records
 * (its stored items and request log), not from the SDK's view.
 *
 * @example
 * ```ts
 * summary.authFailuresBySession // [{ sessionId: 's-1', requests: 14, authFailures: 10 }, ...]
 * ```
 */
export type DemoSummary = {
  readonly itemsTracked: number
  readonly delivered: number
  readonly deletedUnderR11: number
  readonly pendingAtEnd: number
  readonly requests: number
  readonly requestsByStatus: Readonly<Record<string, number>>
  readonly authFailuresBySession: readonly { readonly sessionId: string; readonly requests: number; readonly authFailures: number }[]
}

/**
 * Computes the summary from what the server recorded plus the app-side counts.
 *
 * @example
 * ```ts
 * summarize({ itemsTracked: 12, deletedUnderR11: 3, pendingAtEnd: 0, storedItems: server.items('demo'), requests })
 * ```
 */
export const summarize = (input: {
  readonly itemsTracked: number
  readonly deletedUnderR11: number
  readonly pendingAtEnd: number
  readonly storedItems: readonly AcceptedItem[]
  readonly requests: readonly SessionRequest[]
}): DemoSummary => {
  const requestsByStatus: Record<string, number> = {}
  const sessions = new Map<string, { requests: number; authFailures: number }>()
  for (const { entry, sessionId } of input.requests) {
    const status = String(entry.status ?? 'none')
    requestsByStatus[status] = (requestsByStatus[status] ?? 0) + 1
    const session = sessions.get(sessionId) ?? { requests: 0, authFailures: 0 }
    session.requests++
    if (entry.status === 401) session.authFailures++
    sessions.set(sessionId, session)
  }
  return {
    itemsTracked: input.itemsTracked,
    delivered: input.storedItems.length,
    deletedUnderR11: input.deletedUnderR11,
    pendingAtEnd: input.pendingAtEnd,
    requests: input.requests.length,
    requestsByStatus,
    authFailuresBySession: [...sessions].map(([sessionId, counts]) => ({ sessionId, ...counts })),
  }
}

/**
 * The summary as printed lines.
 *
 * @example
 * ```ts
 * for (const line of formatSummary(summary, style)) terminal.line(line)
 * ```
 */
export const formatSummary = (summary: DemoSummary, style: Style): readonly string[] => {
  const row = (label: string, value: string): string => `  ${label.padEnd(28)} ${style.bold(value)}`
  const statuses = Object.entries(summary.requestsByStatus)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([status, count]) => `${count} × ${status}`)
    .join(', ')
  return [
    row('items tracked', String(summary.itemsTracked)),
    row('delivered (stored by server)', String(summary.delivered)),
    row('deleted under R11 (logout)', String(summary.deletedUnderR11)),
    row('still pending', String(summary.pendingAtEnd)),
    row('requests made', `${summary.requests} (${statuses})`),
    '  auth failures per session:',
    ...summary.authFailuresBySession.map(
      (session, index) => `    session ${index + 1} (${session.sessionId})`.padEnd(31) + ` ${style.bold(String(session.authFailures))} of ${session.requests} requests`,
    ),
  ]
}
