import type { AuthenticationError } from '../jwt/errorCodes.js'
import type { AuthenticationListener } from '../model/authenticationListener.js'

type Registered = { readonly call: (error: AuthenticationError) => void; readonly seen: Set<string> }

/**
 * The authentication listeners (R15): several may be registered, each gets each error once, a
 * throwing listener harms nobody, and a late listener receives the errors still unresolved (no
 * usable token since, per identifier).
 */
export const createAuthListeners = (onListenerThrew: (error: unknown) => void) => {
  const listeners = new Set<Registered>()
  const unresolved = new Map<string, { error: AuthenticationError; key: string }[]>()

  const deliverTo = (listener: Registered, error: AuthenticationError, key: string): void => {
    if (listener.seen.has(key)) return
    listener.seen.add(key)
    try {
      listener.call(error)
    } catch (thrown) {
      onListenerThrew(thrown)
    }
  }

  return {
    deliver(error: AuthenticationError, key: string): void {
      const identifier = error.details.identifier ?? ''
      const list = unresolved.get(identifier) ?? []
      if (!list.some((entry) => entry.key === key)) list.push({ error, key })
      unresolved.set(identifier, list)
      for (const listener of [...listeners]) deliverTo(listener, error, key)
    },
    resolve(identifier: string): void {
      unresolved.delete(identifier)
    },
    register(listener: AuthenticationListener): () => void {
      const call = typeof listener === 'function' ? listener : (error: AuthenticationError) => listener.onError(error)
      const registered: Registered = { call, seen: new Set() }
      listeners.add(registered)
      for (const entries of [...unresolved.values()]) for (const { error, key } of entries) deliverTo(registered, error, key)
      return () => {
        listeners.delete(registered)
      }
    },
  }
}
