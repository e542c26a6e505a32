// A small reference model of the rules (docs/rules.md), for the model-based test: plain data and
// plain functions, no XState and nothing of the core but types. The test drives it with the same
// commands as the real SDK, and after every step compares what the model predicts (the requests
// that went out, with which token and which items, and the answer each got; the R8 counter and
// suspension; pending items per identity; R11 deletions; dead letters; token statuses; what the
// authentication listener hears; the retry deadline; where the sync loop rests) with what the SDK
// did.
//
// The model is written from the rules; where the rules leave the SDK a choice, it follows the
// choice the core's README documents (one request at a time, the order identities are served in,
// when a decision is made), since a prediction has to be exact to be worth comparing.
//
// Left out on purpose: the flush and logout reports (their numbers follow from the requests and
// deletions compared), the `message` of each error, a listener registered late (R15), the token
// provider (R16, not configured), JWT disabled (R1) and `clientValidation: false`, storage
// failures (memory storage never fails), compression (R20, no 415 is scripted), Retry-After as an
// HTTP date (only seconds are scripted), and reading a full batch ahead while one is in flight (it
// freezes the items a later forming step would, as long as fewer than 200 items of one identity
// are pending, which these runs never reach).
// Jitter is not a free choice here: the harness's random source is seeded, and the model draws
// the same values in the same order.

/** `anon` or `user:<identifier>`, as `getState().pendingByIdentity` keys them. */
export type Identity = 'anon' | `user:${string}`
export type TokenStatus = 'usable' | 'rejected' | 'expired' | 'invalid'
/** What the client checks (R6) can read in a token: the test knows it because it made the token. */
export type TokenClaims = { readonly decodable: boolean; readonly sub: string | null; readonly expSeconds: number | null }
/** A server answer as the scripted test server takes it. */
export type ModelAnswer =
  | { readonly status: number; readonly headers?: Readonly<Record<string, string>>; readonly body?: string }
  | { readonly failure: 'timeout' | 'network' }
  | { readonly hold: true }
export type RestReason = 'nothing-to-send' | 'waiting-for-trigger' | 'awaiting-token' | 'suspended' | 'retry-after' | 'backoff'
/** What an authentication listener hears (R5-R7, R11, R15), as far as the model predicts it. */
export type PredictedError = {
  readonly source: 'client' | 'server'
  readonly code: string
  readonly identifier: string
  readonly token: string | null
  readonly deletedCount: number | null
}
export type PredictedRequest = {
  readonly identity: string | null
  readonly token: string | null
  readonly itemIds: readonly string[]
  readonly response: number | 'timeout' | 'network'
}

/** The defaults of packages/core/src/model/config.ts and the limits the rules name. */
export const RULES = {
  maxConsecutiveAuthFailures: 10, // R8
  inactivityTimeoutMs: 30 * 60_000, // session
  periodicFlushMs: 60_000, // R12
  maxBatchSize: 100, // R12
  clockSkewMs: 60_000, // R6
  backoff: { baseMs: 2_000, factor: 2, capMs: 5 * 60_000 }, // R9
  maxRetryAfterMs: 60 * 60_000, // R9
  refusedTokensKept: 10, // R7: how many refused tokens per identifier are recognised
} as const

type Token = { readonly token: string; status: TokenStatus; readonly expiresAt: number | null }
type Batch = { readonly identity: Identity; readonly items: readonly string[] }
/** What the sync loop does next; null while it rests. */
type Plan =
  | { readonly kind: 'form'; readonly identity: Identity; readonly logout: boolean }
  | { readonly kind: 'send'; readonly batch: Batch; readonly token: string | null; readonly logout: boolean }
  | { readonly kind: 'delete'; readonly user: string }
type Urgency = 'triggered' | 'tracked-only'
type Outcome =
  | { readonly kind: 'delivered' }
  | { readonly kind: 'auth-failed'; readonly code: string }
  | { readonly kind: 'transient'; readonly retryAfterMs: number | null }
  | { readonly kind: 'permanent' }

