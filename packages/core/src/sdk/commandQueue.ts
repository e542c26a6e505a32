/**
 * Calls the app makes before the stored state is restored are kept in order and applied once it
 * is, before the sync loop makes its first decision (so a token passed right after `createSdk`
 * counts, and no TOKEN_NOT_AVAILABLE is raised for items it covers).
 *
 * @example
 * ```ts
 * const commands = createCommandQueue()
 * commands.run(() => actor.send({ type: 'IDENTIFY', identifier, at }))  // queued until release
 * commands.release(() => actor.send({ type: 'RESUME' }))
 * ```
 */
export const createCommandQueue = () => {
  const queued: (() => void)[] = []
  const readyWaiters: (() => void)[] = []
  let ready = false
  return {
    /** Runs the command now, or after the restore when it has not finished yet. */
    run(command: () => void): void {
      if (ready) command()
      else queued.push(command)
    },
    /** Applies the queued commands in order, then `resume`, then wakes whoever waits. */
    release(resume: () => void): void {
      if (ready) return
      while (queued.length > 0) queued.shift()?.()
      ready = true
      resume()
      for (const wake of readyWaiters.splice(0)) wake()
    },
    isReady: (): boolean => ready,
    whenReady: (): Promise<void> => (ready ? Promise.resolve() : new Promise((resolve) => readyWaiters.push(resolve))),
  }
}
