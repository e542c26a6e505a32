import { mkdtemp, rm } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { IdentityKey } from '@jwt-sync/core'
import { createFileStorage } from '../src/index.js'
import { bundle } from './support/bundle.js'
import { killAtRandom } from './support/killAtRandom.js'

const LONG = process.env['JWT_SYNC_LONG'] === '1'
const KILLS = LONG ? 150 : 12

let script = ''
let directory = ''
let server: Server
let baseUrl = ''
/** Item ids the stub ingestion server accepted (it answers 503 now and then, so some stay pending). */
const delivered = new Set<string>()
/** The batch id each item arrived in, first time; a second, different one breaks R14. */
const batchOfItem = new Map<string, string>()
const itemsInTwoBatches: string[] = []
/** Requests that carried a batch the server had seen before (resent after a 503 or a kill). */
let resentBatches = 0
const seenBatches = new Set<string>()

beforeAll(async () => {
  script = await bundle(new URL('./fixtures/sdkCrashChild.ts', import.meta.url).pathname, 'node')
  directory = await mkdtemp(join(tmpdir(), 'jwt-sync-sdk-crash-'))
  server = createServer((request, response) => {
    let body = ''
    request.on('data', (chunk: Buffer) => (body += chunk.toString()))
    request.on('end', () => {
      if (Math.random() < 0.2) {
        response.writeHead(503, { 'content-type': 'application/json' }).end('{}')
        return
      }
      const batch = JSON.parse(body) as { batchId: string; items: { id: string }[] }
      const items = batch.items
      if (seenBatches.has(batch.batchId)) resentBatches++
      seenBatches.add(batch.batchId)
      for (const item of items) {
        const first = batchOfItem.get(item.id)
        if (first === undefined) batchOfItem.set(item.id, batch.batchId)
        else if (first !== batch.batchId) itemsInTwoBatches.push(item.id)
      }
      let duplicates = 0
      for (const item of items) {
        if (delivered.has(item.id)) duplicates++
        delivered.add(item.id)
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ accepted: items.length - duplicates, duplicates }))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()))
  await rm(directory, { recursive: true, force: true })
  await rm(join(script, '..'), { recursive: true, force: true })
})

const runAndKill = async (tag: string): Promise<{ persisted: string[]; problems: string[] }> => {
  const persisted: string[] = []
  const problems: string[] = []
  const ended = await killAtRandom(script, [directory, baseUrl, tag], (line) => {
    if (line.startsWith('P ')) persisted.push(...line.slice(2).split(' '))
    else problems.push(line)
  }, 300)
  if (ended !== null) problems.push(`sdk process ${ended}`)
  return { persisted, problems }
}

it(`R13 R14: every item whose whenPersisted() resolved survives SIGKILL of the SDK process (${KILLS} kills): pending on disk or delivered, none lost, none sent in two batches`, async () => {
  let persistedTotal = 0
  for (let run = 0; run < KILLS; run++) {
    const { persisted, problems } = await runAndKill(`run${run}`)
    expect(problems).toEqual([])
    persistedTotal += persisted.length
    const opened = await createFileStorage({ directory }).open('crash-sdk')()
    if (E.isLeft(opened)) expect.fail(`reopen after kill ${run}: ${opened.left.kind}: ${opened.left.message}`)
    const ns = opened.right
    const snapshot = await ns.load()()
    if (E.isLeft(snapshot)) expect.fail('load failed')
    const pending: string[] = []
    for (const identity of Object.keys(snapshot.right.pendingByIdentity)) {
      const items = await ns.peek(identity as IdentityKey, Number.MAX_SAFE_INTEGER)()
      if (E.isLeft(items)) expect.fail('peek failed')
      pending.push(...items.right.map((item) => item.id as string))
    }
    await ns.close()
    expect(snapshot.right.skippedRecords).toBe(0)
    expect(new Set(pending).size).toBe(pending.length)
    const accounted = new Set([...pending, ...delivered])
    expect(persisted.filter((id) => !accounted.has(id))).toEqual([])
    // R14: a batch is frozen before it is sent, so an item resent after a kill goes in the same batch.
    expect(itemsInTwoBatches).toEqual([])
  }
  expect(persistedTotal).toBeGreaterThan(KILLS)
  // The runs did resend frozen batches (after 503s and kills), so the R14 check had work to do.
  expect(resentBatches).toBeGreaterThan(0)
}, LONG ? 900_000 : 60_000)
