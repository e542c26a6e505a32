// vitest 5 targets Node 22 and calls Map.groupBy (Node 21+) when it prints failures; this
// machine runs Node 20. Imported by vitest.config.ts so it runs in vitest's main process.
type GroupBy = <K, T>(items: Iterable<T>, key: (item: T, index: number) => K) => Map<K, T[]>
const mapConstructor = Map as unknown as { groupBy?: GroupBy }
if (typeof mapConstructor.groupBy !== 'function') {
  mapConstructor.groupBy = <K, T>(items: Iterable<T>, key: (item: T, index: number) => K): Map<K, T[]> => {
    const groups = new Map<K, T[]>()
    let index = 0
    for (const item of items) {
      const k = key(item, index++)
      const group = groups.get(k)
      if (group === undefined) groups.set(k, [item])
      else group.push(item)
    }
    return groups
  }
}
export {}
