// Test harness for the core: a scripted in-memory server behind the transport port (a stand-in
// allowed in unit tests of pure code), unsigned test tokens (the client never verifies
// signatures), and a manual clock.
import * as E from 'fp-ts/lib/Either.js'
import type { InspectionEvent } from 'xstate'
import {
  createManualClock,
  createMemoryStorage,
  createSdk,
  type AuthenticationError,
  type HttpRequest,
  type HttpResponse,
  type ManualClock,
  type Sdk,
  type SdkConfig,
  type Storage,
  type StorageNamespace,
  type TransportFailure,
} from '@jwt-sync/core'

export const START = Date.UTC(2026, 10, 28, 9, 0, 0)

const b64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url')

/** A JWT-shaped token with a fake signature: enough for the client checks of R6. */
export const makeToken = (claims: { sub?: unknown; exp?: number | undefined; alg?: string; typ?: string; nonce?: string }): string => {
  const header: Record<string, unknown> = { alg: claims.alg ?? 'RS256' }
  if (claims.typ !== undefined) header['typ'] = claims.typ
  const payload: Record<string, unknown> = { nonce: claims.nonce ?? Math.random().toString(36).slice(2) }
  if (claims.sub !== undefined) payload['sub'] = claims.sub
  if (claims.exp !== undefined) payload['exp'] = claims.exp
  return `${b64url(header)}.${b64url(payload)}.c2lnbmF0dXJl`
}

/** A token for `sub` valid for an hour from `now`. */
export const validToken = (sub: string, now: number, nonce?: string): string =>
  makeToken({ sub, exp: Math.floor(now / 1000) + 3600, ...(nonce !== undefined ? { nonce } : {}) })

export type RecordedRequest = {
  readonly batchId: string
  readonly identity: string | null
  readonly itemIds: readonly string[]
  readonly token: string | null
  readonly response: 'pending' | number | TransportFailure['kind']
  /** The SDK's session when the request was made (set through `probeSession`). */
  readonly sessionId: string
}

export type ScriptedAnswer =
  | { readonly status: number; readonly headers?: Record<string, string>; readonly body?: string }
  | { readonly failure: TransportFailure['kind'] }
  | { readonly hold: true }

export const ok: ScriptedAnswer = { status: 200 }
export const jwt401 = (code: string): ScriptedAnswer => ({
  status: 401,
  body: JSON.stringify({ error: { type: 'JWT', code, numericCode: 4003, message: code } }),
})

/** An in-memory ingestion server: answers from a script (default 200) and de-duplicates by id. */
export const createScriptedServer = () => {
  const requests: RecordedRequest[] = []
  const script: ScriptedAnswer[] = []
  const stored = new Set<string>()
  const held: { index: number; resolve: (answer: ScriptedAnswer) => void }[] = []
  let sessionProbe: () => string = () => ''

  const respond = (index: number, request: HttpRequest, answer: ScriptedAnswer): E.Either<TransportFailure, HttpResponse> => {
    const recorded = requests[index]
    if (recorded === undefined) throw new Error('unknown request')
    if ('failure' in answer) {
      requests[index] = { ...recorded, response: answer.failure }
      return E.left({ kind: answer.failure, message: 'scripted failure' })
    }
    if ('hold' in answer) throw new Error('cannot respond with hold')
    requests[index] = { ...recorded, response: answer.status }
    if (answer.status >= 200 && answer.status < 300) {
      const body = JSON.parse(request.body) as { items: { id: string }[] }
      let accepted = 0
      for (const item of body.items) if (!stored.has(item.id)) (stored.add(item.id), accepted++)
      return E.right({ status: answer.status, headers: answer.headers ?? {}, body: answer.body ?? JSON.stringify({ accepted, duplicates: body.items.length - accepted }) })
    }
    return E.right({ status: answer.status, headers: answer.headers ?? {}, body: answer.body ?? '' })
  }

  const transport = {
    send: (request: HttpRequest) => () => {
      const body = JSON.parse(request.body) as { batchId: string; identity: { value: string } | null; items: { id: string }[] }
      const auth = request.headers['Authorization']
      const index = requests.length
      requests.push({
        batchId: body.batchId,
        identity: body.identity === null ? null : body.identity.value,
        itemIds: body.items.map((item) => item.id),
        token: auth === undefined ? null : auth.replace(/^Bearer /, ''),
        response: 'pending',
        sessionId: sessionProbe(),
      })
      const answer = script.shift() ?? ok
      if ('hold' in answer) {
        return new Promise<E.Either<TransportFailure, HttpResponse>>((resolve) => {
          held.push({ index, resolve: (final) => resolve(respond(index, request, final)) })
        })
      }
      return Promise.resolve(respond(index, request, answer))
    },
  }

  return {
    transport,
    requests,
    stored,
    /** The next requests get these answers, in order; then 200. */
    answer: (...answers: ScriptedAnswer[]) => {
      script.push(...answers)
    },
    /** Releases the oldest held request with an answer. */
    release: (answer: ScriptedAnswer) => {
      const next = held.shift()
      if (next === undefined) throw new Error('no held request')
      next.resolve(answer)
    },
    heldCount: () => held.length,
    probeSession: (probe: () => string) => {
      sessionProbe = probe
    },
    clearScript: () => {
      script.length = 0
    },
  }
}

