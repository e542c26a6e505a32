/**
 * The slice of a React Native key-value store the key-value storage uses: AsyncStorage
 * (`@react-native-async-storage/async-storage`, v3 names its batch calls `getMany`/`setMany`/
 * `removeMany`), MMKV (synchronous: wrap `getString`/`set`/`remove`), or anything shaped alike.
 * Every method may answer synchronously or with a promise; a throw or a rejection is a failure.
 * The batch calls are optional and only save round trips: the driver never needs them to be
 * atomic.
 *
 * @example
 * ```ts
 * import AsyncStorage from '@react-native-async-storage/async-storage' // v2: multiGet/multiSet; see docs/react-native.md
 * import { createMMKV } from 'react-native-mmkv'
 * const mmkv = createMMKV({ id: 'jwt-sync' })
 * const store: KeyValueStore = {
 *   getItem: (key) => mmkv.getString(key) ?? null,
 *   setItem: (key, value) => mmkv.set(key, value),
 *   removeItem: (key) => { mmkv.remove(key) },
 * }
 * ```
 */
export type KeyValueStore = {
  /** The value of `key`, or null (or undefined) when there is none. */
  getItem(key: string): Promise<string | null | undefined> | string | null | undefined
  /** Stores one value; the driver relies on this single write being atomic. */
  setItem(key: string, value: string): Promise<void> | void
  /** Removes one value; a missing key is fine. */
  removeItem(key: string): Promise<void> | void
  /** Several values at once: key to value, or null for a missing key. */
  getMany?(keys: string[]): Promise<Record<string, string | null | undefined>> | Record<string, string | null | undefined>
  /** Stores several values; the driver does not rely on the batch being atomic. */
  setMany?(entries: Record<string, string>): Promise<void> | void
  /** Removes several values; missing keys are fine. */
  removeMany?(keys: string[]): Promise<void> | void
}

/**
 * Runs a store call that may be synchronous, asynchronous or throwing, as a promise.
 *
 * @example
 * ```ts
 * const value = await callStore(() => store.getItem('jwt-sync:app:head')) // MMKV answers at once, AsyncStorage later
 * ```
 */
export const callStore = <A>(call: () => Promise<A> | A): Promise<A> => {
  try {
    return Promise.resolve(call())
  } catch (error) {
    return Promise.reject(error)
  }
}

/** How many keys one batch call reads or writes at most (AsyncStorage on Android binds them as SQL parameters). */
const BATCH = 64

/**
 * Reads `keys` with `getMany` where the store offers it (in batches), else one `getItem` each.
 *
 * @example
 * ```ts
 * const values = await readKeys(store, ['a', 'b']) // ['1', null]
 * ```
 */
export const readKeys = async (store: KeyValueStore, keys: readonly string[]): Promise<(string | null)[]> => {
  const values: (string | null)[] = []
  if (store.getMany !== undefined) {
    for (let i = 0; i < keys.length; i += BATCH) {
      const chunk = keys.slice(i, i + BATCH)
      const found = await callStore(() => store.getMany!(chunk))
      for (const key of chunk) values.push(found[key] ?? null)
    }
    return values
  }
  for (const key of keys) values.push((await callStore(() => store.getItem(key))) ?? null)
  return values
}

/**
 * Writes entries in order: with `setMany` in batches where offered, else one `setItem` each. A
 * crash may leave any subset written; callers write only keys nobody reads until a later,
 * single `setItem` publishes them.
 *
 * @example
 * ```ts
 * await writeKeys(store, [['a', '1'], ['b', '2']])
 * ```
 */
export const writeKeys = async (store: KeyValueStore, entries: readonly (readonly [string, string])[]): Promise<void> => {
  if (store.setMany !== undefined) {
    for (let i = 0; i < entries.length; i += BATCH) {
      const chunk = Object.fromEntries(entries.slice(i, i + BATCH))
      await callStore(() => store.setMany!(chunk))
    }
    return
  }
  for (const [key, value] of entries) await callStore(() => store.setItem(key, value))
}

/**
 * Removes keys: with `removeMany` in batches where offered, else one `removeItem` each, last key
 * first. Missing keys are fine.
 *
 * @example
 * ```ts
 * await removeKeys(store, ['a', 'b'])
 * ```
 */
export const removeKeys = async (store: KeyValueStore, keys: readonly string[]): Promise<void> => {
  const reversed = [...keys].reverse()
  if (store.removeMany !== undefined) {
    for (let i = 0; i < reversed.length; i += BATCH) {
      const chunk = reversed.slice(i, i + BATCH)
      await callStore(() => store.removeMany!(chunk))
    }
    return
  }
  for (const key of reversed) await callStore(() => store.removeItem(key))
}
