// End to end: track() -> SDK queue -> fetch -> loopback TCP -> reference server (RS256 verified,
// de-duplicated, stored). A counting TCP relay sits between client and server, so "bytes on the
// wire" is every byte of HTTP both ways (headers, bodies, keep-alive), not an estimate.
// Run: pnpm --filter @jwt-sync/cli bench  (JWT_SYNC_BENCH_ITEMS=... to change the count).
import { createServer, connect, type Server } from 'node:net'
import * as E from 'fp-ts/lib/Either.js'
import { createMemoryStorage, createSdk, type Clock, type Sdk } from '@jwt-sync/core'
import { createFetchTransport } from '@jwt-sync/adapter-fetch'
import { createTokenIssuer, startReferenceServer } from '@jwt-sync/reference-server'

const ITEMS = Number(process.env['JWT_SYNC_BENCH_ITEMS'] ?? 100_000)
const BATCH = 100
const APP = 'bench'

type Relay = { readonly port: number; readonly sent: () => number; readonly received: () => number; readonly close: () => Promise<void> }

/** A TCP relay on 127.0.0.1 counting bytes in each direction. */
const startRelay = async (targetPort: number): Promise<Relay> => {
  let up = 0
  let down = 0
  const sockets = new Set<import('node:net').Socket>()
  const server: Server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1')
    sockets.add(client).add(upstream)
    client.on('data', (chunk: Buffer) => (up += chunk.length))
    upstream.on('data', (chunk: Buffer) => (down += chunk.length))
    client.pipe(upstream).pipe(client)
    const end = (): void => {
      client.destroy()
      upstream.destroy()
    }
    client.on('error', end).on('close', end)
    upstream.on('error', end).on('close', end)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('relay has no port')
  return {
    port: address.port,
    sent: () => up,
    received: () => down,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  }
}

// The system clock, with timers that do not hold the process open: createSdk's shutdown() leaves
// its bounded drain timer (timeoutMs, 30 s) armed, which would delay the exit by 30 s.
const unrefClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
}

const waitUntilDelivered = (sdk: Sdk, timeoutMs: number): Promise<boolean> =>
  new Promise((resolve) => {
    const timer = setTimeout(() => (unsubscribe(), resolve(false)), timeoutMs)
    const unsubscribe = sdk.subscribe((state) => {
      if (state.pendingCount === 0 && state.sync === 'idle') {
        clearTimeout(timer)
        unsubscribe()
        resolve(true)
      }
    })
  })

const main = async (): Promise<void> => {
  const issuer = createTokenIssuer()
  if (E.isLeft(issuer)) throw new Error(issuer.left)
  const server = await startReferenceServer({ apps: { [APP]: { publicKeys: [issuer.right.publicKeyPem] } }, maxLogEntries: ITEMS })
  const relay = await startRelay(server.port)
  const sdk = createSdk(
    { appId: APP, baseUrl: `http://127.0.0.1:${relay.port}`, environment: 'test', networkConfig: { authorizationConfig: { isJwtEnabled: true } }, maxBatchSize: BATCH },
    { transport: createFetchTransport(), storage: createMemoryStorage(), clock: unrefClock },
  )
  const token = await issuer.right.issue({ identifier: 'bench-user', lifetimeSeconds: 3600 })
  sdk.identify('bench-user')
  const passed = sdk.passAuthenticationDetails({ identifier: 'bench-user', token })
  if (E.isLeft(passed)) throw new Error(`token refused: ${passed.left.code}`)

  const started = performance.now()
  for (let i = 0; i < ITEMS; i++) sdk.track('Added to cart', { sku: `SKU-${i % 1000}`, price: 9.5, quantity: 1 + (i % 3) })
  const tracked = performance.now()
  const delivered = await waitUntilDelivered(sdk, 600_000)
  const finished = performance.now()

  const stored = server.items(APP).length
  const log = server.requestLog().filter((entry) => entry.appId === APP)
  const refused = log.filter((entry) => entry.status !== 200).length
  const seconds = (finished - started) / 1000
  const bytes = relay.sent() + relay.received()
  const peakRssMb = process.resourceUsage().maxRSS / 1024

  console.log(`cli: end to end, track() -> stored on the reference server over loopback (RS256 JWT, batches of ${BATCH})`)
  console.log(`  items: ${ITEMS.toLocaleString('en')} tracked, ${stored.toLocaleString('en')} stored${delivered ? '' : ' (TIMED OUT before all were delivered)'}`)
  console.log(`  time: ${seconds.toFixed(2)} s (track() loop ${((tracked - started) / 1000).toFixed(2)} s); ${Math.round(stored / seconds).toLocaleString('en')} items/s end to end`)
  console.log(`  requests: ${log.length.toLocaleString('en')} (${refused} not 200), ${(stored / Math.max(1, log.length)).toFixed(1)} items per request, ${Math.round(log.length / seconds).toLocaleString('en')} requests/s`)
  console.log(
    `  bytes on the wire: ${(bytes / 1e6).toFixed(1)} MB (${(relay.sent() / 1e6).toFixed(1)} MB up, ${(relay.received() / 1e6).toFixed(2)} MB down), ${Math.round(bytes / Math.max(1, stored))} bytes per item`,
  )
  console.log(`  peak RSS: ${peakRssMb.toFixed(0)} MB (SDK, server and relay in one process)`)

  await sdk.shutdown()
  await relay.close()
  await server.stop()
  if (!delivered || stored !== ITEMS) process.exitCode = 1
}

await main()
