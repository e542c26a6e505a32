import * as t from 'io-ts'
import { AttributeValueCodec } from '../model/item.js'
import { JWT_ERROR_CODES, type JwtErrorCode } from '../jwt/errorCodes.js'

/**
 * Version 1 of docs/wire-protocol.md.
 *
 * @example
 * ```ts
 * PROTOCOL_PATH('my-app') // '/v1/apps/my-app/batches'
 * ```
 */
export const PROTOCOL_PATH = (appId: string): string => `/v1/apps/${encodeURIComponent(appId)}/batches`

const itemStamp = { id: t.string, name: t.string, timestamp: t.number, sessionId: t.string }

/**
 * One item on the wire.
 *
 * @example
 * ```ts
 * WireItemCodec.is({ id: 'i1', type: 'event', name: 'Opened app', attributes: {}, timestamp: 0, sessionId: 's1' }) // true
 * ```
 */
export const WireItemCodec = t.union([
  t.type({ ...itemStamp, type: t.literal('event'), attributes: t.record(t.string, AttributeValueCodec) }),
  t.type({ ...itemStamp, type: t.literal('user_attribute'), value: AttributeValueCodec }),
])
/**
 * One item as the wire carries it (no identity: a batch names it once).
 *
 * @example
 * ```ts
 * const item: WireItem = { id: 'i1', type: 'event', name: 'Opened app', attributes: {}, timestamp: 0, sessionId: 's1' }
 * ```
 */
export type WireItem = t.TypeOf<typeof WireItemCodec>

/**
 * The body of `POST /v1/apps/{appId}/batches`.
 *
 * @example
 * ```ts
 * const body = BatchBodyCodec.decode(JSON.parse(request.body)) // Right({ batchId, sentAt, environment, identity, items })
 * ```
 */
export const BatchBodyCodec = t.type({
  batchId: t.string,
  sentAt: t.number,
  environment: t.union([t.literal('live'), t.literal('test')]),
  identity: t.union([t.null, t.type({ key: t.literal('uid'), value: t.string })]),
  items: t.array(WireItemCodec),
})
/**
 * The JSON body of a batch request (docs/wire-protocol.md, Body).
 *
 * @example
 * ```ts
 * const body: BatchBody = { batchId: 'b1', sentAt: Date.now(), environment: 'live', identity: null, items: [] }
 * ```
 */
export type BatchBody = t.TypeOf<typeof BatchBodyCodec>

/**
 * 200 body.
 *
 * @example
 * ```ts
 * AcceptedBodyCodec.decode(JSON.parse('{"accepted":2,"duplicates":0}')) // Right({ accepted: 2, duplicates: 0 })
 * ```
 */
export const AcceptedBodyCodec = t.type({ accepted: t.number, duplicates: t.number })

const JwtErrorCodeCodec = t.keyof(JWT_ERROR_CODES) as unknown as t.Type<JwtErrorCode, string, unknown>

/**
 * 401 body.
 *
 * @example
 * ```ts
 * JwtErrorBodyCodec.decode({ error: { type: 'JWT', code: 'INVALID_SIGNATURE', numericCode: 4003 } }) // Right(...)
 * ```
 */
export const JwtErrorBodyCodec = t.type({
  error: t.intersection([
    t.type({ type: t.literal('JWT'), code: JwtErrorCodeCodec }),
    t.partial({ numericCode: t.number, message: t.string }),
  ]),
})

/**
 * 400 / 422 body.
 *
 * @example
 * ```ts
 * ValidationErrorBodyCodec.decode({ error: { type: 'VALIDATION', message: 'bad item', itemIds: ['i1'] } }) // Right(...)
 * ```
 */
export const ValidationErrorBodyCodec = t.type({
  error: t.intersection([
    t.type({ type: t.literal('VALIDATION') }),
    t.partial({ message: t.string, itemIds: t.array(t.string) }),
  ]),
})

/**
 * Sent as `X-SDK-Version: jwt-sync/<version>`.
 *
 * @example
 * ```ts
 * headers['X-SDK-Version'] = `jwt-sync/${SDK_VERSION}`
 * ```
 */
export const SDK_VERSION = '0.1.0'
