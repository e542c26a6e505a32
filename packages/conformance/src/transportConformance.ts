import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as E from 'fp-ts/lib/Either.js'
import type { HttpRequest, HttpResponse, Transport, TransportFailure } from '@jwt-sync/core'

/** What the scenario server saw of a request to `/echo`. */
type EchoedRequest = { readonly method: string; readonly headers: Record<string, string>; readonly body: string }

const readAll = (req: IncomingMessage): Promise<string> =>
  new Promise((resolve) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', () => resolve(''))
  })

/** The scenario server: one route per behaviour a transport must get right. Loopback only. */
const handleScenario = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
  const path = new URL(req.url ?? '/', 'http://conformance.invalid').pathname
  const body = await readAll(req)
  const status = /^\/status\/(\d{3})$/.exec(path)?.[1]
  if (path === '/echo') {
    const echoed: EchoedRequest = { method: req.method ?? '', headers: req.headers as Record<string, string>, body }
    res.writeHead(200, { 'Content-Type': 'application/json', 'X-Echo-Header': 'echoed', 'X-MiXeD-Case': 'Value-Kept' })
    res.end(JSON.stringify(echoed))
  } else if (status !== undefined) {
    res.writeHead(Number(status), { 'Content-Type': 'application/json', 'Retry-After': '5' })
    res.end(JSON.stringify({ status: Number(status) }))
  } else if (path === '/large') {
    res.writeHead(200, { 'Content-Type': 'text/plain' })
    res.end(Buffer.from(body).reverse().toString('utf8'))
  } else if (path === '/empty') {
    res.writeHead(204)
    res.end()
  } else if (path === '/hang') {
    // never answers
  } else if (path === '/reset') {
    req.socket.resetAndDestroy()
  } else if (path === '/stall-body') {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '100' })
    res.write('{"accepted":')
  } else if (path === '/reset-mid-body') {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '100' })
    res.write('{"accepted":', () => setTimeout(() => req.socket.resetAndDestroy(), 20))
  } else {
    res.writeHead(404)
    res.end()
  }
}

const listen = (server: Server): Promise<number> =>
  new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port))
  })

const close = (server: Server): Promise<void> =>
  new Promise((resolve) => {
    server.close(() => resolve())
    server.closeAllConnections()
  })

/** A port nothing listens on: bound once, then released. */
const freePort = async (): Promise<number> => {
  const server = createServer()
  const port = await listen(server)
  await close(server)
  return port
}

/**
 * Sends through the transport and insists it neither throws nor rejects: a transport reports
 * every failure as a value (the transport port: `packages/core/src/ports/transport.ts`, and the
 * ports table of `packages/core/README.md`).
 */
const sendSafely = async (transport: Transport, request: HttpRequest): Promise<E.Either<TransportFailure, HttpResponse>> => {
  let task: ReturnType<Transport['send']>
  try {
    task = transport.send(request)
  } catch (error) {
    return expect.fail(`transport.send threw: ${String(error)}`)
  }
  try {
    return await task()
  } catch (error) {
    return expect.fail(`transport task rejected: ${String(error)}`)
  }
}

const expectResponse = (result: E.Either<TransportFailure, HttpResponse>): HttpResponse => {
  if (E.isLeft(result)) return expect.fail(`expected a response, got ${result.left.kind}: ${result.left.message}`)
  return result.right
}

const expectFailure = (result: E.Either<TransportFailure, HttpResponse>, kind: TransportFailure['kind']): TransportFailure => {
  if (E.isRight(result)) return expect.fail(`expected a ${kind} failure, got status ${result.right.status}`)
  expect(result.left.kind).toBe(kind)
  expect(typeof result.left.message).toBe('string')
  expect(result.left.message.length).toBeGreaterThan(0)
  return result.left
}

/** How late a timeout may be reported beyond the request's `timeoutMs` (slow CI, bridges). */
const TIMEOUT_SLACK_MS = 1500

/**
 * The transport port's conformance suite: every transport (adapter-fetch, the iOS bridge's host
 * transport, an integrator's own) runs it. It starts its own loopback server and checks success,
 * status, header and body passthrough, connection refused -> `network`, hang -> `timeout` within
 * the request's `timeoutMs`, reset -> `network`, and that the transport never throws or rejects.
 *
 * @example
 * ```ts
 * describeTransportConformance('fetch', () => createFetchTransport())
 * ```
 */
