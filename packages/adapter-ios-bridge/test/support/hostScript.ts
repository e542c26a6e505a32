import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { clientValidToken } from './testTokens.js'

/**
 * The engine-agnostic host (`test/host/protocolHost.js`) put together with a bundle into one
 * script an engine can run: a few engine-specific lines give the host `print` and `defer`, then
 * the host poisons the non-ECMAScript globals, evaluates the bundle and runs the scenarios.
 */

/** What an engine offers the host: an expression for `{ engine, print, defer }`. */
export type EnginePrelude = { readonly engine: string; readonly environment: string }

/**
 * Shells with `print` and a `setTimeout` of their own (jsc, hermes): the host keeps them privately.
 * `evalScript` names the shell's way to run a script of its own (jsc: `$262.evalScript`).
 */
export const shellPrelude = (engine: string, evalScript?: string): EnginePrelude => ({
  engine,
  environment: `{ engine: ${JSON.stringify(engine)}, print: print, defer: (function (later) { return function (fn) { later(fn, 0) } })(setTimeout)${
    evalScript === undefined ? '' : `, evalScript: ${evalScript}`
  } }`,
})

/** The jsc shell: `print`, `setTimeout`, and `$262.evalScript` for the bundle. */
export const JSC_PRELUDE = shellPrelude('JavaScriptCore', '(function (run) { return function (text) { run(text) } })($262.evalScript.bind($262))')

/** The hermes shell: `print` and `setTimeout`; the bundle goes through indirect eval. */
export const HERMES_PRELUDE = shellPrelude('Hermes')

/** The parameters every run gets: the virtual clock's start, tokens, which the server trusts. */
export type HostParams = {
  readonly now: number
  readonly tokens: Record<string, string | string[]>
  readonly trustedTokens: readonly string[]
  readonly refusalCodes: Record<string, string>
  readonly only?: readonly string[]
}

/**
 * Fresh parameters: client-valid tokens for alice, bob and carol; the server trusts some and
 * refuses the others with INVALID_SIGNATURE or, for two of bob's, TIME_CONSTRAINT_FAILURE and
 * IDENTIFIER_MISMATCH (a server may refuse what the client accepted).
 *
 * @example
 * ```ts
 * const script = composeHostScript(shellPrelude('JavaScriptCore'), bundleText, hostParams())
 * ```
 */
export const hostParams = (now = Date.now()): HostParams => {
  let n = 0
  const token = (identifier: string): string => clientValidToken(identifier, now, n++)
  const tokens = {
    aliceRefused: token('alice'),
    aliceTrusted: token('alice'),
    bobRefused: Array.from({ length: 13 }, () => token('bob')),
    bobTrusted: [token('bob'), token('bob')],
    carolTrusted: token('carol'),
    carolRefused: token('carol'),
  }
  return {
    now,
    tokens,
    trustedTokens: [tokens.aliceTrusted, ...tokens.bobTrusted, tokens.carolTrusted],
    refusalCodes: { [tokens.bobRefused[4]!]: 'TIME_CONSTRAINT_FAILURE', [tokens.bobRefused[7]!]: 'IDENTIFIER_MISMATCH' },
  }
}

/** A JS string literal of `text` that every engine parses (line and paragraph separators escaped). */
const literal = (text: string): string => JSON.stringify(text).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029')

const hostScriptPath = fileURLToPath(new URL('../host/protocolHost.js', import.meta.url))

/**
 * One script: the engine's environment, the host, then `prepare`, `load(bundle)` and `run(params)`.
 *
 * @example
 * ```ts
 * writeFileSync(file, composeHostScript(shellPrelude('Hermes'), loweredBundle, hostParams()))
 * ```
 */
export const composeHostScript = (prelude: EnginePrelude, bundleText: string, params: HostParams): string =>
  [
    '"use strict";',
    `var JwtSyncHostEnvironment = ${prelude.environment};`,
    readFileSync(hostScriptPath, 'utf8'),
    'JwtSyncProtocolHost.prepare(JwtSyncHostEnvironment);',
    `if (JwtSyncProtocolHost.load(${literal(bundleText)})) JwtSyncProtocolHost.run(${JSON.stringify(params)});`,
    '',
  ].join('\n')

/** A record the host printed. */
export type HostRecord = { readonly event: string; readonly [key: string]: unknown }

/** The JSON records among an engine's output lines. */
export const parseHostRecords = (output: string): HostRecord[] =>
  output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as HostRecord)
