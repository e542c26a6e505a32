import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { newQuickJSWASMModule, RELEASE_SYNC, type QuickJSHandle } from 'quickjs-emscripten'
import type { EngineRun } from './engineRun.js'

const require = createRequire(import.meta.url)

/** The QuickJS release the WebAssembly build was made from, as its package states it. */
export const quickJsVersion = (): string => {
  const wrapper = JSON.parse(readFileSync(require.resolve('quickjs-emscripten/package.json'), 'utf8')) as { version: string }
  const variantDir = dirname(createRequire(require.resolve('quickjs-emscripten/package.json')).resolve('@jitl/quickjs-wasmfile-release-sync/package.json'))
  const readme = readFileSync(join(variantDir, 'README.md'), 'utf8')
  const release = /Version \[([^\]]+)\]/.exec(readme)?.[1] ?? 'unknown release'
  return `${release} (quickjs-emscripten ${wrapper.version}, release-sync WebAssembly)`
}

/** The globals through which the Node side gives the host `print`, `defer` and `evalScript`. */
export const QUICKJS_PRELUDE = {
  engine: 'QuickJS',
  environment: '{ engine: "QuickJS", print: __jwtSyncHostPrint, defer: __jwtSyncHostDefer, evalScript: __jwtSyncHostEvalScript }',
} as const

/**
 * Runs a script in QuickJS compiled to WebAssembly, driven from Node the way an Android or
 * Flutter host drives its embedded QuickJS: evaluate, then alternate between the engine's
 * pending promise jobs and the tasks the script deferred, until neither is left.
 *
 * @example
 * ```ts
 * const run = await runInQuickJs(composeHostScript(QUICKJS_PRELUDE, bundle, hostParams()))
 * ```
 */
export const runInQuickJs = async (script: string, maxTasks = 2_000_000): Promise<EngineRun> => {
  const started = performance.now()
  const quickJs = await newQuickJSWASMModule(RELEASE_SYNC)
  const runtime = quickJs.newRuntime()
  runtime.setMemoryLimit(512 * 1024 * 1024)
  runtime.setMaxStackSize(4 * 1024 * 1024)
  const vm = runtime.newContext()
  const lines: string[] = []
  const deferred: QuickJSHandle[] = []
  const failures: string[] = []
  try {
    vm.newFunction('print', (line) => {
      lines.push(vm.getString(line))
    }).consume((print) => vm.setProp(vm.global, '__jwtSyncHostPrint', print))
    vm.newFunction('defer', (task) => {
      deferred.push(task.dup())
    }).consume((defer) => vm.setProp(vm.global, '__jwtSyncHostDefer', defer))
    // A script of its own, as JS_Eval with JS_EVAL_TYPE_GLOBAL runs it for a native host.
    vm.newFunction('evalScript', (text) => {
      const evaluated = vm.evalCode(vm.getString(text), 'jwt-sync-bridge.js')
      if (evaluated.error !== undefined) return { error: evaluated.error }
      evaluated.value.dispose()
      return undefined
    }).consume((evalScript) => vm.setProp(vm.global, '__jwtSyncHostEvalScript', evalScript))
    const evaluated = vm.evalCode(script, 'host.js')
    if (evaluated.error !== undefined) {
      failures.push(`evaluation threw: ${JSON.stringify(vm.dump(evaluated.error))}`)
      evaluated.error.dispose()
    } else {
      evaluated.value.dispose()
    }
    for (let tasks = 0; failures.length === 0; tasks++) {
      const jobs = runtime.executePendingJobs(-1)
      if (jobs.error !== undefined) {
        failures.push(`a promise job threw: ${JSON.stringify(jobs.error.context.dump(jobs.error))}`)
        jobs.error.dispose()
        break
      }
      const task = deferred.shift()
      if (task === undefined) break
      if (tasks > maxTasks) throw new Error('QuickJS: the script deferred too many tasks')
      const called = vm.callFunction(task, vm.undefined)
      task.dispose()
      if (called.error !== undefined) {
        failures.push(`a deferred task threw: ${JSON.stringify(vm.dump(called.error))}`)
        called.error.dispose()
      } else {
        called.value.dispose()
      }
    }
  } finally {
    for (const task of deferred) task.dispose()
    vm.dispose()
    runtime.dispose()
  }
  if (failures.length > 0) throw new Error(`QuickJS: ${failures.join('; ')}\n${lines.slice(-20).join('\n')}`)
  return { engine: 'QuickJS', version: quickJsVersion(), output: lines.join('\n'), milliseconds: Math.round(performance.now() - started) }
}
