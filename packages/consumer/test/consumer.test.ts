// The public packages as an outside project gets them: built, packed as `pnpm publish` packs them,
// linted (publint, attw), installed with npm into a fresh project in the system's temp folder, and
// there run in Node (ESM and require), type-checked, bundled for a browser and run in Chromium
// against a reference server started from the installed CLI.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as t from 'io-ts'
import * as E from 'fp-ts/lib/Either.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { describeFailure, outsideWorkspaceEnv, runCommand } from '../src/childProcess.js'
import { lintTarball } from '../src/lintTarball.js'
import { buildPackages, packPackages, type PackedPackage } from '../src/packTarballs.js'
import { listPublicPackages } from '../src/workspacePackages.js'
import { installFreshProject, type FreshProject } from './support/freshProject.js'
import { readmeExampleForNode } from './support/readmeExample.js'
import { startServe, type ServeProcess } from './support/serveProcess.js'
import { runInChromium } from './support/browserPage.js'
import { bundledModules } from './support/bundledModules.js'
import { formatBudget, measureBudgets } from '../../../scripts/sizeBudgets.mjs'
import { typeCheck } from './support/typeCheck.js'

const workspaceRoot = fileURLToPath(new URL('../../../', import.meta.url))
const readme = readFileSync(join(workspaceRoot, 'README.md'), 'utf8')

/** A script with nothing left to do must end by itself within this; the flow itself takes about a second. */
const EXIT_DEADLINE_MS = 15_000

const started = Date.now()
const step = (message: string): void => console.log(`[consumer ${((Date.now() - started) / 1000).toFixed(1)} s] ${message}`)

const ItemsAnswerCodec = t.type({ items: t.array(t.type({ identifier: t.union([t.string, t.null]), item: t.type({ name: t.string }) })) })

/** What the reference server stored for the app, as [identifier, event name] pairs. */
const storedItems = async (serverUrl: string, appId: string): Promise<readonly (readonly [string | null, string])[]> => {
  const answer = ItemsAnswerCodec.decode(await (await fetch(`${serverUrl}/admin/apps/${encodeURIComponent(appId)}/items`)).json())
  if (E.isLeft(answer)) throw new Error('GET /admin/apps/{appId}/items answered an unexpected shape')
  return answer.right.items.map((record) => [record.identifier, record.item.name] as const)
}

const ExportsCodec = t.record(t.string, t.union([t.string, t.record(t.string, t.string)]))
const ManifestExportsCodec = t.type({ exports: ExportsCodec })
type Exports = t.TypeOf<typeof ExportsCodec>

const readExports = (manifestPath: string): Exports => {
  const manifest = ManifestExportsCodec.decode(JSON.parse(readFileSync(manifestPath, 'utf8')))
  if (E.isLeft(manifest)) throw new Error(`${manifestPath}: no exports map`)
  return manifest.right.exports
}

/** The exports map as installed from the tarball. */
const installedExports = (name: string): Exports => readExports(join(project.directory, 'node_modules', ...name.split('/'), 'package.json'))

/** Every module entry point of the installed packages (`@jwt-sync/core`, `@jwt-sync/adapter-storage/web`, ...); file exports such as the bridge's `./bundle` are not modules. */
const moduleEntryPoints = (): readonly string[] =>
  packed.flatMap((pkg) =>
    Object.entries(installedExports(pkg.name))
      .filter(([, target]) => typeof target !== 'string')
      .map(([subpath]) => (subpath === '.' ? pkg.name : `${pkg.name}/${subpath.slice(2)}`)),
  )

const scratch = mkdtempSync(join(tmpdir(), 'jwt-sync-tarballs-'))
let packed: readonly PackedPackage[] = []
let project: FreshProject
let server: ServeProcess
let appServer: Server | undefined
let example: ReturnType<typeof readmeExampleForNode>

const jwtSync = (args: readonly string[], timeoutMs = 30_000) =>
  runCommand(project.bin('jwt-sync'), args, { cwd: project.directory, timeoutMs, env: outsideWorkspaceEnv() })

