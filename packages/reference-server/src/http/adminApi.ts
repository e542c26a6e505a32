import type { IncomingMessage, ServerResponse } from 'node:http'
import * as t from 'io-ts'
import * as E from 'fp-ts/lib/Either.js'
import { describeDecodeFailure } from '@jwt-sync/core'
import { isEnforcement, type AppRegistry } from '../keys/appRegistry.js'
import type { ItemStore } from '../storage/itemStore.js'
import { FaultRequestCodec, type FaultQueue } from './faults.js'
import { sendJson, validationError } from './jsonResponse.js'
import { readBody } from './readBody.js'
import type { RequestLogEntry } from './requestLog.js'

const AddKeyBodyCodec = t.intersection([t.type({ publicKeyPem: t.string }), t.partial({ kid: t.string })])
const EnforcementChangeCodec = t.type({ enforcement: t.refinement(t.string, isEnforcement, 'disabled | optional | required') })

/**
 * `GET /admin/apps/{appId}/keys` answer (the fields a client needs).
 *
 * @example
 * ```ts
 * KeysBodyCodec.decode({ keys: [{ kid: 'k1', publicKeyPem: '-----BEGIN PUBLIC KEY-----...' }] }) // Right
 * ```
 */
export const KeysBodyCodec = t.type({ keys: t.array(t.type({ kid: t.string, publicKeyPem: t.string })) })

/**
 * `GET /admin/apps/{appId}/enforcement` answer.
 *
 * @example
 * ```ts
 * EnforcementBodyCodec.decode({ enforcement: 'optional' }) // Right
 * ```
 */
export const EnforcementBodyCodec = t.type({ enforcement: t.string })

/**
 * What the admin API reads and changes.
 * @example
 * ```ts
 * await handleAdmin(req, res, path, { apps, store, faults, requestLog: () => log, maxBodyBytes: 1 << 20 })
 * ```
 */
export type AdminDeps = {
  readonly apps: AppRegistry
  readonly store: ItemStore
  readonly faults: FaultQueue
  readonly requestLog: () => readonly RequestLogEntry[]
  readonly maxBodyBytes: number
  /** What `GET /admin/settings` shows: the verification settings, so `jwt-sync verify --server` checks alike. */
  readonly settings: ServerSettings
}

/**
 * The settings a token is judged by, as `GET /admin/settings` returns them.
 *
 * @example
 * ```ts
 * const settings = ServerSettingsCodec.decode(await (await fetch(`${url}/admin/settings`)).json())
 * ```
 */
export const ServerSettingsCodec = t.type({
  allowedAlgorithms: t.array(t.string),
  clockSkewMs: t.number,
  maxTokenBytes: t.number,
  maxBodyBytes: t.number,
  defaultEnforcement: t.string,
})
/**
 * The decoded settings.
 *
 * @example
 * ```ts
 * const skew: ServerSettings["clockSkewMs"] = 60_000
 * ```
 */
export type ServerSettings = t.TypeOf<typeof ServerSettingsCodec>

const parseJson = (text: string): E.Either<string, unknown> => {
  try {
    return E.right(JSON.parse(text))
  } catch {
    return E.left('body is not JSON')
  }
}

const decodeBody = async <A>(req: IncomingMessage, codec: t.Decoder<unknown, A>, maxBytes: number, rawPem = false): Promise<E.Either<{ status: number; message: string }, A>> => {
  const read = await readBody(req, maxBytes)
  if (read.kind === 'too-large') return E.left({ status: 413, message: 'body too large' })
  if (read.kind === 'aborted') return E.left({ status: 400, message: 'body aborted' })
  if (read.kind === 'unsupported-encoding') return E.left({ status: 415, message: `Content-Encoding ${read.encoding} is not supported (gzip or none)` })
  if (read.kind === 'bad-encoding') return E.left({ status: 400, message: `body is not valid gzip: ${read.message}` })
  // `curl --data-binary @public.pem` posts the PEM as it is.
  const json = rawPem && read.text.trimStart().startsWith('-----BEGIN') ? E.right({ publicKeyPem: read.text }) : parseJson(read.text)
  if (E.isLeft(json)) return E.left({ status: 400, message: json.left })
  const decoded = codec.decode(json.right)
  return E.isLeft(decoded) ? E.left({ status: 400, message: describeDecodeFailure(decoded.left).message }) : E.right(decoded.right)
}

