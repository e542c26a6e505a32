import type { SessionId } from '../model/item.js'
import type { SessionRecord, SyncContext } from './context.js'
import type { Step } from './step.js'

/**
 * A session ends after `inactivityTimeoutMs` without activity (time in background counts as
 * inactivity). The facade's fast tracking path asks the same question, so the rule lives here only.
 */
export const isSessionOver = (lastActivityAt: number, now: number, inactivityTimeoutMs: number): boolean =>
  now - lastActivityAt >= inactivityTimeoutMs

export const newSession = (id: SessionId, now: number): SessionRecord => ({
  id,
  startedAt: now,
  lastActivityAt: now,
  consecutiveAuthFailures: 0,
})

/** Starts a new session: the R8 counter starts again at 0 and any suspension ends. */
export const startSession = (context: SyncContext, id: SessionId, now: number): Step => ({
  context: { ...context, session: newSession(id, now) },
  // R12: a new session resumes sync that R8 stopped.
  sync: isSuspended(context),
  emits: [
    {
      type: 'log',
      level: 'info',
      message: 'session started',
      fields: { sessionId: id, previousSessionId: context.session.id, previousAuthFailures: context.session.consecutiveAuthFailures },
    },
  ],
})

/** Activity (track, identify, logout, foreground): continues the session or starts a new one. */
export const recordActivity = (context: SyncContext, at: number, nextSessionId: () => SessionId): Step =>
  isSessionOver(context.session.lastActivityAt, at, context.settings.inactivityTimeoutMs)
    ? startSession(context, nextSessionId(), at)
    : { context: { ...context, session: { ...context.session, lastActivityAt: Math.max(context.session.lastActivityAt, at) } }, emits: [] }

/** R8: no request of any identity until the next session. */
export const isSuspended = (context: SyncContext): boolean =>
  context.session.consecutiveAuthFailures >= context.settings.maxConsecutiveAuthFailures