const issueToken = async (identifier: string): Promise<string> => {
  const issued = await jwtSync(['token', '--identifier', identifier, '--private-key', 'keys/private.pem'])
  if (issued.code !== 0) throw new Error(describeFailure('jwt-sync token', issued))
  return issued.stdout.trim()
}

beforeAll(async () => {
  const packages = listPublicPackages(workspaceRoot)
  step(`building ${packages.length} public packages`)
  await buildPackages(workspaceRoot, packages)
  step('packing them with pnpm pack')
  packed = await packPackages(packages, scratch)
  step('npm install of the tarballs into a fresh project outside the workspace')
  project = await installFreshProject(packed, workspaceRoot)
  step(`installed in ${(project.installMs / 1000).toFixed(1)} s at ${project.directory}`)
  example = readmeExampleForNode(readme, { serverUrl: 'http://placeholder', appServerUrl: 'http://placeholder', storageDirectory: '/placeholder' })
  const keys = await jwtSync(['token', '--identifier', example.identifier, '--save-keys', 'keys'])
  if (keys.code !== 0) throw new Error(describeFailure('jwt-sync token --save-keys', keys))
  step('starting jwt-sync serve from the installed CLI')
  server = await startServe(project.bin('jwt-sync'), project.directory, ['--app', example.appId, '--key', 'keys/public.pem'])
  step(`reference server at ${server.url}`)
}, 420_000)

afterAll(async () => {
  await server?.stop()
  await new Promise<void>((resolveClose) => (appServer === undefined ? resolveClose() : appServer.close(() => resolveClose())))
  rmSync(scratch, { recursive: true, force: true })
  if (project !== undefined) rmSync(project.directory, { recursive: true, force: true })
  step('done')
})

