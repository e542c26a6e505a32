import { buildBundle } from '../scripts/bundle.mjs'
import { composeHostScript, hostParams } from './support/hostScript.js'
import { describeHostScriptRun } from './support/hostScenarioExpectations.js'
import { QUICKJS_PRELUDE, runInQuickJs } from './support/quickJsEngine.js'

// The engine-agnostic protocol host in QuickJS (WebAssembly build, driven from Node as an
// Android/Flutter host drives its embedded QuickJS), on the same ES2020 bundle as iOS.
describeHostScriptRun('QuickJS', async () => {
  const bundle = await buildBundle()
  const run = await runInQuickJs(composeHostScript(QUICKJS_PRELUDE, bundle.text, hostParams()))
  return { run, bundle: { label: 'ES2020', bytes: bundle.bytes, gzipBytes: bundle.gzipBytes } }
})
