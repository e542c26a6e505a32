// track() throughput into memory storage with 1k, 100k and 1M items pending, and heap per
// pending item against its JSON size. Figures and PASS/MISS, not assertions: run `pnpm bench`.
import * as E from 'fp-ts/lib/Either.js'
import { createActor, setup } from 'xstate'
import { createManualClock, createMemoryStorage, createSdk, type Sdk } from '@jwt-sync/core'
import { MAX_BATCH_SIZE } from '../src/model/config.js'
import { reportVerdicts, type BenchVerdict } from '../../../scripts/benchVerdicts.mjs'

const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined)
const attributes = { sku: 'A1-2093', price: 9.5, quantity: 2, currency: 'EUR', gift: false, tags: ['summer', 'sale'], page: '/cart', position: 3 }

const newSdk = (): Sdk => {
  const sdk = createSdk(
    {
      appId: 'bench',
      baseUrl: 'http://127.0.0.1:9',
      environment: 'test',
      networkConfig: { authorizationConfig: { isJwtEnabled: true } },
      maxBatchSize: MAX_BATCH_SIZE,
      periodicFlushMs: 1_000_000_000,
    },
    {
      transport: { send: () => () => Promise.resolve(E.left({ kind: 'network', message: 'bench' })) },
      storage: createMemoryStorage(),
      clock: createManualClock(Date.UTC(2026, 10, 28)),
    },
  )
  // Nothing is sent during the bench: the user has no token, so the queue only grows (R5).
  sdk.identify('bench-user')
  return sdk
}

const fill = async (sdk: Sdk, count: number): Promise<void> => {
  for (let done = 0; done < count; ) {
    const chunk = Math.min(10_000, count - done)
    // A fresh attributes object per call, as an app makes: nothing shared between items.
    for (let i = 0; i < chunk; i++) sdk.track('Added to cart', { ...attributes, tags: ['summer', 'sale'], position: done + i })
    await sdk.whenPersisted()
    done += chunk
  }
}

/** Calls per second for `calls` tracks (persisted) on top of what is already pending. */
const measure = async (sdk: Sdk, calls: number): Promise<number> => {
  const started = performance.now()
  await fill(sdk, calls)
  return calls / ((performance.now() - started) / 1000)
}

/** Microseconds per call of `send`, after a warm-up of the same length. */
const microsPerEvent = (send: (index: number) => void, events: number): number => {
  for (let i = 0; i < events; i++) send(i)
  const started = performance.now()
  for (let i = 0; i < events; i++) send(i)
  return ((performance.now() - started) * 1000) / events
}

/**
 * What one event costs in the SDK's statechart (four parallel regions, 39 states, guarded eventless
 * transitions that keep session and auth in step with the data) against the same event in a
 * trivial machine: the price of the chart, paid a few times per batch (ITEMS_TRACKED, BATCH_FORMED,
 * BATCH_SENT and the invoked actors' start and end). A figure, not a target.
 */
const statechartStepCost = async (): Promise<void> => {
  const sdk = newSdk()
  await sdk.whenPersisted()
  const inChart = microsPerEvent((i) => (i % 2 === 0 ? sdk.onAppBackground() : sdk.onAppForeground()), 50_000)
  await sdk.shutdown()
  const trivial = createActor(
    setup({}).createMachine({ initial: 'foreground', states: { foreground: { on: { TOGGLE: 'background' } }, background: { on: { TOGGLE: 'foreground' } } } }),
  ).start()
  const inTrivial = microsPerEvent(() => trivial.send({ type: 'TOGGLE' }), 50_000)
  trivial.stop()
  console.log(`  statechart step: ${inChart.toFixed(1)} µs per presence event in the SDK's chart, ${inTrivial.toFixed(1)} µs in a two-state machine (${(inChart / inTrivial).toFixed(1)}x)`)
}

const main = async (): Promise<void> => {
  console.log('core: track() into memory storage (persisted, grouped per tick)')
  const rates: Record<string, number> = {}
  for (const pending of [1_000, 100_000, 1_000_000]) {
    const sdk = newSdk()
    await fill(sdk, pending)
    await measure(sdk, 20_000) // warm-up at this size
    const rate = await measure(sdk, 100_000)
    rates[pending] = rate
    console.log(`  ${String(pending).padStart(9)} pending: ${Math.round(rate).toLocaleString('en')} track()/s, ${(1e6 / rate).toFixed(2)} µs per call`)
    await sdk.shutdown()
  }
  const cost = (pending: number) => 1 / (rates[pending] ?? 1)
  const flatness = cost(1_000_000) / cost(1_000)
  console.log(`  per-call cost at 1M vs 1k: ${flatness.toFixed(2)}x (target <= 1.5x); at 1k: ${((rates[1_000] ?? 0) / 200_000).toFixed(2)}x the 200,000/s target`)
  const verdicts: BenchVerdict[] = [1_000, 100_000, 1_000_000].map((pending) => ({
    target: `track() >= 200,000/s with ${pending.toLocaleString('en')} pending`,
    measured: `${Math.round(rates[pending] ?? 0).toLocaleString('en')}/s (${((rates[pending] ?? 0) / 200_000).toFixed(2)}x)`,
    pass: (rates[pending] ?? 0) >= 200_000,
  }))
  verdicts.push({ target: 'track() flat: cost per call at 1M pending <= 1.5x at 1k', measured: `${flatness.toFixed(2)}x`, pass: flatness <= 1.5 })

  await statechartStepCost()

  gc()
  const sdk = newSdk()
  await sdk.whenPersisted()
  gc()
  const before = process.memoryUsage().heapUsed
  const count = 200_000
  await fill(sdk, count)
  gc()
  const after = process.memoryUsage().heapUsed
  const perItem = (after - before) / count
  const sample = { id: 'abcdefgh-1a2b', identity: 'anon', type: 'event', name: 'Added to cart', attributes, timestamp: Date.now(), sessionId: 's-abcdefghijkl' }
  const jsonSize = JSON.stringify(sample).length
  console.log(`  heap per pending item: ${Math.round(perItem)} bytes; JSON size ${jsonSize} bytes; ratio ${(perItem / jsonSize).toFixed(2)}x (target <= 2x)`)
  console.log(`  (${sdk.getState().pendingCount} items pending)`)
  await sdk.shutdown()
  verdicts.push({ target: 'heap per pending item <= 2x its JSON size', measured: `${Math.round(perItem)} bytes vs ${jsonSize} (${(perItem / jsonSize).toFixed(2)}x)`, pass: perItem / jsonSize <= 2 })
  reportVerdicts('core: track()', verdicts)
}

await main()
