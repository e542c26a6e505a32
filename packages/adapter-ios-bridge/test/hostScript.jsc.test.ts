import { buildBundle } from '../scripts/bundle.mjs'
import { composeHostScript, hostParams, JSC_PRELUDE } from './support/hostScript.js'
import { describeHostScriptRun } from './support/hostScenarioExpectations.js'
import { runInJsc } from './support/jscEngine.js'

// The engine-agnostic protocol host in JavaScriptCore (the jsc shell), on the ES2020 bundle.
describeHostScriptRun('JavaScriptCore', async () => {
  const bundle = await buildBundle()
  const run = await runInJsc(composeHostScript(JSC_PRELUDE, bundle.text, hostParams()))
  return { run, bundle: { label: 'ES2020', bytes: bundle.bytes, gzipBytes: bundle.gzipBytes } }
})