/**
 * The admin API: key management (rotation), enforcement, stored items, the request log and
 * fault injection, all under `/admin`. Returns false when the path is not an admin route.
 *
 * @example
 * ```ts
 * // POST /admin/apps/demo/keys  {"publicKeyPem": "-----BEGIN PUBLIC KEY-----..."}  -> 201 {"key": {...}}
 * if (!(await handleAdmin(req, res, path, deps))) sendJson(res, 404, validationError('no such route'))
 * ```
 */
export const handleAdmin = async (req: IncomingMessage, res: ServerResponse, path: string, deps: AdminDeps): Promise<boolean> => {
  const method = req.method ?? 'GET'
  const segments = path.split('/').filter((segment) => segment.length > 0).map(decodeURIComponent)
  if (segments[0] !== 'admin') return false
  const fail = (status: number, message: string): true => {
    sendJson(res, status, validationError(message))
    return true
  }

  if (segments[1] === 'apps' && segments[2] !== undefined) {
    const appId = segments[2]
    const resource = segments[3]
    if (resource === 'keys' && segments.length === 4 && method === 'GET') {
      sendJson(res, 200, { keys: deps.apps.listKeys(appId) })
      return true
    }
    if (resource === 'keys' && segments.length === 4 && method === 'POST') {
      const body = await decodeBody(req, AddKeyBodyCodec, deps.maxBodyBytes, true)
      if (E.isLeft(body)) return fail(body.left.status, body.left.message)
      const added = deps.apps.addKey(appId, body.right.publicKeyPem, body.right.kid)
      if (E.isLeft(added)) return fail(added.left.kind === 'duplicate-kid' ? 409 : 400, added.left.message)
      sendJson(res, 201, { key: added.right })
      return true
    }
    if (resource === 'keys' && segments.length === 5 && segments[4] !== undefined && method === 'DELETE') {
      const removed = deps.apps.removeKey(appId, segments[4])
      if (E.isLeft(removed)) return fail(404, removed.left.message)
      sendJson(res, 200, { removed: removed.right })
      return true
    }
    if (resource === 'enforcement' && segments.length === 4 && method === 'GET') {
      sendJson(res, 200, { enforcement: deps.apps.enforcementOf(appId) })
      return true
    }
    if (resource === 'enforcement' && segments.length === 4 && method === 'PUT') {
      const body = await decodeBody(req, EnforcementChangeCodec, deps.maxBodyBytes)
      if (E.isLeft(body)) return fail(body.left.status, body.left.message)
      if (!isEnforcement(body.right.enforcement)) return fail(400, 'enforcement: expected disabled | optional | required')
      deps.apps.setEnforcement(appId, body.right.enforcement)
      sendJson(res, 200, { enforcement: body.right.enforcement })
      return true
    }
    if (resource === 'items' && segments.length === 4 && method === 'GET') {
      sendJson(res, 200, { items: deps.store.list(appId) })
      return true
    }
  }
  if (segments[1] === 'settings' && segments.length === 2 && method === 'GET') {
    sendJson(res, 200, deps.settings)
    return true
  }
  if (segments[1] === 'log' && segments.length === 2 && method === 'GET') {
    sendJson(res, 200, { entries: deps.requestLog() })
    return true
  }
  if (segments[1] === 'faults' && segments.length === 2) {
    if (method === 'GET') {
      sendJson(res, 200, { pending: deps.faults.pending() })
      return true
    }
    if (method === 'DELETE') {
      deps.faults.clear()
      sendJson(res, 200, { pending: [] })
      return true
    }
    if (method === 'POST') {
      const body = await decodeBody(req, FaultRequestCodec, deps.maxBodyBytes)
      if (E.isLeft(body)) return fail(body.left.status, body.left.message)
      deps.faults.inject(body.right.fault, body.right.count ?? 1)
      sendJson(res, 200, { pending: deps.faults.pending() })
      return true
    }
  }
  return false
}
