import type { KeyValueStore } from '../../src/keyValueStore.js'

/**
 * An in-memory key-value store for tests, shaped like AsyncStorage v3 (promises; batch calls
 * optional). Every single-key mutation is logged; `crashAfter(n)` makes the store die after `n`
 * more of them: later writes are not applied and throw, as if the app had been killed, and
 * `survivor()` is what a relaunch would find. A batch call applies its keys one at a time, so a
 * crash can cut it anywhere (no store promises more).
 *
 * @example
 * ```ts
 * const store = createMemoryKeyValueStore({ batch: true })
 * const storage = createKeyValueStorage({ store })
 * ```
 */
export type MemoryKeyValueStore = KeyValueStore & {
  readonly data: Map<string, string>
  /** Single-key writes and removals so far, with the size of each written value. */
  readonly mutations: { readonly op: 'set' | 'remove'; readonly key: string; readonly chars: number }[]
  readonly crashAfter: (mutations: number) => void
  readonly crashed: () => boolean
  /** A new store on what survived (the relaunch). */
  readonly survivor: (options?: { batch?: boolean }) => MemoryKeyValueStore
  /** Makes the next writes fail (without crashing) with this error, e.g. a QuotaExceededError. */
  readonly failWrites: (error: unknown | null) => void
}

export const createMemoryKeyValueStore = (options: { batch?: boolean; initial?: ReadonlyMap<string, string> } = {}): MemoryKeyValueStore => {
  const data = new Map(options.initial ?? [])
  const mutations: { op: 'set' | 'remove'; key: string; chars: number }[] = []
  let budget = Number.POSITIVE_INFINITY
  let writeError: unknown | null = null
  const mutate = (op: 'set' | 'remove', key: string, value?: string): void => {
    if (mutations.length >= budget) throw new Error('the app was killed')
    if (writeError !== null) throw writeError
    mutations.push({ op, key, chars: value?.length ?? 0 })
    if (op === 'set') data.set(key, value!)
    else data.delete(key)
  }
  const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))
  const store: MemoryKeyValueStore = {
    data,
    mutations,
    getItem: async (key) => {
      await tick()
      return data.get(key) ?? null
    },
    setItem: async (key, value) => {
      await tick()
      mutate('set', key, value)
    },
    removeItem: async (key) => {
      await tick()
      mutate('remove', key)
    },
    ...(options.batch === true
      ? {
          getMany: async (keys: string[]) => {
            await tick()
            return Object.fromEntries(keys.map((key) => [key, data.get(key) ?? null]))
          },
          setMany: async (entries: Record<string, string>) => {
            await tick()
            for (const [key, value] of Object.entries(entries)) mutate('set', key, value)
          },
          removeMany: async (keys: string[]) => {
            await tick()
            for (const key of keys) mutate('remove', key)
          },
        }
      : {}),
    crashAfter: (n) => {
      budget = mutations.length + n
    },
    crashed: () => mutations.length >= budget,
    survivor: (next = {}) => createMemoryKeyValueStore({ batch: next.batch ?? options.batch ?? false, initial: data }),
    failWrites: (error) => {
      writeError = error
    },
  }
  return store
}
