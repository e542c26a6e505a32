// Setup file of the mutation runs only. Stryker counts code that runs outside any test as
// "static" and then runs every test for each of its mutants (the slow path). An SDK test often
// returns while its SDK still has promise chains to finish (a commit, a listener call); without
// this hook that work would land between tests. Letting it finish before the test ends gives it
// to the test that started it: Stryker's own afterEach, registered first, runs after this one.
import { afterEach } from 'vitest'

afterEach(async () => {
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve))
})
