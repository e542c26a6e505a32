import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { expect, it } from 'vitest'
import type { IdentityKey, ItemId, Storage, StorageNamespace, StorageWrite } from '@jwt-sync/core'
import { sampleItem } from '../../conformance/src/storageScenarios.js'
import { createFileStorage, createMemoryStorage } from '../src/index.js'

const identities = ['anon', 'user:a', 'user:b'] as IdentityKey[]

/** One step: a commit built from the ids tracked so far, or a relaunch of both storages. */
type Step = { readonly kind: 'reopen' } | { readonly kind: 'commit'; readonly build: (known: readonly ItemId[], next: () => number) => StorageWrite }

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.constant<Step>({ kind: 'reopen' }),
  fc.record({ who: fc.constantFrom(...identities), count: fc.integer({ min: 1, max: 6 }) }).map(({ who, count }): Step => ({
    kind: 'commit',
    build: (_, next) => ({ append: Array.from({ length: count }, () => sampleItem(who, next(), 'model')) }),
  })),
  fc.array(fc.nat(), { maxLength: 6 }).map((picks): Step => ({
    kind: 'commit',
    build: (known) => ({ remove: [...picks.map((pick) => known[pick % Math.max(1, known.length)] ?? ('unknown' as ItemId)), 'never' as ItemId] }),
  })),
  fc.subarray(identities, { minLength: 1 }).map((who): Step => ({ kind: 'commit', build: () => ({ removeIdentities: who }) })),
  fc.record({ pick: fc.nat(), who: fc.constantFrom(...identities) }).map(({ pick, who }): Step => ({
    kind: 'commit',
    build: (known, next) => {
      const n = next()
      const appended = sampleItem(who, n, 'model')
      const id = known[pick % Math.max(1, known.length)]
      return {
        append: [appended],
        remove: id === undefined ? [appended.id] : [id, appended.id],
        deadLetters: [{ item: appended, status: 400, reason: `bad ${n}`, at: n }],
      }
    },
  })),
  fc.record({ key: fc.constantFrom('session', 'identity', 'tokens'), value: fc.option(fc.jsonValue(), { nil: null }) }).map(({ key, value }): Step => ({
    kind: 'commit',
    // JSON round trip: -0 and the like come back as plain JSON, which is what storage promises.
    build: () => ({ state: { [key]: value === null ? null : (JSON.parse(JSON.stringify(value)) as never) } }),
  })),
)

const open = async (storage: Storage): Promise<StorageNamespace> => {
  const opened = await storage.open('model-app')()
  if (E.isLeft(opened)) return expect.fail(`${opened.left.kind}: ${opened.left.message}`)
  return opened.right
}
const view = async (ns: StorageNamespace): Promise<unknown> => {
  const snapshot = await ns.load()()
  const dead = await ns.readDeadLetters(1000)()
  const peeks = await Promise.all(identities.map(async (identity) => [identity, await ns.peek(identity, 1000)()] as const))
  return { snapshot, dead, peeks }
}

it('R13: under random commits, relaunches and compactions the file storage answers exactly as the memory driver', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 40 }), async (steps) => {
      const directory = await mkdtemp(join(tmpdir(), 'jwt-sync-model-'))
      const memory = createMemoryStorage()
      const fileOptions = { directory, durability: 'os' as const, compactionThresholdBytes: 300 }
      let model = await open(memory)
      let real = await open(createFileStorage(fileOptions))
      const known: ItemId[] = []
      let counter = 0
      try {
        for (const current of steps) {
          if (current.kind === 'reopen') {
            await model.close()
            await real.close()
            model = await open(memory)
            real = await open(createFileStorage(fileOptions))
          } else {
            const write = current.build(known, () => counter++)
            for (const item of write.append ?? []) known.push(item.id)
            expect(await real.commit(write)()).toEqual(await model.commit(write)())
          }
          expect(await view(real)).toEqual(await view(model))
        }
      } finally {
        await model.close()
        await real.close()
        await rm(directory, { recursive: true, force: true })
      }
    }),
    { numRuns: 40 },
  )
})