const keyOf = (user: string | null): Identity => (user === null ? 'anon' : `user:${user}`)
const userOf = (identity: Identity): string | null => (identity === 'anon' ? null : identity.slice(5))

const JWT_CODES = ['DECRYPTION_FAILED', 'HEADER_TYPE_INCOMPATIBLE', 'PAYLOAD_CONTENT_MISSING', 'INVALID_SIGNATURE', 'IDENTIFIER_MISMATCH', 'TOKEN_NOT_AVAILABLE', 'TIME_CONSTRAINT_FAILURE', 'UNKNOWN']
/** R7: the code of a 401's JWT error body; `UNKNOWN` when the body cannot be read. */
const jwtCodeOf = (body: string | undefined): string => {
  try {
    const error = (JSON.parse(body ?? '') as { error?: { type?: unknown; code?: unknown } }).error
    return error?.type === 'JWT' && typeof error.code === 'string' && JWT_CODES.includes(error.code) ? error.code : 'UNKNOWN'
  } catch {
    return 'UNKNOWN'
  }
}

/** docs/wire-protocol.md: what an answer means (R7, R9, R10). */
const classify = (answer: Exclude<ModelAnswer, { hold: true }>): Outcome => {
  if ('failure' in answer) return { kind: 'transient', retryAfterMs: null }
  const { status } = answer
  if (status >= 200 && status < 300) return { kind: 'delivered' }
  if (status === 401) return { kind: 'auth-failed', code: jwtCodeOf(answer.body) }
  if (status === 408 || status === 429 || status >= 500) {
    // Only delta seconds are scripted; at most one hour of it is honoured.
    const header = answer.headers?.['retry-after']
    return { kind: 'transient', retryAfterMs: header !== undefined && /^\d+$/.test(header) ? Math.min(Number(header) * 1000, RULES.maxRetryAfterMs) : null }
  }
  if (status >= 400) return { kind: 'permanent' } // 413 and every other 4xx: halve, or dead-letter a single item (R10)
  return { kind: 'transient', retryAfterMs: null }
}

/** The state the rules talk about, and what the model saw happen. */
export type ReferenceModel = ReturnType<typeof createReferenceModel>

/**
 * @param now the clock at start; `random` the SDK's random source, drawn in the same order (one draw
 * per transient failure, R9 jitter), so the model predicts the exact backoff.
 */
