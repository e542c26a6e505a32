import * as t from 'io-ts'

/**
 * A fault the server plays instead of its normal answer to a batch request (tests of R9, R10,
 * R14 and the transports). `processFirst: true` stores the batch before failing, which makes the
 * failure ambiguous for the client: the retry must then come back as duplicates (R14).
 *
 * @example
 * ```ts
 * FaultCodec.decode({ kind: 'rate-limit', retryAfter: 30 }) // Right
 * ```
 */
export const FaultCodec = t.intersection([
  t.union([
    /** Any status (503, 500, 408, 413, 422, ...) with an optional `Retry-After` and a text `body` (default: a JSON `SERVER` error). */
    t.intersection([
      t.type({ kind: t.literal('status'), status: t.number }),
      t.partial({ retryAfter: t.union([t.number, t.string]), body: t.string }),
    ]),
    /** 429 with `Retry-After` (seconds or an HTTP date). */
    t.intersection([t.type({ kind: t.literal('rate-limit') }), t.partial({ retryAfter: t.union([t.number, t.string]) })]),
    /** Never answer; the socket stays open until the client gives up or the server stops. */
    t.type({ kind: t.literal('hang') }),
    /** TCP reset (RST) without any answer. */
    t.type({ kind: t.literal('reset') }),
    /** Close the connection (FIN) without any answer. */
    t.type({ kind: t.literal('close') }),
    /** A body that is not JSON, with the given status (200 by default; 401 tests the R7 UNKNOWN case). */
    t.intersection([t.type({ kind: t.literal('garbage') }), t.partial({ status: t.number })]),
    /** Send a 200 status line and headers and the start of the body, then stall the rest forever. */
    t.type({ kind: t.literal('stall-body') }),
    /** Answer normally, after a delay (a request in flight for a while). */
    t.type({ kind: t.literal('delay'), ms: t.number }),
  ]),
  t.partial({ processFirst: t.boolean }),
])
/**
 * A fault to play (see `FaultCodec` for each kind).
 * @example
 * ```ts
 * const fault: Fault = { kind: 'reset', processFirst: true }
 * ```
 */
export type Fault = t.TypeOf<typeof FaultCodec>

/**
 * Body of `POST /admin/faults`.
 *
 * @example
 * ```ts
 * FaultRequestCodec.decode({ fault: { kind: 'status', status: 503 }, count: 3 }) // Right
 * ```
 */
export const FaultRequestCodec = t.intersection([t.type({ fault: FaultCodec }), t.partial({ count: t.number })])

/**
 * The queue of faults still to play: each entry answers the next batch request.
 *
 * @example
 * ```ts
 * faults.inject({ kind: 'hang' }); faults.next() // { kind: 'hang' }
 * ```
 */
export type FaultQueue = {
  /** Appends `count` (1) copies of the fault, for the next `count` batch requests after those already queued; `count` below 1 adds none. */
  readonly inject: (fault: Fault, count?: number) => void
  /** Takes the fault for the batch request at hand off the queue; null when none is queued (a normal answer). */
  readonly next: () => Fault | null
  /** Drops every queued fault. */
  readonly clear: () => void
  /** The queued faults, next first, without taking them (a copy). */
  readonly pending: () => readonly Fault[]
}

/**
 * Creates an empty fault queue.
 *
 * @example
 * ```ts
 * const faults = createFaultQueue()
 * faults.inject({ kind: 'status', status: 503, retryAfter: 2 }, 3) // the next 3 batches get 503
 * ```
 */
export const createFaultQueue = (): FaultQueue => {
  const queue: Fault[] = []
  return {
    inject: (fault, count = 1) => {
      for (let i = 0; i < Math.max(0, Math.floor(count)); i++) queue.push(fault)
    },
    next: () => queue.shift() ?? null,
    clear: () => {
      queue.length = 0
    },
    pending: () => [...queue],
  }
}