export const describeTransportConformance = (name: string, makeTransport: () => Transport | Promise<Transport>): void => {
  describe(`transport conformance: ${name}`, () => {
    const server = createServer((req, res) => {
      handleScenario(req, res).catch(() => res.destroy())
    })
    let baseUrl = ''
    let transport: Transport
    const request = (path: string, overrides: Partial<HttpRequest> = {}): HttpRequest => ({
      url: `${baseUrl}${path}`,
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{}',
      timeoutMs: 5000,
      ...overrides,
    })

    beforeAll(async () => {
      baseUrl = `http://127.0.0.1:${await listen(server)}`
      transport = await makeTransport()
    })
    afterAll(async () => {
      await close(server)
    })

    it('success: the request arrives unchanged and the 200 response comes back whole', async () => {
      const body = JSON.stringify({ batchId: 'b-1', items: [{ name: 'Café 🙂', price: 9.5 }] })
      const headers = {
        'Content-Type': 'application/json',
        Authorization: 'Bearer eyJhbGciOiJSUzI1NiJ9.e30.c2ln',
        'Idempotency-Key': 'b-1',
        'X-SDK-Version': 'jwt-sync/0.1.0',
      }
      const response = expectResponse(await sendSafely(transport, request('/echo', { headers, body })))
      expect(response.status).toBe(200)
      const echoed = JSON.parse(response.body) as EchoedRequest
      expect(echoed.method).toBe('POST')
      expect(echoed.body).toBe(body)
      expect(echoed.headers['authorization']).toBe(headers.Authorization)
      expect(echoed.headers['idempotency-key']).toBe('b-1')
      expect(echoed.headers['x-sdk-version']).toBe('jwt-sync/0.1.0')
      expect(echoed.headers['content-type']).toContain('application/json')
    })

    it('response header names are lower-cased, values kept', async () => {
      const response = expectResponse(await sendSafely(transport, request('/echo')))
      for (const key of Object.keys(response.headers)) expect(key).toBe(key.toLowerCase())
      expect(response.headers['x-echo-header']).toBe('echoed')
      expect(response.headers['x-mixed-case']).toBe('Value-Kept')
      expect(response.headers['content-type']).toContain('application/json')
    })

    it('every status is a response, not a failure, with its headers and body (401, 413, 429, 503, ...)', async () => {
      for (const status of [201, 400, 401, 408, 413, 422, 429, 500, 503]) {
        const response = expectResponse(await sendSafely(transport, request(`/status/${status}`)))
        expect(response.status).toBe(status)
        expect(JSON.parse(response.body)).toEqual({ status })
        expect(response.headers['retry-after']).toBe('5')
      }
      const empty = expectResponse(await sendSafely(transport, request('/empty')))
      expect(empty.status).toBe(204)
      expect(empty.body).toBe('')
    })

    it('large bodies pass through in both directions (512 KB)', async () => {
      const body = 'abcdefghij'.repeat(52_429)
      const response = expectResponse(await sendSafely(transport, request('/large', { body, headers: { 'Content-Type': 'text/plain' } })))
      expect(response.body.length).toBe(body.length)
      expect(response.body).toBe(Buffer.from(body).reverse().toString('utf8'))
    })

    it('connection refused -> network failure', async () => {
      const port = await freePort()
      expectFailure(await sendSafely(transport, { ...request('/echo'), url: `http://127.0.0.1:${port}/echo` }), 'network')
    })

    it('a server that never answers -> timeout failure within the request timeoutMs', async () => {
      const started = Date.now()
      expectFailure(await sendSafely(transport, request('/hang', { timeoutMs: 300 })), 'timeout')
      const elapsed = Date.now() - started
      expect(elapsed).toBeGreaterThanOrEqual(250)
      expect(elapsed).toBeLessThan(300 + TIMEOUT_SLACK_MS)
    })

    it('headers sent but the body stalls -> timeout failure within the request timeoutMs', async () => {
      const started = Date.now()
      expectFailure(await sendSafely(transport, request('/stall-body', { timeoutMs: 300 })), 'timeout')
      expect(Date.now() - started).toBeLessThan(300 + TIMEOUT_SLACK_MS)
    })

    it('connection reset before any answer -> network failure', async () => {
      expectFailure(await sendSafely(transport, request('/reset')), 'network')
    })

    it('connection reset in the middle of the body -> network failure', async () => {
      expectFailure(await sendSafely(transport, request('/reset-mid-body')), 'network')
    })

    it('an unusable URL -> network failure, no throw', async () => {
      expectFailure(await sendSafely(transport, { ...request('/echo'), url: 'not a url' }), 'network')
    })

    it('requests are independent: a hung one does not hold up the others', async () => {
      const hung = sendSafely(transport, request('/hang', { timeoutMs: 600 }))
      const started = Date.now()
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, index) => sendSafely(transport, request('/echo', { body: JSON.stringify({ index }) }))),
      )
      results.forEach((result, index) => expect((JSON.parse(expectResponse(result).body) as EchoedRequest).body).toBe(JSON.stringify({ index })))
      expect(Date.now() - started).toBeLessThan(600)
      expectFailure(await hung, 'timeout')
    })

    it('after failures the transport still works', async () => {
      expectFailure(await sendSafely(transport, request('/reset')), 'network')
      expectFailure(await sendSafely(transport, request('/hang', { timeoutMs: 100 })), 'timeout')
      expect(expectResponse(await sendSafely(transport, request('/echo'))).status).toBe(200)
    })
  })
}
