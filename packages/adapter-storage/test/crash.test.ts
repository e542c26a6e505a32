import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { IdentityKey } from '@jwt-sync/core'
import { createFileStorage } from '../src/index.js'
import { bundle } from './support/bundle.js'
import { killAtRandom } from './support/killAtRandom.js'

const LONG = process.env['JWT_SYNC_LONG'] === '1'
const KILLS = LONG ? 400 : 50

let script = ''
let directory = ''
beforeAll(async () => {
  script = await bundle(new URL('./fixtures/fileStorageChild.ts', import.meta.url).pathname, 'node')
  directory = await mkdtemp(join(tmpdir(), 'jwt-sync-crash-'))
})
afterAll(async () => {
  await rm(directory, { recursive: true, force: true })
})

type RunLog = { appended: string[]; tried: string[]; removed: string[]; errors: string[] }

/** Runs the writer until a random moment after its first resolved commit, then SIGKILLs it. */
const runAndKill = async (firstN: number): Promise<RunLog> => {
  const log: RunLog = { appended: [], tried: [], removed: [], errors: [] }
  const ended = await killAtRandom(script, ['crash-writer', directory, String(firstN)], (line) => {
    const [kind, ...ids] = line.split(' ')
    if (kind === 'A') log.appended.push(...ids)
    else if (kind === 'T') log.tried.push(...ids)
    else if (kind === 'R') log.removed.push(...ids)
    else log.errors.push(line)
  }, 150)
  if (ended !== null) log.errors.push(`writer ${ended}`)
  return log
}

it(`R13: every commit that resolved survives SIGKILL at random moments (${KILLS} kills), with no corruption`, async () => {
  const live = new Set<string>()
  const acknowledged = new Set<string>()
  const anon = 'anon' as IdentityKey
  let kills = 0
  for (let run = 0; run < KILLS; run++) {
    const log = await runAndKill(run * 1_000_000)
    expect(log.errors).toEqual([])
    for (const id of log.appended) live.add(id)
    for (const id of log.removed) {
      live.delete(id)
      acknowledged.add(id)
    }
    kills++
    // Restart: the killed writer's lock is stale and taken over.
    const opened = await createFileStorage({ directory }).open('crash-app')()
    if (E.isLeft(opened)) expect.fail(`reopen after kill ${run}: ${opened.left.kind}: ${opened.left.message}`)
    const ns = opened.right
    const snapshot = await ns.load()()
    const pending = await ns.peek(anon, Number.MAX_SAFE_INTEGER)()
    await ns.close()
    if (E.isLeft(snapshot) || E.isLeft(pending)) expect.fail('load or peek failed')
    const ids = pending.right.map((item) => item.id as string)
    const present = new Set(ids)
    expect(snapshot.right.skippedRecords).toBe(0)
    expect(present.size).toBe(ids.length)
    // A removal cut off by the kill may or may not have landed; any other missing item is a loss.
    const tried = new Set(log.tried)
    expect([...live].filter((id) => !present.has(id) && !tried.has(id))).toEqual([])
    expect(ids.filter((id) => acknowledged.has(id))).toEqual([])
    for (const id of tried) if (!present.has(id)) acknowledged.add(id)
    // Tracking order survives: ids were handed out in increasing order within and across runs.
    const order = ids.map((id) => Number(id.split('-').pop()))
    expect(order).toEqual([...order].sort((a, b) => a - b))
    // Items whose commit was cut off by the kill may be there or not; from now on they count.
    live.clear()
    for (const id of ids) live.add(id)
  }
  expect(kills).toBe(KILLS)
  expect(live.size + acknowledged.size).toBeGreaterThan(KILLS)
}, LONG ? 900_000 : 60_000)
