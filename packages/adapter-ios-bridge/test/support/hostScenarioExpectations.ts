import { beforeAll, describe, expect, it } from 'vitest'
import type { EngineRun } from './engineRun.js'
import { parseHostRecords, type HostRecord } from './hostScript.js'

/**
 * The assertions on a run of the engine-agnostic host (`test/host/protocolHost.js`), shared by
 * the JavaScriptCore, QuickJS and Hermes tests: the engine runs the scenarios and prints what it
 * observed; the rules are checked here, the same for every engine.
 */

/** What a test hands over: the engine's run and the size of the bundle it loaded. */
export type HostScriptRun = { readonly run: EngineRun; readonly bundle: { readonly label: string; readonly bytes: number; readonly gzipBytes: number; readonly bytecodeBytes?: number } }

const kb = (n: number): string => `${(n / 1024).toFixed(1)} KB`

/**
 * Runs the host once (in `beforeAll`) and declares one test per scenario.
 *
 * @example
 * ```ts
 * describeHostScriptRun('QuickJS', async () => ({ run: await runInQuickJs(script), bundle: { label: 'ES2020', bytes, gzipBytes } }))
 * ```
 */
export const describeHostScriptRun = (engineName: string, start: () => Promise<HostScriptRun>): void => {
  describe(`the protocol host script in ${engineName}`, () => {
    let records: HostRecord[] = []
    beforeAll(async () => {
      const { run, bundle } = await start()
      records = parseHostRecords(run.output)
      const bytecode = bundle.bytecodeBytes === undefined ? '' : `, ${kb(bundle.bytecodeBytes)} bytecode`
      // The closing note of issue 13 asks for these figures: engine, version, bundle size, run time.
      console.log(`${run.engine} ${run.version}: host script ran in ${run.milliseconds} ms; bundle (${bundle.label}) ${kb(bundle.bytes)} minified, ${kb(bundle.gzipBytes)} gzipped${bytecode}`)
    }, 120_000)

    const observed = (name: string): Record<string, unknown> => {
      const record = records.find((r) => r.event === 'scenario' && r['name'] === name)
      if (record === undefined) throw new Error(`scenario ${name} printed nothing; last records: ${JSON.stringify(records.slice(-2))}`)
      if (typeof record['error'] === 'string') throw new Error(`scenario ${name} failed in the engine: ${record['error']}`)
      return record['observed'] as Record<string, unknown>
    }

    it('the bundle adds exactly one global and touches no global beyond ECMAScript', () => {
      expect(records.find((r) => r.event === 'loaded')).toMatchObject({ added: ['JwtSyncBridge'], touched: [], loadError: null })
      expect(records.find((r) => r.event === 'done')).toEqual({ event: 'done', touched: [] })
    })

    it('S1/R7: a refused token is not used again, whatever flushes or host timers come, until a new token arrives', () => {
      const s1 = observed('S1')
      expect(s1).toMatchObject({
        initialize: 'result',
        badTokenAccepted: null,
        firstFlushRequests: ['401 INVALID_SIGNATURE'],
        firstFlush: { delivered: 0, pending: 1, waiting: ['awaiting-token'] },
        authErrors: [{ source: 'server', code: 'INVALID_SIGNATURE', numericCode: 4003, identifier: 'alice', isTheRefusedToken: true }],
        secondFlush: { delivered: 0, pending: 1, waiting: ['awaiting-token'] },
        requestsWhileRefused: [],
        whileRefused: { sync: 'rest.awaitingToken', auth: 'identified.tokenRefused', pendingCount: 1, consecutiveAuthFailures: 1 },
        sameTokenAgain: { error: 'INVALID_SIGNATURE' },
        newToken: null,
        requestsAfterNewToken: ['200'],
        after: { pendingCount: 0, consecutiveAuthFailures: 0, sync: 'rest.nothingToSend' },
        storedForAlice: ['added_to_cart'],
        shutdown: null,
        violations: [],
      })
    })

    it('R9/R14: a 5xx, an unanswered request (the bridge\'s host-timer guard) and a timeout are retried with the same frozen batch', () => {
      expect(observed('R9')).toEqual({
        flush: { delivered: 0, deadLettered: 0, deleted: 0, pending: 1, waiting: ['backoff'] },
        outcomes: ['503', 'never', 'timeout', '200'],
        sameBatchEveryTime: true,
        timesStored: { app_opened: 1 },
        guardFired: true,
        after: { pendingCount: 0, consecutiveAuthFailures: 0, retryAt: null },
        lateAnswer: ['UNKNOWN_REQUEST'],
        violations: [],
      })
    })

    it('S2/R8: a success resets the count; ten refusals in a row stop all sync until the next session, which resumes', () => {
      const s2 = observed('S2')
      expect(s2).toMatchObject({
        firstRefusals: ['401 INVALID_SIGNATURE', '401 INVALID_SIGNATURE', '401 INVALID_SIGNATURE'],
        countAfterThree: 3,
        successRequests: ['200'],
        countAfterSuccess: 0,
        suspended: { suspended: true, consecutiveAuthFailures: 10, session: 'suspended', sync: 'rest.suspended' },
        goodTokenWhileSuspended: null,
        flushWhileSuspended: { delivered: 0, pending: 1, waiting: ['suspended'] },
        requestsWhileSuspended: [],
        sameSessionAfterTimers: true,
        flushInNextSession: { pending: 0 },
        resumed: { suspended: false, consecutiveAuthFailures: 0, pendingCount: 0, newSession: true },
        storedForBob: ['viewed', 'tapped', 'came_back'],
        serverAuthErrors: 13,
        violations: [],
      })
      // Ten refusals after the reset (not seven): the success really set the count back to 0.
      expect(s2['tenRefusals']).toHaveLength(10)
      expect(new Set(s2['tenRefusals'] as string[])).toEqual(new Set(['401 INVALID_SIGNATURE', '401 TIME_CONSTRAINT_FAILURE', '401 IDENTIFIER_MISMATCH']))
      expect((s2['requestsInNextSession'] as string[]).every((outcome) => outcome === '200')).toBe(true)
    })

    it('S3/R11: a logout flush refused with a JWT error deletes the user\'s items (deletedCount); nothing of the user, no full token, stays in host storage', () => {
      expect(observed('S3')).toEqual({
        firstFlush: { delivered: 1, deadLettered: 0, deleted: 0, pending: 0, waiting: [] },
        // Before the logout the host holds the user's token and items: the checks below can fail.
        beforeLogout: { refusedTokenAtRest: true, carolItemsAtRest: 2 },
        logout: { delivered: 0, deadLettered: 0, deleted: 2, pending: 0, waiting: [] },
        logoutRequests: ['401 INVALID_SIGNATURE'],
        deletion: [{ source: 'server', code: 'INVALID_SIGNATURE', identifier: 'carol', deletedCount: 2 }],
        flushAfter: { delivered: 1, deadLettered: 0, deleted: 0, pending: 0, waiting: [] },
        requestsAfter: ['200'],
        after: { identifier: null, pendingCount: 0, loggingOut: [], tokenIdentifiers: [] },
        atRest: { carolItems: 0, fullTokens: 0, signatures: 0 },
        storedForCarol: ['c0'],
        storedAnonymous: ['anonymous_after_logout'],
        violations: [],
      })
    })

    it('R13/R14: relaunches on the same host storage deliver every item, each stored once; a batch whose answer was lost is resent as it was', () => {
      expect(observed('relaunch')).toEqual({
        pendingAtRestAfterFirst: 3,
        secondStart: ['200'],
        pendingAtRestAfterSecond: 2,
        thirdFlush: { delivered: 0, deadLettered: 0, deleted: 0, pending: 0, waiting: [] },
        outcomes: ['200', 'lostAnswer', '200'],
        lostBatchResentAsItWas: true,
        stored: ['r1', 'r2', 'theme', 'r4', 'r5'],
        timesReceived: { r1: 1, r2: 1, theme: 1, r4: 2, r5: 2 },
        pendingAtRest: 0,
        after: { pendingCount: 0, deadLetterCount: 0 },
        violations: [],
      })
    })

    it('R17: every malformed or unexpected message is answered with exactly one error naming the problem, and changes nothing', () => {
      const malformed = observed('malformed')
      const answers = malformed['answers'] as { input: string; messages: number; kind: string; id: string | null; code: string; field: string | null }[]
      expect(answers.map((a) => [a.input, a.messages, a.kind, a.id, a.code, a.field])).toEqual([
        ['before initialize', 1, 'error', 'b1', 'NOT_INITIALIZED', null],
        ['not JSON', 1, 'error', null, 'MALFORMED_JSON', null],
        ['an array', 1, 'error', null, 'MALFORMED_MESSAGE', '(root)'],
        ['null', 1, 'error', null, 'MALFORMED_MESSAGE', '(root)'],
        ['no version', 1, 'error', 'b2', 'UNSUPPORTED_VERSION', 'v'],
        ['version 2', 1, 'error', 'b3', 'UNSUPPORTED_VERSION', 'v'],
        ['unknown kind', 1, 'error', 'b4', 'UNKNOWN_KIND', 'kind'],
        ['name not a string', 1, 'error', 'b5', 'MALFORMED_MESSAGE', 'name'],
        ['name missing', 1, 'error', 'b6', 'MALFORMED_MESSAGE', 'name'],
        ['attributes not an object', 1, 'error', 'b7', 'MALFORMED_MESSAGE', 'attributes'],
        ['now not a number', 1, 'error', 'b8', 'MALFORMED_MESSAGE', 'now'],
        ['unknown timer', 1, 'error', 't999', 'UNKNOWN_TIMER', null],
        ['unknown http answer', 1, 'error', 'h999', 'UNKNOWN_REQUEST', null],
        ['unknown storage answer', 1, 'error', 's999', 'UNKNOWN_REQUEST', null],
        ['status out of range', 1, 'error', 'h998', 'MALFORMED_MESSAGE', 'response.status'],
        ['second initialize', 1, 'error', 'b10', 'ALREADY_INITIALIZED', null],
        ['not a string', 1, 'error', null, 'MALFORMED_JSON', null],
      ])
      expect(malformed['stateUnchanged']).toBe(true)
      expect(malformed['violations']).toEqual([])
    })
  })
}