export const createReferenceModel = (now: number, random: () => number) => {
  const s = {
    now,
    random,
    identifier: null as string | null,
    session: { serial: 0, lastActivityAt: now, failures: 0 },
    tokens: new Map<string, Token>(),
    refused: new Map<string, string[]>(),
    /** Pending items per identity, oldest first; the map's order is storage's (first item ever). */
    queues: new Map<Identity, string[]>(),
    /** The order identities are served in after the ones being logged out and frozen batches. */
    servingOrder: [] as Identity[],
    /** Tracked this tick, not counted yet (counts only move at the end of a tick, R13). */
    uncounted: new Map<Identity, number>(),
    outbox: [] as Batch[],
    loggingOut: [] as string[],
    /** R11 deletions a refused logout flush decided, with the refusal the listener hears. */
    owedDeletions: [] as { readonly user: string; readonly code: string; readonly token: string }[],
    /** R5 waits: a user with pending items and no usable token; `byError` when an R6/R7 error opened it. */
    waits: new Map<string, { readonly id: number; byError: boolean; notified: boolean }>(),
    nextWaitId: 1,
    /** R15: what this instance's listener has heard already (each error once). */
    heard: new Set<string>(),
    deletedThisInstance: 0,
    errors: [] as PredictedError[],
    retry: { failures: 0, backoffUntil: null as number | null, retryAfterUntil: null as number | null },
    explicit: false,
    foreground: true,
    periodicAt: (now + RULES.periodicFlushMs) as number | null,
    retryTimerAt: null as number | null,
    plan: null as Plan | null,
    rest: 'nothing-to-send' as RestReason,
    script: [] as ModelAnswer[],
    deleted: 0,
    deadLetters: 0,
    requests: [] as PredictedRequest[],
  }

  const queue = (identity: Identity): string[] => s.queues.get(identity) ?? []
  /** What the loop counts as pending: tracked items once their tick ended. */
  const counted = (identity: Identity): number => queue(identity).length - (s.uncounted.get(identity) ?? 0)
  const suspended = (): boolean => s.session.failures >= RULES.maxConsecutiveAuthFailures
  const usable = (user: string): string | null => {
    const token = s.tokens.get(user)
    return token !== undefined && token.status === 'usable' ? token.token : null
  }

  // --- What the listener hears (R5, R15) -----------------------------------------------------
  /** R15: each (identifier, token, code) once; a wait's TOKEN_NOT_AVAILABLE and each deletion are news of their own. */
  const tell = (error: PredictedError, occurrence?: string): void => {
    const key = occurrence !== undefined ? `${error.identifier}|${occurrence}|${error.code}` : `${error.identifier}|${error.token ?? ''}|${error.code}`
    if (s.heard.has(key)) return
    s.heard.add(key)
    s.errors.push(error)
  }
  const openWait = (user: string, byError: boolean): void => {
    const wait = s.waits.get(user)
    if (wait === undefined) s.waits.set(user, { id: s.nextWaitId++, byError, notified: false })
    else if (byError) wait.byError = true
  }
  const forgetTokens = (user: string): void => {
    s.tokens.delete(user)
    s.waits.delete(user)
  }

  // --- Sessions (Terms: Session; R8) ---------------------------------------------------------
  /** Returns whether sync should resume: a new session ends an R8 suspension (R12). */
  const startSession = (): boolean => {
    const wasSuspended = suspended()
    s.session = { serial: s.session.serial + 1, lastActivityAt: s.now, failures: 0 }
    return wasSuspended
  }
  const activity = (): boolean => {
    if (s.now - s.session.lastActivityAt >= RULES.inactivityTimeoutMs) return startSession()
    s.session.lastActivityAt = Math.max(s.session.lastActivityAt, s.now)
    return false
  }

  // --- The decision (R3, R5, R6, R8, R9, R11, R12) -------------------------------------------
  const restFor = (reason: RestReason): void => {
    s.plan = null
    s.rest = reason
    s.explicit = false // coming to rest settles every flush and logout (R12)
    s.retryTimerAt = reason === 'backoff' || reason === 'retry-after' ? Math.max(s.retry.backoffUntil ?? 0, s.retry.retryAfterUntil ?? 0) : null
  }
  const busy = (plan: Plan): void => {
    s.plan = plan
    s.retryTimerAt = null
  }

  const decide = (urgency: Urgency): void => {
    // R11: a logged-out user with nothing left pending is done; their tokens are forgotten.
    for (const user of [...s.loggingOut]) {
      if (counted(keyOf(user)) > 0) continue
      s.loggingOut = s.loggingOut.filter((u) => u !== user)
      forgetTokens(user)
    }
    if (!suspended()) {
      // R6 at the moment of use: a usable token of a user with pending items that has expired.
      for (const [user, token] of s.tokens) {
        if (token.status !== 'usable' || token.expiresAt === null || counted(keyOf(user)) === 0) continue
        if (s.now - RULES.clockSkewMs < token.expiresAt) continue
        token.status = 'expired'
        openWait(user, true)
        tell({ source: 'client', code: 'TIME_CONSTRAINT_FAILURE', identifier: user, token: token.token, deletedCount: null })
      }
      // R5: a user with pending items and no usable token waits; told once per wait, unless an error opened it.
      for (const identity of s.servingOrder) {
        const user = userOf(identity)
        if (user === null || counted(identity) === 0 || s.loggingOut.includes(user) || usable(user) !== null) continue
        openWait(user, false)
        const wait = s.waits.get(user)
        if (wait === undefined || wait.byError || wait.notified) continue
        wait.notified = true
        tell({ source: 'client', code: 'TOKEN_NOT_AVAILABLE', identifier: user, token: null, deletedCount: null }, `wait:${wait.id}`)
      }
    }
    // R11: a deletion a refused logout flush decided, or a logged-out user without a usable token. Not held back by R8.
    const owed = s.owedDeletions[0]?.user ?? s.loggingOut.find((user) => counted(keyOf(user)) > 0 && usable(user) === null)
    if (owed !== undefined) return busy({ kind: 'delete', user: owed })
    // Served first: users being logged out (R11), then identities with a frozen batch (R14), then the rest.
    const candidates: Identity[] = []
    for (const identity of [...s.loggingOut.map(keyOf), ...s.outbox.map((b) => b.identity), ...s.servingOrder]) {
      if (counted(identity) > 0 && !candidates.includes(identity)) candidates.push(identity)
    }
    if (candidates.length === 0) return restFor('nothing-to-send')
    if (suspended()) return restFor('suspended') // R8
    if (s.retry.retryAfterUntil !== null && s.retry.retryAfterUntil > s.now) return restFor('retry-after') // R9, flush included
    if (s.retry.backoffUntil !== null && s.retry.backoffUntil > s.now && !s.explicit) return restFor('backoff') // R9, R12
    for (const identity of candidates) {
      const user = userOf(identity)
      const token = user === null ? null : usable(user) // R2: anonymous without a token; R3: a user only with their own
      if (user !== null && token === null) continue // R5: waits for a token; others are not held back
      if (urgency === 'tracked-only') return restFor('waiting-for-trigger') // tracking alone starts no request (R12)
      const logout = user !== null && s.loggingOut.includes(user)
      const frozen = s.outbox.find((batch) => batch.identity === identity)
      return busy(frozen !== undefined ? { kind: 'send', batch: frozen, token, logout } : { kind: 'form', identity, logout })
    }
    return restFor('awaiting-token')
  }

  /** Ends a tick's tracking: the items are counted; alone they start no request, unless a batch is full (R12). */
  const countTracked = (): boolean => {
    let full = false
    for (const identity of s.uncounted.keys()) {
      if (!s.servingOrder.includes(identity)) s.servingOrder.push(identity)
      if (queue(identity).length >= RULES.maxBatchSize) full = true
    }
    s.uncounted.clear()
    return full
  }
  /** The tick's items are counted; at rest the loop re-reads the data, and only a full batch makes it send (R12). */
  const sendTrackedGroup = (): void => {
    if (s.uncounted.size === 0) return
    const full = countTracked()
    if (s.plan !== null) return
    decide('tracked-only')
    if (full && s.plan === null) decide('triggered')
  }
  /** The end of a tick: counted now when the loop rests; while it is busy, the event that ends its step takes them. */
  const endOfTick = (): void => {
    if (s.plan === null) sendTrackedGroup()
  }

  // --- Outcomes (R7-R11, R14) ----------------------------------------------------------------
  const removeItems = (identity: Identity, ids: readonly string[]): void => {
    s.queues.set(identity, queue(identity).filter((id) => !ids.includes(id)))
  }
  const replaceBatch = (batch: Batch, replacements: Batch[]): void => {
    const index = s.outbox.indexOf(batch)
    if (index >= 0) s.outbox.splice(index, 1, ...replacements)
  }
  const responseArrived = (): void => {
    s.retry.failures = 0
    s.retry.backoffUntil = null
  }
  /** R9: full jitter, `random() * min(cap, base * factor^(n-1))`; Retry-After sets the earliest time. */
  const transientFailure = (retryAfterMs: number | null): void => {
    const failures = s.retry.failures + 1
    const { baseMs, factor, capMs } = RULES.backoff
    const delay = Math.floor(s.random() * Math.min(capMs, baseMs * Math.pow(factor, failures - 1)))
    const retryAfterUntil = retryAfterMs === null ? null : s.now + retryAfterMs
    s.retry = { failures, retryAfterUntil, backoffUntil: Math.max(s.now + delay, retryAfterUntil ?? 0) }
    s.explicit = false // a flush settles with this outcome; it does not wait for the retry (R12)
  }
  const rememberRefusal = (user: string, token: string): void => {
    s.refused.set(user, [token, ...(s.refused.get(user) ?? []).filter((t) => t !== token)].slice(0, RULES.refusedTokensKept))
  }

  const applyOutcome = (batch: Batch, token: string | null, outcome: Outcome): void => {
    const user = userOf(batch.identity)
    switch (outcome.kind) {
      case 'delivered':
        responseArrived()
        removeItems(batch.identity, batch.items)
        replaceBatch(batch, [])
        s.session.failures = 0 // S2, R8: any success resets the count
        return
      case 'auth-failed':
        responseArrived()
        s.session.failures++ // R7, R8
        if (user === null || token === null) {
          tell({ source: 'server', code: outcome.code, identifier: '', token: null, deletedCount: null })
          return transientFailure(null) // anonymous: retried on the clock, bounded by R8
        }
        rememberRefusal(user, token) // S1
        if (s.loggingOut.includes(user)) {
          s.owedDeletions.push({ user, code: outcome.code, token }) // R11 / S3: the logout flush failed with a JWT error
          return
        }
        tell({ source: 'server', code: outcome.code, identifier: user, token, deletedCount: null })
        if (s.tokens.get(user)?.token === token) {
          const current = s.tokens.get(user)
          if (current !== undefined) current.status = 'rejected' // R7; a newer token passed in flight stays usable
          openWait(user, true)
        }
        return
      case 'transient':
        return transientFailure(outcome.retryAfterMs)
      case 'permanent':
        return permanentRejection(batch)
    }
  }

  /** R10: a permanent rejection halves the batch, each half frozen anew (R14); a single item is dead-lettered. */
  const permanentRejection = (batch: Batch): void => {
    responseArrived()
    if (batch.items.length > 1) {
      const middle = Math.ceil(batch.items.length / 2)
      replaceBatch(batch, [
        { identity: batch.identity, items: batch.items.slice(0, middle) },
        { identity: batch.identity, items: batch.items.slice(middle) },
      ])
    } else {
      replaceBatch(batch, [])
      removeItems(batch.identity, batch.items)
      s.deadLetters += batch.items.length
    }
  }


  /** R11: every pending item of the logged-out user goes, frozen batches included; their tokens too. */
  const deleteUser = (user: string): void => {
    const identity = keyOf(user)
    const deletedCount = counted(identity)
    // The listener hears why: the refusal of the logout flush, or that no usable token was left.
    const refusal = s.owedDeletions.find((owed) => owed.user === user)
    const error = refusal !== undefined ? { source: 'server' as const, code: refusal.code, token: refusal.token } : { source: 'client' as const, code: 'TOKEN_NOT_AVAILABLE', token: null }
    tell({ ...error, identifier: user, deletedCount }, `deletion:${s.deletedThisInstance}`)
    s.deletedThisInstance += deletedCount
    s.deleted += deletedCount
    s.queues.delete(identity)
    s.servingOrder = s.servingOrder.filter((i) => i !== identity)
    s.uncounted.delete(identity)
    s.outbox = s.outbox.filter((batch) => batch.identity !== identity)
    s.loggingOut = s.loggingOut.filter((u) => u !== user)
    s.owedDeletions = s.owedDeletions.filter((owed) => owed.user !== user)
    forgetTokens(user)
  }

  /** In-flight hooks: what happens while a held request waits for its answer. */
  type Hooks = { readonly onHold?: () => ModelAnswer }

  /** Runs the loop until it rests: form, send, delete, decide again (one request at a time). */
  const drain = (hooks: Hooks = {}): void => {
    while (s.plan !== null) {
      const plan = s.plan
      if (plan.kind === 'delete') {
        deleteUser(plan.user)
      } else if (plan.kind === 'form') {
        // R14: the oldest pending items of that identity, frozen from here on.
        const items = queue(plan.identity).slice(0, RULES.maxBatchSize)
        s.outbox.push({ identity: plan.identity, items })
      } else {
        let answer = s.script.shift() ?? { status: 200 }
        if ('hold' in answer) answer = hooks.onHold?.() ?? { status: 200 }
        if ('hold' in answer) throw new Error('a held answer needs an onHold hook')
        const { batch, token } = plan
        s.requests.push({ identity: userOf(batch.identity), token, itemIds: batch.items, response: 'failure' in answer ? answer.failure : answer.status })
        applyOutcome(batch, token, classify(answer))
      }
      countTracked() // items tracked meanwhile come with the event that ends the step
      decide('triggered')
    }
  }

  // --- Tokens (R6, R7) -----------------------------------------------------------------------
  /** R6's client checks, in order: the code of the first that fails, null when the token may be used (the test's tokens are all RS256). */
  const clientCheckFailure = (user: string, claims: TokenClaims): string | null => {
    if (!claims.decodable) return 'DECRYPTION_FAILED'
    if (claims.sub === null || claims.expSeconds === null) return 'PAYLOAD_CONTENT_MISSING'
    if (claims.sub !== user) return 'IDENTIFIER_MISMATCH'
    if (s.now - RULES.clockSkewMs >= claims.expSeconds * 1000) return 'TIME_CONSTRAINT_FAILURE'
    return null
  }

  const applyToken = (user: string, token: string, claims: TokenClaims): void => {
    const existing = s.tokens.get(user)
    if (existing !== undefined && existing.token === token && existing.status === 'usable') return
    if ((s.refused.get(user) ?? []).includes(token)) return // R7: passing a refused token again changes nothing
    const failure = clientCheckFailure(user, claims)
    if (failure === null) {
      s.tokens.set(user, { token, status: 'usable', expiresAt: (claims.expSeconds ?? 0) * 1000 })
      s.waits.delete(user) // the wait ends (R5)
      return
    }
    tell({ source: 'client', code: failure, identifier: user, token, deletedCount: null })
    if (usable(user) === null) {
      s.tokens.set(user, { token, status: 'invalid', expiresAt: null }) // never replaces a usable token (R6)
      openWait(user, true)
    }
  }

  // --- The commands, as the app makes them ---------------------------------------------------
  const atRest = (): boolean => s.plan === null

  return {
    state: s,
    counted,
    suspended,
    /** The items pending per identity once every tick ended, as `getState().pendingByIdentity` shows them. */
    pendingByIdentity: (): Record<string, number> => {
      const out: Record<string, number> = {}
      for (const [identity, ids] of s.queues) if (ids.length > 0) out[identity] = ids.length
      return out
    },
    tokenStatuses: (): Record<string, TokenStatus> => Object.fromEntries([...s.tokens].map(([user, token]) => [user, token.status])),
    /** `getState().retryAt`: the later of the two deadlines, while it is in the future. */
    retryAt: (): number | null => {
      const at = Math.max(s.retry.backoffUntil ?? 0, s.retry.retryAfterUntil ?? 0)
      return at > s.now ? at : null
    },

    track(id: string): void {
      if (s.now - s.session.lastActivityAt >= RULES.inactivityTimeoutMs) {
        sendTrackedGroup()
        if (startSession() && atRest()) decide('triggered')
      } else {
        s.session.lastActivityAt = s.now
      }
      const identity = keyOf(s.identifier) // stamped with the identity of the moment (Terms: Item)
      s.queues.set(identity, [...queue(identity), id])
      s.uncounted.set(identity, (s.uncounted.get(identity) ?? 0) + 1)
    },
    endOfTick,
    identify(user: string): void {
      sendTrackedGroup()
      const resume = activity()
      s.identifier = user
      s.loggingOut = s.loggingOut.filter((u) => u !== user) // back before the logout flush ended: no R11 deletion
      if (resume && atRest()) decide('triggered')
    },
    passToken(user: string, token: string, claims: TokenClaims): void {
      sendTrackedGroup()
      applyToken(user, token, claims)
      if (atRest()) decide('triggered') // R12: promptly when a token arrives
    },
    flush(hooks: Hooks = {}): void {
      endOfTick()
      sendTrackedGroup()
      s.explicit = true
      if (atRest()) decide('triggered')
      drain(hooks)
    },
    logout(): void {
      endOfTick()
      sendTrackedGroup()
      // R11: the new session opens before the logout flush, so R8 does not hold it back.
      const resume = startSession()
      const leaving = s.identifier
      s.identifier = null
      if (leaving !== null && !s.loggingOut.includes(leaving)) s.loggingOut.push(leaving)
      s.explicit = true
      if (atRest()) decide('triggered')
      if (resume && atRest()) decide('triggered')
      drain()
    },
    foreground(): void {
      sendTrackedGroup()
      const resume = activity()
      if (!s.foreground) {
        s.foreground = true
        s.periodicAt = s.now + RULES.periodicFlushMs
      }
      if (resume && atRest()) decide('triggered')
    },
    background(): void {
      sendTrackedGroup()
      s.foreground = false
      s.periodicAt = null
      if (atRest()) decide('triggered') // R12: going to the background is a trigger
    },
    answer(answer: ModelAnswer): void {
      s.script = [answer]
    },
    clearScript(): void {
      s.script = []
    },
    drain,
    /**
     * Time passes in slices of at most 30 s; the timers due in a slice fire in time order, each
     * deciding at its own time, and whatever they started runs at the end of the slice.
     */
    advance(ms: number): void {
      for (let left = ms; left > 0; left -= 30_000) {
        const end = s.now + Math.min(30_000, left)
        for (;;) {
          const periodic = s.periodicAt !== null && s.periodicAt <= end ? s.periodicAt : null
          const retry = s.retryTimerAt !== null && s.retryTimerAt <= end ? s.retryTimerAt : null
          if (periodic === null && retry === null) break
          if (retry !== null && (periodic === null || retry < periodic)) {
            s.now = Math.max(s.now, retry)
            s.retryTimerAt = null
            decide('triggered') // R9: the clock alone drives the retry
          } else if (periodic !== null) {
            s.now = Math.max(s.now, periodic)
            s.periodicAt = periodic + RULES.periodicFlushMs
            if (atRest()) decide('triggered') // R12: periodic flush in the foreground
          }
        }
        s.now = end
        drain()
      }
    },
    /** Killed after `whenPersisted()` and launched again: what is persisted stays, the rest starts over. */
    relaunch(random: () => number): void {
      s.random = random
      s.servingOrder = [...s.queues].filter(([, ids]) => ids.length > 0).map(([identity]) => identity)
      // R9: a server's Retry-After deadline outlives the relaunch (at most the honoured hour from
      // now); the backoff after our own failures starts over.
      const until = s.retry.retryAfterUntil
      s.retry = { failures: 0, backoffUntil: null, retryAfterUntil: until !== null && until > s.now ? Math.min(until, s.now + RULES.maxRetryAfterMs) : null }
      s.owedDeletions = []
      // A new instance: no waits yet, a listener that has heard nothing (R15 is per listener).
      s.waits = new Map()
      s.nextWaitId = 1
      s.heard = new Set()
      s.deletedThisInstance = 0
      s.explicit = false
      s.foreground = true
      s.periodicAt = s.now + RULES.periodicFlushMs
      s.retryTimerAt = null
      s.plan = null
      decide('triggered') // the first decision after the restore may send (R12)
      drain()
    },
  }
}
