import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import * as E from 'fp-ts/lib/Either.js'
import { createAppRegistry, type Enforcement, type KeyFailure } from './keys/appRegistry.js'
import type { TrustedKeyInfo } from './keys/trustedKey.js'
import { resolveServerOptions, type ReferenceServerOptions } from './options.js'
import { createMemoryItemStore, type AcceptedItem, type ItemStore } from './storage/itemStore.js'
import { openSqliteItemStore } from './storage/sqliteItemStore.js'
import { handleAdmin } from './http/adminApi.js'
import { ingestBatch, type BatchAnswer } from './http/batchIngestion.js'
import { createFaultQueue, type Fault } from './http/faults.js'
import { sendJson, validationError } from './http/jsonResponse.js'
import { readBody } from './http/readBody.js'
import { formatLogEntry, type RequestLogEntry } from './http/requestLog.js'

/**
 * A running reference server. Everything the admin API does is also available in process, and
 * takes effect for the next request.
 *
 * @example
 * ```ts
 * const server: ReferenceServer = await startReferenceServer()
 * server.addKey('demo', publicKeyPem)
 * server.setEnforcement('demo', 'optional')
 * await server.stop()
 * ```
 */
export type ReferenceServer = {
  /** Base URL, e.g. `http://127.0.0.1:41234` (the SDK's `baseUrl`). */
  readonly url: string
  /** The port it listens on (the ephemeral one picked when the options asked for port 0). */
  readonly port: number
  /** `{url}/v1/apps/{appId}/batches`. */
  readonly batchUrl: (appId: string) => string
  /** Stops listening, cuts every open connection (hung requests included) and closes the database. */
  readonly stop: () => Promise<void>
  /**
   * Trusts a PEM SPKI RSA public key (at least 2048 bits) for the app's tokens, under `kid` (its
   * RFC 7638 thumbprint when omitted); keys added earlier stay trusted (rotation). Same as
   * `POST /admin/apps/{appId}/keys`. Adding the same key under the same kid again changes nothing
   * and returns it; `Left` for an unusable key (`invalid-key`) or a kid already held by another
   * key (`duplicate-kid`).
   */
  readonly addKey: (appId: string, publicKeyPem: string, kid?: string) => E.Either<KeyFailure, TrustedKeyInfo>
  /** The app's trusted keys in the order they were added (empty for an unknown app). */
  readonly listKeys: (appId: string) => readonly TrustedKeyInfo[]
  /**
   * Stops trusting the key with this kid (the end of a rotation); tokens signed by it then fail
   * `INVALID_SIGNATURE`. Returns the removed key; `Left` (`unknown-kid`) when the app has no such key.
   */
  readonly removeKey: (appId: string, kid: string) => E.Either<KeyFailure, TrustedKeyInfo>
  /** Changes how the app treats tokens from the next batch request on (`PUT /admin/apps/{appId}/enforcement`). */
  readonly setEnforcement: (appId: string, enforcement: Enforcement) => void
  /** The app's enforcement: the one last set for it, else the server's `defaultEnforcement`. */
  readonly enforcementOf: (appId: string) => Enforcement
  /** Accepted items in arrival order (all apps when `appId` is omitted). */
  readonly items: (appId?: string) => readonly AcceptedItem[]
  /** Batch requests, oldest first (at most `maxLogEntries`). */
  readonly requestLog: () => readonly RequestLogEntry[]
  /** Empties the request log, so a test step sees only its own requests. Stored items stay. */
  readonly clearRequestLog: () => void
  /** The next `count` (1) batch requests get this fault instead of their normal answer. */
  readonly injectFault: (fault: Fault, count?: number) => void
  /** Drops every fault not played yet; batch requests get their normal answer again. */
  readonly clearFaults: () => void
  /** The faults not played yet, next first (a copy). */
  readonly pendingFaults: () => readonly Fault[]
}

const BATCH_PATH = /^\/v1\/apps\/([^/]+)\/batches\/?$/

const CORS_HEADERS: Readonly<Record<string, string>> = {
  'access-control-allow-origin': '*',
  'access-control-allow-headers': 'Authorization, Content-Type, Content-Encoding, Idempotency-Key, X-SDK-Version',
  'access-control-expose-headers': 'Retry-After, X-Auth-Result',
}

const describeFault = (fault: Fault): string => {
  switch (fault.kind) {
    case 'status':
      return `status ${fault.status}`
    case 'garbage':
      return `garbage ${fault.status ?? 200}`
    case 'delay':
      return `delay ${fault.ms}ms`
    default:
      return fault.kind
  }
}

