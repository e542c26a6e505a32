/**
 * Listeners of one kind (problems, state changes): each is called in turn, and one that throws
 * harms neither the others nor the SDK.
 *
 * @example
 * ```ts
 * const problems = createListenerSet<SdkProblem>((error) => logger.error('problem listener threw', { error: String(error) }))
 * const remove = problems.add((problem) => console.warn(problem))
 * problems.notify({ type: 'CORRUPT_RECORDS', skipped: 1 })
 * ```
 */
export const createListenerSet = <T>(onListenerThrew: (error: unknown) => void) => {
  const listeners = new Set<(value: T) => void>()
  return {
    add(listener: (value: T) => void): () => void {
      listeners.add(listener)
      return () => {
        listeners.delete(listener)
      }
    },
    notify(value: T): void {
      for (const listener of [...listeners]) {
        try {
          listener(value)
        } catch (error) {
          onListenerThrew(error)
        }
      }
    },
    get size(): number {
      return listeners.size
    },
  }
}
