import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'

/**
 * The wire formats the sink understands: jwt-sync's own, each peer SDK's batch endpoint, and the
 * bare-fetch floor.
 *
 * @example
 * ```ts
 * const format: PayloadFormat = 'posthog'
 * ```
 */
export type PayloadFormat = 'jwt-sync' | 'segment' | 'posthog' | 'amplitude' | 'raw'

/**
 * Every payload format, in report order.
 *
 * @example
 * ```ts
 * for (const format of PAYLOAD_FORMATS) console.log(format)
 * ```
 */
export const PAYLOAD_FORMATS: readonly PayloadFormat[] = ['jwt-sync', 'segment', 'posthog', 'amplitude', 'raw']

/**
 * One delivered item as the sink counts it: the SDK's message id (for de-duplication) and the
 * bench's own sequence number carried in the attributes (for loss).
 *
 * @example
 * ```ts
 * const item: ReceivedItem = { messageId: 'a1b2', seq: 41 }
 * ```
 */
export type ReceivedItem = { readonly messageId: string; readonly seq: number }

/**
 * A parsed request body, with the status and body the SDK expects back on success.
 *
 * @example
 * ```ts
 * const parsed: ParsedBatch = { items: [], response: { status: 200, body: { accepted: 0 } } }
 * ```
 */
export type ParsedBatch = { readonly items: readonly ReceivedItem[]; readonly response: { readonly status: number; readonly body: unknown } }

const Seq = t.type({ seq: t.number })
const JwtSyncBody = t.type({ items: t.array(t.type({ id: t.string, attributes: Seq })) })
const SegmentBody = t.type({ batch: t.array(t.type({ messageId: t.string, properties: Seq })) })
const PosthogBody = t.type({ batch: t.array(t.type({ uuid: t.string, properties: Seq })) })
const AmplitudeBody = t.type({ events: t.array(t.type({ insert_id: t.string, event_properties: Seq })) })
const RawBody = t.type({ items: t.array(t.type({ id: t.string, attributes: Seq })) })

/**
 * Which format a request path belongs to: the sink mounts each SDK under its own prefix, at the
 * path that SDK posts to (`/segment/v1/batch`, `/posthog/batch/`, `/amplitude/2/httpapi`).
 *
 * @example
 * ```ts
 * formatOfPath('/posthog/batch/') // 'posthog'
 * ```
 */
export const formatOfPath = (path: string): PayloadFormat | undefined => {
  if (/^\/jwt-sync\/v1\/apps\/[^/]+\/batches$/.test(path)) return 'jwt-sync'
  if (path === '/segment/v1/batch') return 'segment'
  if (path === '/posthog/batch/' || path === '/posthog/batch') return 'posthog'
  if (path === '/amplitude/2/httpapi') return 'amplitude'
  if (path === '/raw/batches') return 'raw'
  return undefined
}

/**
 * Parses one decoded JSON body of the given format; `Left` with a reason when it is not that format.
 *
 * @example
 * ```ts
 * parseBatch('raw', { items: [{ id: 'x', attributes: { seq: 0 } }] })
 * ```
 */
export const parseBatch = (format: PayloadFormat, body: unknown): E.Either<string, ParsedBatch> => {
  const fail = (errors: t.Errors): E.Either<string, ParsedBatch> => E.left(`not a ${format} batch (${errors.length} decode errors)`)
  switch (format) {
    case 'jwt-sync': {
      const decoded = JwtSyncBody.decode(body)
      if (E.isLeft(decoded)) return fail(decoded.left)
      const items = decoded.right.items.map((item) => ({ messageId: item.id, seq: item.attributes.seq }))
      return E.right({ items, response: { status: 200, body: { accepted: items.length, duplicates: 0 } } })
    }
    case 'segment': {
      const decoded = SegmentBody.decode(body)
      if (E.isLeft(decoded)) return fail(decoded.left)
      return E.right({ items: decoded.right.batch.map((m) => ({ messageId: m.messageId, seq: m.properties.seq })), response: { status: 200, body: { success: true } } })
    }
    case 'posthog': {
      const decoded = PosthogBody.decode(body)
      if (E.isLeft(decoded)) return fail(decoded.left)
      return E.right({ items: decoded.right.batch.map((m) => ({ messageId: m.uuid, seq: m.properties.seq })), response: { status: 200, body: { status: 1 } } })
    }
    case 'amplitude': {
      const decoded = AmplitudeBody.decode(body)
      if (E.isLeft(decoded)) return fail(decoded.left)
      const items = decoded.right.events.map((event) => ({ messageId: event.insert_id, seq: event.event_properties.seq }))
      // Amplitude's transport reads `code` from the body, not the status line.
      return E.right({ items, response: { status: 200, body: { code: 200, events_ingested: items.length, payload_size_bytes: 0, server_upload_time: Date.now() } } })
    }
    case 'raw': {
      const decoded = RawBody.decode(body)
      if (E.isLeft(decoded)) return fail(decoded.left)
      const items = decoded.right.items.map((item) => ({ messageId: item.id, seq: item.attributes.seq }))
      return E.right({ items, response: { status: 200, body: { accepted: items.length } } })
    }
  }
}