const retryAfterHeader = (retryAfter: number | string | undefined): Record<string, string> =>
  retryAfter === undefined ? {} : { 'retry-after': String(retryAfter) }

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** Plays a fault on the response. Returns the status sent, or null when none was. */
const playFault = (fault: Fault, req: IncomingMessage, res: ServerResponse): number | null => {
  switch (fault.kind) {
    case 'status':
      sendJson(res, fault.status, fault.body ?? { error: { type: 'SERVER', message: `injected ${fault.status}` } }, retryAfterHeader(fault.retryAfter))
      return fault.status
    case 'rate-limit':
      sendJson(res, 429, { error: { type: 'RATE_LIMIT', message: 'injected 429' } }, retryAfterHeader(fault.retryAfter ?? 1))
      return 429
    case 'garbage': {
      const status = fault.status ?? 200
      res.writeHead(status, { 'content-type': 'application/json' })
      res.end('<html>not json{')
      return status
    }
    case 'hang':
      return null
    case 'reset':
      req.socket.resetAndDestroy()
      return null
    case 'close':
      req.socket.destroy()
      return null
    case 'stall-body':
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '64' })
      res.write('{"accepted":')
      return 200
    case 'delay':
      return null
  }
}

/**
 * Starts the reference ingestion server (`docs/wire-protocol.md`) on node:http. Listens on 127.0.0.1 and
 * an ephemeral port unless told otherwise. Rejects with a TypeError naming the field when the
 * options (or a configured key) are invalid, and with the underlying error when the port or the
 * database cannot be opened.
 *
 * @example
 * ```ts
 * const issuer = createTokenIssuer()
 * if (E.isLeft(issuer)) throw new Error(issuer.left)
 * const server = await startReferenceServer({ apps: { demo: { publicKeys: [issuer.right.publicKeyPem] } } })
 * // POST `${server.url}/v1/apps/demo/batches` with `Authorization: Bearer ${await issuer.right.issue({ identifier: 'alice' })}`
 * server.injectFault({ kind: 'status', status: 503, retryAfter: 2 }, 2)
 * await server.stop()
 * ```
 */
