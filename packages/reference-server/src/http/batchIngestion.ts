import * as t from 'io-ts'
import * as E from 'fp-ts/lib/Either.js'
import { BatchBodyCodec, WireItemCodec, describeDecodeFailure, fingerprintToken, type BatchBody } from '@jwt-sync/core'
import type { AppRegistry } from '../keys/appRegistry.js'
import type { ItemStore } from '../storage/itemStore.js'
import { bearerTokenOf, verifyToken } from '../verification/verifyToken.js'
import type { ResolvedServerOptions } from '../options.js'
import { validationError } from './jsonResponse.js'
import type { RequestLogEntry } from './requestLog.js'

/**
 * The answer to one batch request, and what the log records about it.
 *
 * @example
 * ```ts
 * const answer: BatchAnswer = { status: 200, body: { accepted: 1, duplicates: 0 }, headers: {}, log: {} }
 * ```
 */
export type BatchAnswer = {
  readonly status: number
  readonly body: unknown
  readonly headers: Readonly<Record<string, string>>
  readonly log: Partial<RequestLogEntry>
}

/**
 * One batch request as received.
 *
 * @example
 * ```ts
 * const request: BatchRequest = { appId: 'demo', bodyText: '{...}', authorization: 'Bearer eyJ...' }
 * ```
 */
export type BatchRequest = {
  readonly appId: string
  readonly bodyText: string
  readonly authorization: string | undefined
}

/**
 * What batch ingestion reads and writes.
 * @example
 * ```ts
 * await ingestBatch(request, { apps, store, options })
 * ```
 */
export type IngestionDeps = {
  readonly apps: AppRegistry
  readonly store: ItemStore
  readonly options: ResolvedServerOptions
}

// Read just enough of an invalid body to name the items at fault (422 itemIds).
const LooseBatchCodec = t.type({ items: t.array(t.unknown) })

const decodeBatch = (bodyText: string): E.Either<BatchAnswer, BatchBody> => {
  let json: unknown
  try {
    json = JSON.parse(bodyText)
  } catch {
    return E.left({ status: 400, body: validationError('body is not JSON'), headers: {}, log: { message: 'body is not JSON' } })
  }
  const decoded = BatchBodyCodec.decode(json)
  if (E.isRight(decoded)) return decoded
  const message = describeDecodeFailure(decoded.left).message
  const loose = LooseBatchCodec.decode(json)
  if (E.isRight(loose)) {
    const badIds = loose.right.items.flatMap((item) => {
      if (E.isRight(WireItemCodec.decode(item))) return []
      const id = typeof item === 'object' && item !== null ? (item as Record<string, unknown>)['id'] : undefined
      return typeof id === 'string' ? [id] : []
    })
    if (badIds.length > 0) {
      return E.left({ status: 422, body: validationError(`invalid items: ${message}`, badIds), headers: {}, log: { message } })
    }
  }
  return E.left({ status: 400, body: validationError(message), headers: {}, log: { message } })
}

/**
 * Steps 1 to 10 of `docs/wire-protocol.md` ("How the reference server checks a batch"): decode the body
 * with the core's codecs, apply the app's enforcement, verify the token, de-duplicate and store.
 *
 * @example
 * ```ts
 * const answer = await ingestBatch({ appId: 'demo', bodyText, authorization: `Bearer ${token}` }, deps)
 * answer.status // 200, 400, 401 or 422
 * ```
 */
export const ingestBatch = async (request: BatchRequest, deps: IngestionDeps): Promise<BatchAnswer> => {
  const { apps, store, options } = deps
  const batch = decodeBatch(request.bodyText)
  if (E.isLeft(batch)) return batch.left
  const body = batch.right
  const token = bearerTokenOf(request.authorization)
  const enforcement = apps.enforcementOf(request.appId)
  const base: Partial<RequestLogEntry> = {
    batchId: body.batchId,
    identifier: body.identity?.value ?? null,
    items: body.items.length,
    enforcement,
    ...(token === null ? {} : { tokenFingerprint: fingerprintToken(token) }),
  }
  const headers: Record<string, string> = {}
  let authResult: string
  if (body.identity === null) authResult = 'anonymous'
  else if (enforcement === 'disabled') authResult = 'not-checked'
  else {
    const verdict = await verifyToken(
      token,
      {
        keys: apps.trustedKeys(request.appId),
        allowedAlgorithms: options.allowedAlgorithms,
        clockSkewMs: options.clockSkewMs,
        maxTokenBytes: options.maxTokenBytes,
        now: options.now(),
        identifier: body.identity.value,
      },
      'decide',
    )
    if (E.isLeft(verdict.decision)) {
      const rejection = verdict.decision.left
      authResult = rejection.code
      if (enforcement === 'required') {
        return {
          status: 401,
          body: { error: { type: 'JWT', code: rejection.code, numericCode: rejection.numericCode, message: rejection.message } },
          headers: {},
          log: { ...base, authResult, message: rejection.message },
        }
      }
      headers['x-auth-result'] = rejection.code
    } else {
      authResult = 'ok'
      if (enforcement === 'optional') headers['x-auth-result'] = 'ok'
    }
  }
  const outcome = store.store(request.appId, body, options.now())
  return { status: 200, body: outcome, headers, log: { ...base, authResult, ...outcome } }
}
