import { transformSync } from 'esbuild'

/**
 * The README's integration example turned into a Node ESM script for a given server.
 *
 * @example
 * ```ts
 * const example = readmeExampleForNode(readme, { serverUrl, appServerUrl, storageDirectory })
 * writeFileSync('example.mjs', example.script)
 * ```
 */
export type NodeReadmeExample = {
  /** JavaScript (types stripped), ready for `node example.mjs`; reads the token from JWT_FROM_MY_SERVER. */
  readonly script: string
  /** The `appId` of its config. */
  readonly appId: string
  /** The user it identifies. */
  readonly identifier: string
  /** The event names it tracks, in order. */
  readonly trackedNames: readonly string[]
}

/**
 * Where the example's placeholders point when it runs here.
 *
 * @example
 * ```ts
 * const target: ExampleTarget = { serverUrl: 'http://127.0.0.1:41234', appServerUrl: 'http://127.0.0.1:41235', storageDirectory: '/tmp/p/queue' }
 * ```
 */
export type ExampleTarget = {
  /** Replaces the example's `baseUrl`. */
  readonly serverUrl: string
  /** Prefixes the relative URL its tokenProvider fetches (Node's fetch needs an absolute one). */
  readonly appServerUrl: string
  /** Where createFileStorage keeps the queue (the example's comment names it for Node). */
  readonly storageDirectory: string
}

type Rewrite = { readonly what: string; readonly pattern: RegExp; readonly replacement: string; readonly optional?: boolean }

const captured = (source: string, pattern: RegExp, what: string): string => {
  const value = pattern.exec(source)?.[1]
  if (value === undefined) throw new Error(`README example: cannot find ${what} (${pattern}); update readmeExample.ts to the new example`)
  return value
}

/**
 * Reads the first ```ts block under "## Integrate it" and makes the few changes Node and this
 * machine need, each of which must apply so that a changed README fails here loudly instead of
 * running something else: the server's URL for `baseUrl`, an absolute URL for the token
 * endpoint, `createFileStorage` for `createWebStorage` (as the example's own comment says for
 * Node), and the token from the environment. A call that closes the SDK (`flushAndShutdown`,
 * `shutdown`, `close`, `closeAndFlush`) is dropped: the point is that a script which never calls one still exits.
 *
 * @example
 * ```ts
 * const example = readmeExampleForNode(readFileSync('README.md', 'utf8'), target)
 * ```
 */
export const readmeExampleForNode = (readme: string, target: ExampleTarget): NodeReadmeExample => {
  const section = readme.slice(readme.indexOf('## Integrate it'))
  const typescript = /```ts\n([\s\S]*?)```/.exec(section)?.[1]
  if (typescript === undefined) throw new Error('README has no ```ts block under "## Integrate it"')
  const rewrites: readonly Rewrite[] = [
    { what: 'baseUrl', pattern: /(baseUrl:\s*)'[^']*'/, replacement: `$1${JSON.stringify(target.serverUrl)}` },
    { what: 'the token endpoint', pattern: /fetch\(`\//, replacement: `fetch(\`${target.appServerUrl}/` },
    {
      what: 'the web storage import',
      pattern: /import \{ createWebStorage \} from '@jwt-sync\/adapter-storage\/web'.*$/m,
      replacement: "import { createFileStorage } from '@jwt-sync/adapter-storage'",
    },
    { what: 'createWebStorage()', pattern: /createWebStorage\(\)/, replacement: `createFileStorage({ directory: ${JSON.stringify(target.storageDirectory)} })` },
    { what: 'a closing call', pattern: /^.*\bsdk\.(shutdown|close|closeAndFlush|flushAndShutdown)\(.*$/gm, replacement: '', optional: true },
  ]
  let adapted = typescript
  for (const rewrite of rewrites) {
    if (!rewrite.optional && !rewrite.pattern.test(adapted)) throw new Error(`README example: ${rewrite.what} not found (${rewrite.pattern}); update readmeExample.ts to the new example`)
    rewrite.pattern.lastIndex = 0
    adapted = adapted.replace(rewrite.pattern, rewrite.replacement)
  }
  adapted = `const jwtFromMyServer = process.env.JWT_FROM_MY_SERVER\n${adapted}`
  return {
    script: transformSync(adapted, { loader: 'ts', format: 'esm', target: 'node20' }).code,
    appId: captured(typescript, /appId:\s*'([^']+)'/, 'appId'),
    identifier: captured(typescript, /\.identify\('([^']+)'\)/, 'the identified user'),
    trackedNames: [...typescript.matchAll(/\.track\('([^']+)'/g)].map((match) => match[1] ?? ''),
  }
}