export const startReferenceServer = async (options: ReferenceServerOptions = {}): Promise<ReferenceServer> => {
  const resolved = resolveServerOptions(options)
  if (E.isLeft(resolved)) throw new TypeError(`reference server options: ${resolved.left}`)
  const config = resolved.right
  const apps = createAppRegistry(config.defaultEnforcement, config.now)
  for (const [appId, app] of Object.entries(config.apps)) {
    if (app.enforcement !== undefined) apps.setEnforcement(appId, app.enforcement)
    for (const key of app.publicKeys ?? []) {
      const added = typeof key === 'string' ? apps.addKey(appId, key) : apps.addKey(appId, key.publicKeyPem, key.kid)
      if (E.isLeft(added)) throw new TypeError(`reference server options: apps.${appId}.publicKeys: ${added.left.message}`)
    }
  }
  const store: ItemStore = config.databasePath === null ? createMemoryItemStore() : await openSqliteItemStore(config.databasePath)
  const faults = createFaultQueue()
  const settings = {
    allowedAlgorithms: [...config.allowedAlgorithms],
    clockSkewMs: config.clockSkewMs,
    maxTokenBytes: config.maxTokenBytes,
    maxBodyBytes: config.maxBodyBytes,
    defaultEnforcement: config.defaultEnforcement,
  }
  let log: RequestLogEntry[] = []
  const record = (entry: RequestLogEntry): void => {
    log.push(entry)
    if (log.length > config.maxLogEntries) log = log.slice(log.length - config.maxLogEntries)
    const level = entry.status === null || entry.status >= 400 || (entry.authResult !== undefined && !['ok', 'anonymous', 'not-checked'].includes(entry.authResult)) ? 'warn' : 'info'
    config.logger[level](formatLogEntry(entry), { ...entry })
  }

  const handleBatch = async (req: IncomingMessage, res: ServerResponse, appId: string, path: string): Promise<void> => {
    const at = config.now()
    const entry = (status: number | null, fields: Partial<RequestLogEntry>): RequestLogEntry => ({ at, method: 'POST', path, appId, status, ...fields })
    const read = await readBody(req, config.maxBodyBytes)
    if (read.kind === 'aborted') return record(entry(null, { message: 'request aborted by the client' }))
    const fault = faults.next()
    if (fault !== null && fault.kind === 'delay') await sleep(fault.ms)
    const playsFirst = fault !== null && fault.kind !== 'delay' && fault.processFirst !== true
    if (fault !== null && playsFirst) {
      return record(entry(playFault(fault, req, res), { fault: describeFault(fault) }))
    }
    let answer: BatchAnswer
    if (read.kind === 'too-large') {
      const what = read.decompressed ? 'decompressed' : 'on the wire'
      answer = { status: 413, body: validationError(`batch too large: more than ${config.maxBodyBytes} bytes ${what}`), headers: {}, log: { message: `over ${read.bytes} bytes ${what}` } }
    } else if (read.kind === 'unsupported-encoding') {
      // R20: 415 tells the SDK to send the same batch again uncompressed.
      answer = { status: 415, body: validationError(`Content-Encoding ${read.encoding} is not supported (gzip or none)`), headers: {}, log: { message: `Content-Encoding ${read.encoding}` } }
    } else if (read.kind === 'bad-encoding') {
      answer = { status: 400, body: validationError(`body is not valid gzip: ${read.message}`), headers: {}, log: { message: 'body is not valid gzip' } }
    } else {
      const authorization = req.headers.authorization
      answer = await ingestBatch({ appId, bodyText: read.text, authorization }, { apps, store, options: config })
    }
    if (fault !== null && fault.kind !== 'delay') {
      // processFirst: the batch was handled (maybe stored), but the client never learns it.
      return record(entry(playFault(fault, req, res), { ...answer.log, fault: `${describeFault(fault)} after processing` }))
    }
    sendJson(res, answer.status, answer.body, answer.headers)
    record(entry(answer.status, { ...answer.log, ...(fault === null ? {} : { fault: describeFault(fault) }) }))
  }

  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://reference.invalid').pathname
    const batch = BATCH_PATH.exec(path)
    // Browser SDKs (and the demo page) post from another origin: allow it, and let them read
    // Retry-After and X-Auth-Result. Bearer tokens are not cookies, so `*` is enough.
    for (const [name, value] of Object.entries(CORS_HEADERS)) res.setHeader(name, value)
    const route = async (): Promise<void> => {
      if (req.method === 'OPTIONS') {
        res.writeHead(204, { 'access-control-allow-methods': 'GET, POST, PUT, DELETE', 'access-control-max-age': '600' })
        return void res.end()
      }
      if (batch?.[1] !== undefined) {
        if (req.method !== 'POST') return sendJson(res, 405, validationError('use POST'), { allow: 'POST' })
        return handleBatch(req, res, decodeURIComponent(batch[1]), path)
      }
      if (path === '/health') return sendJson(res, 200, { ok: true })
      const handled = await handleAdmin(req, res, path, { apps, store, faults, requestLog: () => [...log], maxBodyBytes: config.maxBodyBytes, settings })
      if (!handled) sendJson(res, 404, validationError(`no route ${req.method ?? ''} ${path}`))
    }
    route().catch((error: unknown) => {
      // A bug in the server must not take it down; the client sees a 500 (transient for the SDK).
      config.logger.error('request failed', { path, error: error instanceof Error ? error.message : String(error) })
      if (!res.headersSent) sendJson(res, 500, { error: { type: 'SERVER', message: 'internal error' } })
      else res.destroy()
    })
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(config.port, config.host, () => {
      server.off('error', reject)
      resolve()
    })
  }).catch((error: unknown) => {
    store.close()
    throw error
  })
  const { port } = server.address() as AddressInfo
  const host = config.host.includes(':') ? `[${config.host}]` : config.host
  const url = `http://${host}:${port}`
  let stopped: Promise<void> | null = null

  return {
    url,
    port,
    batchUrl: (appId) => `${url}/v1/apps/${encodeURIComponent(appId)}/batches`,
    stop: () => {
      stopped ??= new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }).then(() => store.close())
      return stopped
    },
    addKey: (appId, publicKeyPem, kid) => apps.addKey(appId, publicKeyPem, kid),
    listKeys: (appId) => apps.listKeys(appId),
    removeKey: (appId, kid) => apps.removeKey(appId, kid),
    setEnforcement: (appId, enforcement) => apps.setEnforcement(appId, enforcement),
    enforcementOf: (appId) => apps.enforcementOf(appId),
    items: (appId) => store.list(appId),
    requestLog: () => [...log],
    clearRequestLog: () => {
      log = []
    },
    injectFault: (fault, count) => faults.inject(fault, count),
    clearFaults: () => faults.clear(),
    pendingFaults: () => faults.pending(),
  }
}
