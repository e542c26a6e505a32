import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { gunzipSync } from 'node:zlib'
import * as E from 'fp-ts/lib/Either.js'
import { PAYLOAD_FORMATS, formatOfPath, parseBatch, type PayloadFormat } from './payloadFormats.js'

/**
 * What the sink saw for one format since the last reset.
 *
 * @example
 * ```ts
 * const lost = n - stats.distinctItems
 * ```
 */
export type SinkStats = {
  /** Batch requests answered with success. */
  readonly requests: number
  /** Request body bytes as they came over the wire (compressed where the SDK compresses). */
  readonly bytes: number
  /** Items in all requests, retransmissions included. */
  readonly received: number
  /** Distinct SDK message ids: what a de-duplicating server would store. */
  readonly uniqueMessages: number
  /** Distinct bench sequence numbers: the items that actually arrived. */
  readonly distinctItems: number
  /** Requests that carried `Authorization: Bearer ...`. */
  readonly authorizedRequests: number
  /** Requests the sink could not parse (answered 400). */
  readonly rejectedRequests: number
}

/**
 * A running sink on 127.0.0.1.
 *
 * @example
 * ```ts
 * const sink = await startSink()
 * await fetch(`${sink.url}/raw/batches`, { method: 'POST', body })
 * console.log(sink.stats('raw'))
 * await sink.close()
 * ```
 */
export type Sink = {
  /** `http://127.0.0.1:<port>`; each SDK is pointed at `<url>/<format>`. */
  readonly url: string
  readonly stats: (format: PayloadFormat) => SinkStats
  readonly reset: () => void
  readonly close: () => Promise<void>
}

type Tally = { requests: number; bytes: number; received: number; messages: Set<string>; items: Set<number>; authorizedRequests: number; rejectedRequests: number }

const newTally = (): Tally => ({ requests: 0, bytes: 0, received: 0, messages: new Set(), items: new Set(), authorizedRequests: 0, rejectedRequests: 0 })

const readBody = (request: IncomingMessage): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => resolve(Buffer.concat(chunks)))
    request.on('error', reject)
  })

const decodeJson = (raw: Buffer, encoding: string | undefined): E.Either<string, unknown> => {
  try {
    const text = (encoding === 'gzip' ? gunzipSync(raw) : raw).toString('utf8')
    return E.right(JSON.parse(text) as unknown)
  } catch (error) {
    return E.left(error instanceof Error ? error.message : String(error))
  }
}

const send = (response: ServerResponse, status: number, body: unknown): void => {
  const text = JSON.stringify(body)
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) })
  response.end(text)
}

/**
 * Starts the benchmark's ingestion sink: one node:http server that accepts every SDK's batch
 * format at its own path, counts requests, bytes and items, de-duplicates by the SDK's message id,
 * and answers each SDK with the success body it expects. `GET /stats/<format>` reports the tally
 * (not counted), so a driver can flush until the sink holds all its items.
 *
 * @example
 * ```ts
 * const sink = await startSink()
 * // point Segment at `${sink.url}/segment`, PostHog at `${sink.url}/posthog`, ...
 * ```
 */
export const startSink = async (): Promise<Sink> => {
  const tallies = new Map<PayloadFormat, Tally>(PAYLOAD_FORMATS.map((format) => [format, newTally()]))
  const tallyOf = (format: PayloadFormat): Tally => {
    const existing = tallies.get(format)
    if (existing !== undefined) return existing
    const created = newTally()
    tallies.set(format, created)
    return created
  }
  const stats = (format: PayloadFormat): SinkStats => {
    const tally = tallyOf(format)
    return {
      requests: tally.requests,
      bytes: tally.bytes,
      received: tally.received,
      uniqueMessages: tally.messages.size,
      distinctItems: tally.items.size,
      authorizedRequests: tally.authorizedRequests,
      rejectedRequests: tally.rejectedRequests,
    }
  }

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const path = (request.url ?? '/').split('?')[0] ?? '/'
    const statsFormat = /^\/stats\/(.+)$/.exec(path)?.[1]
    if (request.method === 'GET' && statsFormat !== undefined) {
      const format = PAYLOAD_FORMATS.find((f) => f === statsFormat)
      return format === undefined ? send(response, 404, { error: 'unknown format' }) : send(response, 200, stats(format))
    }
    const raw = await readBody(request)
    const format = formatOfPath(path)
    if (request.method !== 'POST' || format === undefined) return send(response, 404, { error: `no route for ${request.method} ${path}` })
    const tally = tallyOf(format)
    const parsed = E.flatMap(decodeJson(raw, request.headers['content-encoding']), (body) => parseBatch(format, body))
    if (E.isLeft(parsed)) {
      tally.rejectedRequests += 1
      return send(response, 400, { error: parsed.left })
    }
    tally.requests += 1
    tally.bytes += raw.length
    if (/^Bearer .+/.test(request.headers.authorization ?? '')) tally.authorizedRequests += 1
    for (const item of parsed.right.items) {
      tally.received += 1
      tally.messages.add(item.messageId)
      tally.items.add(item.seq)
    }
    send(response, parsed.right.response.status, parsed.right.response.body)
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => send(response, 500, { error: String(error) }))
  })
  // Peers keep connections alive; a generous keep-alive avoids counting reconnects against them.
  server.keepAliveTimeout = 60_000
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    stats,
    reset: () => {
      for (const format of PAYLOAD_FORMATS) tallies.set(format, newTally())
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
