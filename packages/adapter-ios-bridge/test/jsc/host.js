// A protocol-only host for the `jsc` shell (JavaScriptCore), standing in for an iOS app.
//   jsc host.js -- <bundle.js> '<params json>'
// It poisons every non-ECMAScript global the shell offers (and the usual web/Node ones) so that
// any use by the bundle throws and is recorded, loads the bundle, checks that it added exactly one
// global, then drives the SDK through the JSON channel only. Time is virtual: the host keeps the
// bundle's timers and fires them by advancing its own clock (every message carries `now`).
// It prints one JSON line per event; the vitest test reads them.
;(function (args) {
  'use strict'
  var bundlePath = args[0]
  var params = JSON.parse(args[1] || '{}')
  // The shell's own facilities are the host's, not the bundle's: keep private references.
  var out = print
  var loadScript = load
  var yieldToEngine = setTimeout // the host may use the shell's timers to let promise jobs run
  var emit = function (record) { out(JSON.stringify(record)) }

  var POISONED = ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate', 'queueMicrotask',
    'fetch', 'XMLHttpRequest', 'TextEncoder', 'TextDecoder', 'atob', 'btoa', 'crypto', 'console', 'AbortController',
    'AbortSignal', 'structuredClone', 'performance', 'process', 'require', 'Buffer', 'window', 'self', 'navigator',
    'print', 'load', 'read', 'readFile', 'quit', 'gc', 'WebSocket', 'Event', 'EventTarget', 'URL']
  var touched = []
  var before = Object.getOwnPropertyNames(globalThis)
  POISONED.forEach(function (name) {
    Object.defineProperty(globalThis, name, {
      configurable: true,
      get: function () { touched.push(name); throw new Error('the bundle touched the global ' + name) },
      set: function () { touched.push(name + '='); throw new Error('the bundle assigned the global ' + name) },
    })
  })
  var loadError = null
  try { loadScript(bundlePath) } catch (e) { loadError = String(e) }
  var after = Object.getOwnPropertyNames(globalThis)
  var added = after.filter(function (n) { return before.indexOf(n) < 0 && POISONED.indexOf(n) < 0 })
  emit({ event: 'loaded', added: added, touched: touched.slice(), loadError: loadError })
  if (loadError !== null) return

  // ---- the host side of the protocol ----
  var now = Date.UTC(2026, 10, 28, 0, 0, 0)
  var timers = {} // timerId -> due (virtual ms)
  var answers = {} // call id -> answer message
  var httpQueue = [] // http requests waiting for the scenario to answer them
  var storage = {} // namespace -> { items: [], dead: [], state: {} }
  var nextCall = 1
  var bridge = JwtSyncBridge.create(function (json) {
    var m = JSON.parse(json)
    if (m.kind === 'setTimer') timers[m.timerId] = now + m.ms
    else if (m.kind === 'clearTimer') delete timers[m.timerId]
    else if (m.kind === 'result' || m.kind === 'error') { if (m.id !== null) answers[m.id] = m; emit({ event: 'answer', message: m }) }
    else if (m.kind === 'http') { httpQueue.push(m); emit({ event: 'http', id: m.id, request: m.request }) }
    else if (m.kind === 'storage') answerStorage(m)
    else emit({ event: m.kind, message: m })
  })
  var send = function (message) { message.now = now; bridge.receive(JSON.stringify(message)) }

  function namespaceOf(name) {
    if (!storage[name]) storage[name] = { items: [], dead: [], state: {} }
    return storage[name]
  }
  // Storage the host keeps (a real app writes files; the C host does).
  function answerStorage(m) {
    var ns = namespaceOf(m.namespace), value = null
    if (m.op === 'load') {
      var pending = {}
      ns.items.forEach(function (item) { pending[item.identity] = (pending[item.identity] || 0) + 1 })
      value = { pendingByIdentity: pending, deadLetterCount: ns.dead.length, state: ns.state, skippedRecords: 0 }
    } else if (m.op === 'peek') {
      value = ns.items.filter(function (item) { return item.identity === m.identity }).slice(0, m.limit)
    } else if (m.op === 'commit') {
      var w = m.write, removed = {}
      ;(w.append || []).forEach(function (item) { ns.items.push(item) })
      if (w.remove) ns.items = ns.items.filter(function (item) { return w.remove.indexOf(item.id) < 0 })
      ;(w.removeIdentities || []).forEach(function (identity) {
        removed[identity] = ns.items.filter(function (item) { return item.identity === identity }).length
        ns.items = ns.items.filter(function (item) { return item.identity !== identity })
      })
      ;(w.deadLetters || []).forEach(function (letter) { ns.dead.push(letter) })
      Object.keys(w.state || {}).forEach(function (key) { if (w.state[key] === null) delete ns.state[key]; else ns.state[key] = w.state[key] })
      value = { removedByIdentity: removed }
    } else if (m.op === 'readDeadLetters') {
      value = ns.dead.slice(0, m.limit)
    }
    // Answered asynchronously, as a native host on another queue would.
    yieldToEngine(function () { send({ v: 1, kind: 'storageResult', id: m.id, value: value }) }, 0)
  }

  var tick = function () { return new Promise(function (resolve) { yieldToEngine(resolve, 0) }) }
  async function settle() { for (var i = 0; i < 20; i++) await tick() }
  async function call(kind, fields) {
    var id = 'c' + nextCall++
    var message = { v: 1, kind: kind, id: id }
    Object.keys(fields || {}).forEach(function (k) { message[k] = fields[k] })
    send(message)
    for (var i = 0; i < 200 && !answers[id]; i++) await tick()
    return answers[id] || null
  }
  // Moves virtual time forward, firing due timers in order (each through a timerFired message).
  async function advance(ms) {
    var until = now + ms
    await settle() // the host's own pending answers go out before time jumps
    for (;;) {
      var due = Object.keys(timers).filter(function (id) { return timers[id] <= until })
      if (due.length === 0) break
      due.sort(function (a, b) { return timers[a] - timers[b] })
      var id = due[0]
      now = Math.max(now, timers[id])
      delete timers[id]
      send({ v: 1, kind: 'timerFired', timerId: id })
      await settle()
    }
    now = until
    await settle()
  }
  async function answerHttp(status, body) {
    for (var i = 0; i < 50 && httpQueue.length === 0; i++) await tick()
    var request = httpQueue.shift()
    if (!request) { emit({ event: 'no-http-request' }); return null }
    send({ v: 1, kind: 'httpResponse', id: request.id, response: { status: status, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) } })
    await settle()
    return request
  }
  function raw(text) { bridge.receive(text) }

  // R20: one SDK run that tracks an item and flushes it, the host answering its requests with
  // `statuses` in turn. Returns what each http message said about compression (null: nothing).
  async function compressionRun(appId, capabilities, compression, statuses) {
    var networkConfig = { authorizationConfig: { isJwtEnabled: false } }
    if (compression !== undefined) networkConfig.compression = compression
    var fields = { config: { appId: appId, baseUrl: 'http://ingest.invalid', environment: 'test', networkConfig: networkConfig } }
    if (capabilities !== undefined) fields.capabilities = capabilities
    httpQueue.length = 0
    var init = await call('initialize', fields)
    await call('track', { name: 'compressible' })
    var flush = call('flush')
    var sent = []
    for (var i = 0; i < statuses.length; i++) {
      var body = statuses[i] === 200 ? { accepted: 1, duplicates: 0 } : { error: { type: 'VALIDATION', message: 'Content-Encoding gzip is not supported' } }
      var request = await answerHttp(statuses[i], body)
      sent.push(request === null ? 'no request' : request.request.compressBody === undefined ? null : request.request.compressBody)
    }
    var report = await flush
    await call('shutdown')
    return { initialize: init && init.kind, compressBody: sent, delivered: report && report.value ? report.value.delivered : null }
  }

  async function scenario() {
    var config = {
      appId: 'jsc-app', baseUrl: 'http://ingest.invalid', environment: 'test',
      networkConfig: { authorizationConfig: { isJwtEnabled: true } }, periodicFlushMs: 60000, timeoutMs: 10000,
    }
    // Malformed input is refused with an error answer and changes nothing.
    raw('{not json'); raw('[]'); raw('{"v":7,"kind":"flush","id":"x1"}'); raw('{"v":1,"kind":"teleport","id":"x2"}')
    raw('{"v":1,"kind":"track","id":"x3","name":42}')
    await settle()
    emit({ event: 'step', name: 'initialize', answer: await call('initialize', { config: config }) })
    await settle()
    emit({ event: 'step', name: 'track-anonymous', answer: await call('track', { name: 'app_opened', attributes: { cold: true } }) })
    var flush = call('flush')
    var first = await answerHttp(200, { accepted: 1, duplicates: 0 })
    emit({ event: 'step', name: 'flush-anonymous', answer: await flush, authorization: first && first.request.headers.Authorization || null })

    emit({ event: 'step', name: 'identify', answer: await call('identify', { identifier: params.identifier }) })
    emit({ event: 'step', name: 'token', answer: await call('passAuthenticationDetails', { token: params.token, identifier: params.identifier }) })
    emit({ event: 'step', name: 'track-user', answer: await call('track', { name: 'added_to_cart', attributes: { sku: 'A1' } }) })
    flush = call('flush')
    var second = await answerHttp(401, { error: { type: 'JWT', code: 'INVALID_SIGNATURE', numericCode: 4003, message: 'signature does not verify' } })
    emit({ event: 'step', name: 'flush-user-401', answer: await flush, authorization: second && second.request.headers.Authorization || null })

    // Timers: nothing is sent until the host fires the periodic flush timer.
    await call('logout').then(function (a) { emit({ event: 'step', name: 'logout', answer: a }) })
    emit({ event: 'step', name: 'track-after-logout', answer: await call('track', { name: 'browsed' }) })
    var queuedBefore = httpQueue.length
    await advance(61000)
    emit({ event: 'step', name: 'periodic-flush', httpRequestsBefore: queuedBefore, httpRequestsAfter: httpQueue.length })
    // That request is never answered: the bridge's own host timer (timeoutMs 10 s + 5 s grace) turns
    // it into a transient timeout, and the core retries the same frozen batch after its backoff (<= 2 s).
    await advance(10000 + 5000 + 2001)
    var state = await call('getState')
    emit({ event: 'step', name: 'after-unanswered-request', answer: state,
      requests: httpQueue.map(function (m) { return { id: m.id, idempotencyKey: m.request.headers['Idempotency-Key'] } }) })
    raw('{"v":1,"kind":"httpResponse","id":"h999","response":{"status":200,"headers":{},"body":""}}')
    await settle()
    emit({ event: 'step', name: 'shutdown', answer: await call('shutdown') })

    // R20: compression asked of the host only when it declared it can gzip and the core allows it.
    emit({ event: 'step', name: 'gzip-capable', run: await compressionRun('jsc-gzip', { gzip: true }, undefined, [200]) })
    emit({ event: 'step', name: 'gzip-no-capabilities', run: await compressionRun('jsc-plain', undefined, undefined, [200]) })
    emit({ event: 'step', name: 'gzip-declared-false', run: await compressionRun('jsc-no-gzip', { gzip: false }, undefined, [200]) })
    emit({ event: 'step', name: 'gzip-compression-none', run: await compressionRun('jsc-gzip-none', { gzip: true }, 'none', [200]) })
    emit({ event: 'step', name: 'gzip-refused-415', run: await compressionRun('jsc-gzip-415', { gzip: true }, undefined, [415, 200]) })
    emit({ event: 'done', touched: touched.slice() })
  }
  scenario().catch(function (e) { emit({ event: 'host-error', error: String(e && e.stack || e) }) })
})(typeof arguments === 'object' ? Array.prototype.slice.call(arguments) : [])