export type ScriptedServer = ReturnType<typeof createScriptedServer>

/** Lets every promise chain that needs no timer run to its end. */
export const settle = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve))
}

/**
 * The harness's random source (ids and R9 jitter): a linear congruential generator, so a run can be
 * replayed and a reference model can draw the same values in the same order.
 */
export const seededRandom = (initial = 42): (() => number) => {
  let seed = initial
  return (): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648
    return seed / 2147483648
  }
}

export type Harness = {
  readonly sdk: Sdk
  readonly clock: ManualClock
  readonly server: ScriptedServer
  readonly storage: Storage
  readonly errors: AuthenticationError[]
}

export const baseConfig = (overrides: Partial<SdkConfig> = {}, jwt = true): SdkConfig => ({
  appId: 'test-app',
  baseUrl: 'http://ingest.test',
  environment: 'test',
  networkConfig: { authorizationConfig: { isJwtEnabled: jwt } },
  ...overrides,
})

/** A started SDK on a manual clock, memory storage and a scripted server, with a listener recording errors. */
export const startHarness = async (
  options: {
    config?: Partial<SdkConfig>
    jwt?: boolean
    storage?: Storage
    clock?: ManualClock
    server?: ScriptedServer
    seed?: number
    inspect?: (event: InspectionEvent) => void
    /** Where the listener records errors (shared across a relaunch). */
    errors?: AuthenticationError[]
  } = {},
): Promise<Harness> => {
  const clock = options.clock ?? createManualClock(START)
  const server = options.server ?? createScriptedServer()
  const storage = options.storage ?? createMemoryStorage()
  const random = seededRandom(options.seed ?? 42)
  const sdk = createSdk(baseConfig(options.config, options.jwt ?? true), {
    transport: server.transport,
    storage,
    clock,
    random,
    ...(options.inspect !== undefined ? { inspect: options.inspect } : {}),
  })
  server.probeSession(() => sdk.getState().sessionId)
  const errors = options.errors ?? []
  sdk.registerAuthenticationListener((error) => errors.push(error))
  await sdk.whenPersisted()
  await settle()
  return { sdk, clock, server, storage, errors }
}

/**
 * Each round: the server refuses the next request, the app passes a fresh token, tracks and
 * flushes. `rounds` of 10 suspend sync (R8).
 */
export const refuseRounds = async (harness: Harness, user: string, rounds: number, code = 'INVALID_SIGNATURE'): Promise<void> => {
  const { sdk, server, clock } = harness
  sdk.identify(user)
  for (let i = 0; i < rounds; i++) {
    server.answer(jwt401(code))
    sdk.passAuthenticationDetails({ identifier: user, token: validToken(user, clock.now(), `refused-${i}`) })
    sdk.track(`e${i}`)
    await sdk.flush()
  }
}

/** The memory storage with some namespace operations replaced (failures, recording). */
export const storageWith = (override: (namespace: StorageNamespace) => Partial<StorageNamespace>): Storage => {
  const inner = createMemoryStorage()
  return {
    open: (name) => async () => {
      const opened = await inner.open(name)()
      return E.isLeft(opened) ? opened : E.right({ ...opened.right, ...override(opened.right) })
    },
  }
}

export const expectRight = <A>(value: E.Either<unknown, A>): A => {
  if (E.isLeft(value)) throw new Error(`expected Right, got Left ${JSON.stringify(value.left)}`)
  return value.right
}

export const expectLeft = <L>(value: E.Either<L, unknown>): L => {
  if (E.isRight(value)) throw new Error(`expected Left, got Right ${JSON.stringify(value.right)}`)
  return value.left
}