describe('the public packages, as an outside project installs them', () => {
  it('publint and attw have nothing to report on any tarball', async () => {
    step('publint and attw on every tarball')
    expect(packed.map((pkg) => pkg.name)).toEqual(expect.arrayContaining(['@jwt-sync/core', '@jwt-sync/cli', '@jwt-sync/adapter-storage']))
    const findings: string[] = []
    for (const pkg of packed) for (const finding of await lintTarball(pkg)) findings.push(`${pkg.name}: ${finding}`)
    expect(findings).toEqual([])
    for (const pkg of packed) {
      expect(pkg.files, pkg.name).toContain('LICENSE')
      expect(pkg.files.filter((file) => file.startsWith('src/')), `${pkg.name} ships only its build`).toEqual([])
    }
  }, 180_000)

  it('each installed package exports what its workspace manifest exports, less the workspace-only source condition', () => {
    // publishConfig.exports repeats the exports map; a subpath added to one and not the other would be missing from npm.
    for (const pkg of listPublicPackages(workspaceRoot)) {
      const withoutSource = Object.fromEntries(
        Object.entries(readExports(join(pkg.directory, 'package.json'))).map(([subpath, target]) => [
          subpath,
          typeof target === 'string' ? target : Object.fromEntries(Object.entries(target).filter(([condition]) => condition !== 'source')),
        ]),
      )
      expect(installedExports(pkg.name), pkg.name).toEqual(withoutSource)
    }
  })

  it('the lint finds what is wrong in a broken package (it can fail)', async () => {
    const directory = join(scratch, 'broken-fixture')
    mkdirSync(directory, { recursive: true })
    writeFileSync(join(directory, 'index.js'), 'export const answer = 42\n')
    writeFileSync(join(directory, 'index.d.ts'), 'export declare const answer: number\n')
    writeFileSync(join(directory, 'extra.js'), 'export const extra = 1\n')
    // types after import (publint), and a subpath without types (attw).
    const manifest = { name: 'broken-fixture', version: '1.0.0', type: 'module', exports: { '.': { import: './index.js', types: './index.d.ts' }, './extra': './extra.js' } }
    writeFileSync(join(directory, 'package.json'), JSON.stringify(manifest))
    const [fixture] = await packPackages([{ name: 'broken-fixture', version: '1.0.0', directory }], scratch)
    const findings = await lintTarball(fixture!)
    expect(findings.some((finding) => finding.startsWith('publint'))).toBe(true)
    expect(findings.some((finding) => finding.startsWith('attw') && finding.includes('./extra'))).toBe(true)
  }, 60_000)

  it('the README example runs in Node ESM against the installed CLI\'s server, delivers, and exits on its own without shutdown', async () => {
    step('README example in Node (no shutdown call)')
    const tokenRequests: string[] = []
    appServer = createServer((request, response) => {
      const user = new URL(request.url ?? '/', 'http://app.invalid').searchParams.get('user') ?? ''
      tokenRequests.push(user)
      void issueToken(user).then(
        (token) => response.writeHead(200, { 'content-type': 'text/plain' }).end(token),
        () => response.writeHead(500).end(),
      )
    })
    await new Promise<void>((resolveListen) => appServer!.listen(0, '127.0.0.1', resolveListen))
    const appServerUrl = `http://127.0.0.1:${(appServer.address() as AddressInfo).port}`
    example = readmeExampleForNode(readme, { serverUrl: server.url, appServerUrl, storageDirectory: join(project.directory, 'queue') })
    const script = join(project.directory, 'readme-example.mjs')
    writeFileSync(script, example.script)
    const token = await issueToken(example.identifier)

    const run = await runCommand(process.execPath, [script], { cwd: project.directory, timeoutMs: EXIT_DEADLINE_MS, env: { ...outsideWorkspaceEnv(), JWT_FROM_MY_SERVER: token } })
    step(`README example ${run.timedOut ? `still running after ${run.durationMs} ms (killed)` : `exited with ${run.code} after ${run.durationMs} ms`}; token endpoint asked ${tokenRequests.length} time(s)`)

    expect(run.stderr, 'the example threw').not.toMatch(/Error/)
    const stored = await storedItems(server.url, example.appId)
    expect(stored.filter(([identifier]) => identifier === example.identifier).map(([, name]) => name)).toEqual(example.trackedNames)
    expect(run.timedOut, `the process was still running ${EXIT_DEADLINE_MS} ms after it started: something keeps Node alive after flush() and logout()`).toBe(false)
    expect(run.code).toBe(0)
  }, 60_000)

  it('require() loads every entry point (ESM only, loaded by require(esm) on Node >= 20.19)', async () => {
    step('require() of every entry point from a .cjs file')
    const entryPoints = moduleEntryPoints()
    expect(entryPoints).toEqual(expect.arrayContaining(['@jwt-sync/core', '@jwt-sync/adapter-storage/web', '@jwt-sync/cli']))
    writeFileSync(
      join(project.directory, 'require-check.cjs'),
      `const loaded = {}\nfor (const id of ${JSON.stringify(entryPoints)}) loaded[id] = Object.keys(require(id))\nconsole.log(JSON.stringify(loaded))\n`,
    )
    const run = await runCommand(process.execPath, ['require-check.cjs'], { cwd: project.directory, timeoutMs: 30_000, env: outsideWorkspaceEnv() })
    expect(run.code, describeFailure('node require-check.cjs', run)).toBe(0)
    const loaded = JSON.parse(run.stdout) as Record<string, string[]>
    expect(loaded['@jwt-sync/core']).toContain('createSdk')
    expect(loaded['@jwt-sync/adapter-storage/web']).toContain('createWebStorage')
    for (const id of entryPoints) expect(loaded[id]?.length, id).toBeGreaterThan(0)
  }, 60_000)

  it('type-checks for consumers under moduleResolution node16, bundler and nodenext (require), and node10 for the web subpath', async () => {
    const typescriptBlock = /```ts\n([\s\S]*?)```/.exec(readme.slice(readme.indexOf('## Integrate it')))?.[1] ?? ''
    writeFileSync(join(project.directory, 'readme-example.ts'), `declare const jwtFromMyServer: string\n${typescriptBlock}\nexport {}\n`)
    const entryPoints = moduleEntryPoints()
    writeFileSync(
      join(project.directory, 'entry-points.ts'),
      `${entryPoints.map((id, index) => `import * as entry${index} from '${id}'`).join('\n')}\nexport const entryPoints = [${entryPoints.map((_, index) => `entry${index}`).join(', ')}]\n`,
    )
    writeFileSync(join(project.directory, 'require-consumer.cts'), "import core = require('@jwt-sync/core')\nexport const create: typeof core.createSdk = core.createSdk\n")
    writeFileSync(
      join(project.directory, 'web-node10.ts'),
      "import { createWebStorage } from '@jwt-sync/adapter-storage/web'\nimport { createSdk } from '@jwt-sync/core'\nexport const parts = [createWebStorage, createSdk]\n",
    )
    const tsc7 = join(workspaceRoot, 'node_modules', 'typescript', 'bin', 'tsc')
    // TypeScript 7 no longer has moduleResolution node10; projects that still use it are on 5.x.
    const tsc5 = join(workspaceRoot, 'packages', 'consumer', 'node_modules', 'typescript-5', 'bin', 'tsc')
    const setups = [
      { name: 'node16', compiler: tsc7, compilerOptions: { module: 'node16', moduleResolution: 'node16' }, files: ['readme-example.ts', 'entry-points.ts'] },
      { name: 'bundler', compiler: tsc7, compilerOptions: { module: 'esnext', moduleResolution: 'bundler' }, files: ['readme-example.ts', 'entry-points.ts'] },
      { name: 'nodenext-require', compiler: tsc7, compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext' }, files: ['require-consumer.cts'] },
      // What node10 needs from us is that the subpath resolves at all (typesVersions); the .d.ts contents are checked above.
      { name: 'node10', compiler: tsc5, compilerOptions: { module: 'commonjs', moduleResolution: 'node10', skipLibCheck: true }, files: ['web-node10.ts'] },
    ]
    for (const setup of setups) {
      step(`tsc, ${setup.name}`)
      const result = await typeCheck(project.directory, setup)
      expect(`${result.stdout}${result.stderr}`, `tsc ${setup.name}`).toBe('')
      expect(result.code, `tsc ${setup.name}`).toBe(0)
    }
  }, 180_000)

  it('a browser page bundled from the tarballs (web storage, fetch transport) delivers from Chromium to the server', async () => {
    step('browser page: esbuild bundle from the tarballs, Chromium')
    const identifier = 'browser-user'
    const token = await issueToken(identifier)
    const entry = join(project.directory, 'page.mjs')
    writeFileSync(
      entry,
      `import { createSdk } from '@jwt-sync/core'
import { createFetchTransport } from '@jwt-sync/adapter-fetch'
import { createWebStorage } from '@jwt-sync/adapter-storage/web'

globalThis.runScenario = async ({ baseUrl, appId, identifier, token }) => {
  const sdk = createSdk(
    { appId, baseUrl, environment: 'live', networkConfig: { authorizationConfig: { isJwtEnabled: true } } },
    { transport: createFetchTransport(), storage: createWebStorage() },
  )
  sdk.identify(identifier)
  sdk.passAuthenticationDetails({ identifier, token })
  for (const page of ['home', 'cart', 'checkout']) sdk.track('Viewed page', { page })
  return JSON.parse(JSON.stringify(await sdk.flush()))
}
`,
    )
    const report = await runInChromium(project.directory, entry, 'runScenario', { baseUrl: server.url, appId: example.appId, identifier, token })
    step(`flush() in the page: ${JSON.stringify(report)}`)
    const stored = await storedItems(server.url, example.appId)
    expect(stored.filter(([who]) => who === identifier)).toEqual([
      [identifier, 'Viewed page'],
      [identifier, 'Viewed page'],
      [identifier, 'Viewed page'],
    ])
  }, 120_000)

  it('bundlers get ES modules only: a page bundled from the tarballs holds no CommonJS module, so unused code is shaken out', async () => {
    step('bundle formats: every module in a browser bundle of core, fetch and web storage')
    const entry = join(project.directory, 'shaken.mjs')
    writeFileSync(
      entry,
      `import { createSdk } from '@jwt-sync/core'
import { createFetchTransport } from '@jwt-sync/adapter-fetch'
import { createWebStorage } from '@jwt-sync/adapter-storage/web'
import { isLeft } from '@jwt-sync/core/either'
const sdk = createSdk(
  { appId: 'shaken', baseUrl: 'https://ingest.example.com', environment: 'live', networkConfig: { authorizationConfig: { isJwtEnabled: true } } },
  { transport: createFetchTransport(), storage: createWebStorage() },
)
if (isLeft(sdk.track('Opened'))) throw new Error('track')
`,
    )
    const modules = await bundledModules(project.directory, entry)
    expect(modules.some((module) => module.path.includes('@jwt-sync/core/dist/'))).toBe(true)
    expect(modules.filter((module) => module.format === 'cjs').map((module) => module.path)).toEqual([])
  }, 60_000)

  it('size budgets (.size-limit.json): bundles built from the tarballs stay within every enforced limit', async () => {
    step('size budgets of .size-limit.json, bundled from the installed tarballs')
    const results = await measureBudgets(join(workspaceRoot, '.size-limit.json'), { resolveDir: project.directory })
    for (const result of results) step(formatBudget(result))
    expect(results.filter((result) => result.gzipBytes > result.limitBytes).map(formatBudget)).toEqual([])
    expect(results.flatMap((result) => result.commonJsModules)).toEqual([])
  }, 60_000)

  it('the size check fails a bundle over its limit (it can fail)', async () => {
    const tooSmall = join(project.directory, 'too-small.size-limit.json')
    writeFileSync(tooSmall, JSON.stringify([{ name: 'core in 1 KB', import: { '@jwt-sync/core': '{ createSdk }' }, limit: '1 KB' }]))
    const [result] = await measureBudgets(tooSmall, { resolveDir: project.directory })
    expect(result?.gzipBytes).toBeGreaterThan(result?.limitBytes ?? Number.POSITIVE_INFINITY)
  }, 60_000)

  it('the jwt-sync bin: npx jwt-sync --version and --help; serve --db without better-sqlite3 says how to get it; npm i -g', async () => {
    step('npx jwt-sync --version, --help, serve --db')
    const cli = packed.find((pkg) => pkg.name === '@jwt-sync/cli')
    // --no: fail rather than fetch a package of that name from the registry; -- ends npx's own options.
    const npx = await runCommand('npx', ['--no', '--', 'jwt-sync', '--version'], { cwd: project.directory, timeoutMs: 60_000, env: outsideWorkspaceEnv() })
    expect(npx.code, describeFailure('npx jwt-sync --version', npx)).toBe(0)
    expect(npx.stdout.trim()).toBe(cli?.version)
    expect((await jwtSync(['-v'])).stdout.trim()).toBe(cli?.version)
    const help = await jwtSync(['--help'])
    expect(help.code).toBe(0)
    expect(help.stdout).toContain('Usage: jwt-sync <command>')

    const bin = join(project.directory, 'node_modules', '@jwt-sync', 'cli', 'dist', 'bin.js')
    expect(readFileSync(bin, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true)
    expect(statSync(bin).mode & 0o111).not.toBe(0)

    // Installing the CLI compiled nothing: better-sqlite3 is an optional peer.
    expect(existsSync(join(project.directory, 'node_modules', 'better-sqlite3'))).toBe(false)
    const withDb = await jwtSync(['serve', '--port', '0', '--db', 'items.db'])
    expect(withDb.code).toBe(1)
    expect(withDb.stderr.trim()).toBe('jwt-sync serve: --db needs better-sqlite3, an optional dependency that is not installed: npm i better-sqlite3@12')

    step('npm i -g of the tarballs into a private prefix')
    // All tarballs at once: the CLI's @jwt-sync dependencies are not on the registry yet.
    const prefix = join(scratch, 'global')
    const global = await runCommand('npm', ['install', '--global', '--prefix', prefix, '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', ...packed.map((pkg) => pkg.tarball)], {
      cwd: scratch,
      timeoutMs: 240_000,
      env: outsideWorkspaceEnv(),
    })
    expect(global.code, describeFailure('npm i -g', global)).toBe(0)
    const globalVersion = await runCommand(join(prefix, 'bin', 'jwt-sync'), ['--version'], { cwd: scratch, timeoutMs: 30_000, env: outsideWorkspaceEnv() })
    expect(globalVersion.stdout.trim()).toBe(cli?.version)
  }, 300_000)
})
