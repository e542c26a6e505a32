// An engine-agnostic host of the bridge bundle: it speaks PROTOCOL.md and nothing else, and runs
// unchanged in JavaScriptCore (jsc shell), QuickJS (quickjs-emscripten, driven from Node) and
// Hermes (hermes-engine-cli). It plays a device: a virtual clock and the timers the bridge asks
// for, in-memory storage per namespace that outlives a bridge (so a relaunch finds its data), and
// a fake ingestion server that answers 200, 401 with JWT codes, 5xx, or never/timeout.
//
// What the engine gives (`JwtSyncHostEnvironment`, defined by a few lines before this script):
//   print(line)  one line of output (JSON records; the vitest side reads them)
//   defer(fn)    runs fn as a new task once the engine's pending promise jobs have run
//   evalScript(text)  (optional) evaluates text as a script of its own, as a native host's
//                evaluateScript does; without it the bundle goes through indirect eval, which
//                only defines globals for code that is not strict at its top level
// Then the runner calls `JwtSyncProtocolHost.prepare(env)`, `load(bundleText)` and `run(params)`.
//
// Written without `class` (Hermes 0.12 refuses it) and without anything beyond ECMAScript 2017,
// so the script itself needs no lowering. Records it prints: `loaded`, one `scenario` per
// scenario with what it observed (the assertions live in the vitest test), `done`.
var JwtSyncProtocolHost = (function () {
  'use strict'

  // Globals an engine may offer that the bundle must not use: a touch throws and is recorded.
  var POISONED = ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate', 'queueMicrotask',
    'fetch', 'XMLHttpRequest', 'TextEncoder', 'TextDecoder', 'atob', 'btoa', 'crypto', 'console', 'AbortController',
    'AbortSignal', 'structuredClone', 'performance', 'process', 'require', 'Buffer', 'window', 'self', 'navigator',
    'print', 'load', 'read', 'readFile', 'quit', 'gc', 'WebSocket', 'Event', 'EventTarget', 'URL', 'HermesInternal',
    'JwtSyncHostEnvironment', '$262', '__jwtSyncHostPrint', '__jwtSyncHostDefer', '__jwtSyncHostEvalScript']

  var env = null
  var touched = []
  var globalsBefore = []
  var emit = function (record) { env.print(JSON.stringify(record)) }
  var copy = function (value) { return value === undefined ? undefined : JSON.parse(JSON.stringify(value)) }

  /** Keeps the engine's facilities privately, then poisons every non-ECMAScript global. */
  function prepare(environment) {
    env = { engine: String(environment.engine), print: environment.print, defer: environment.defer, evalScript: environment.evalScript }
    globalsBefore = Object.getOwnPropertyNames(globalThis)
    POISONED.forEach(function (name) {
      var descriptor = Object.getOwnPropertyDescriptor(globalThis, name)
      if (descriptor !== undefined && descriptor.configurable === false) return // nothing an engine lets us replace
      Object.defineProperty(globalThis, name, {
        configurable: true,
        get: function () { touched.push(name); throw new Error('the bundle touched the global ' + name) },
        set: function () { touched.push(name + '='); throw new Error('the bundle assigned the global ' + name) },
      })
    })
  }

  /** Evaluates the bundle as global code (a native host's evaluateScript) and records what it added. */
  function load(bundleText) {
    var loadError = null
    try {
      if (typeof env.evalScript === 'function') env.evalScript(bundleText)
      else (0, eval)(bundleText)
    } catch (e) { loadError = String(e) }
    var added = Object.getOwnPropertyNames(globalThis).filter(function (n) { return globalsBefore.indexOf(n) < 0 && POISONED.indexOf(n) < 0 })
    emit({ event: 'loaded', engine: env.engine, added: added, touched: touched.slice(), loadError: loadError })
    return loadError === null
  }

  // ---------------------------------------------------------------- a device and its server

  /** The fake ingestion server: trusts some tokens, refuses the rest with a JWT code, de-duplicates by item id. */
  function createIngestionServer(trustedTokens, refusalCodes) {
    var server = {
      requests: [], // every request seen: { batchId, identity, itemIds, token, outcome }
      stored: {}, // item id -> { name, identity, times }
      storedOrder: [],
      plan: [], // outcomes for the next requests: 'unavailable' (503), 'never' (no answer), 'timeout' (httpFailure), 'lostAnswer' (stored, answer lost)
    }
    var NUMERIC = { DECRYPTION_FAILED: 4000, HEADER_TYPE_INCOMPATIBLE: 4001, PAYLOAD_CONTENT_MISSING: 4002, INVALID_SIGNATURE: 4003,
      IDENTIFIER_MISMATCH: 4004, TOKEN_NOT_AVAILABLE: 4005, TIME_CONSTRAINT_FAILURE: 4010 }
    var json = function (status, body) { return { response: { status: status, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) } } }
    var store = function (batch) {
      var accepted = 0, duplicates = 0
      batch.items.forEach(function (item) {
        var known = server.stored[item.id]
        if (known) { known.times++; duplicates++; return }
        server.stored[item.id] = { name: item.name, identity: batch.identity === null ? null : batch.identity.value, times: 1 }
        server.storedOrder.push(item.id)
        accepted++
      })
      return { accepted: accepted, duplicates: duplicates }
    }
    /** The answer to one `http` request: `{ response }`, `{ failure }` or null (never answered). */
    server.handle = function (request) {
      var batch = JSON.parse(request.body)
      var authorization = null
      Object.keys(request.headers).forEach(function (name) { if (name.toLowerCase() === 'authorization') authorization = request.headers[name] })
      var token = authorization === null ? null : authorization.replace(/^Bearer +/i, '')
      var seen = { batchId: batch.batchId, idempotencyKey: request.headers['Idempotency-Key'], identity: batch.identity === null ? null : batch.identity.value,
        itemIds: batch.items.map(function (item) { return item.id }), token: token, outcome: null }
      server.requests.push(seen)
      var planned = server.plan.shift()
      if (planned === 'unavailable') { seen.outcome = '503'; return json(503, { error: { type: 'UNAVAILABLE', message: 'try later' } }) }
      if (planned === 'never') { seen.outcome = 'never'; return null }
      if (planned === 'timeout') { seen.outcome = 'timeout'; return { failure: { kind: 'timeout', message: 'The request timed out.' } } }
      if (batch.identity !== null && (token === null || trustedTokens.indexOf(token) < 0)) {
        var code = token === null ? 'TOKEN_NOT_AVAILABLE' : refusalCodes[token] || 'INVALID_SIGNATURE'
        seen.outcome = '401 ' + code
        return json(401, { error: { type: 'JWT', code: code, numericCode: NUMERIC[code], message: 'refused by the fake server' } })
      }
      var counts = store(batch)
      if (planned === 'lostAnswer') { seen.outcome = 'lostAnswer'; return null }
      seen.outcome = '200'
      return json(200, counts)
    }
    server.storedNames = function (identity) {
      return server.storedOrder.filter(function (id) { return server.stored[id].identity === identity }).map(function (id) { return server.stored[id].name })
    }
    /** How many times each item (by name) reached the server; stored once however often it came. */
    server.timesStored = function () {
      var times = {}
      server.storedOrder.forEach(function (id) { times[server.stored[id].name] = server.stored[id].times })
      return times
    }
    return server
  }

  /** A device: the host's clock, its storage (kept across bridges: a relaunch) and the server. */
  function createDevice(params) {
    return { now: params.now, namespaces: {}, server: createIngestionServer(params.trustedTokens, params.refusalCodes || {}) }
  }

  // ---------------------------------------------------------------- storage, as PROTOCOL.md says

  function namespaceOf(device, name) {
    if (!device.namespaces[name]) device.namespaces[name] = { items: [], dead: [], state: {} }
    return device.namespaces[name]
  }

  /** Applies one storage request; items and state are stored verbatim (copied, as through a file). */
  function applyStorage(device, m) {
    var ns = namespaceOf(device, m.namespace)
    switch (m.op) {
      case 'open':
      case 'close':
        return null
      case 'load': {
        var pending = {}
        ns.items.forEach(function (item) { pending[item.identity] = (pending[item.identity] || 0) + 1 })
        return { pendingByIdentity: pending, deadLetterCount: ns.dead.length, state: copy(ns.state), skippedRecords: 0 }
      }
      case 'peek':
        return copy(ns.items.filter(function (item) { return item.identity === m.identity }).slice(0, m.limit))
      case 'commit': {
        var w = m.write, removed = {}
        ;(w.append || []).forEach(function (item) { ns.items.push(copy(item)) })
        if (w.remove) ns.items = ns.items.filter(function (item) { return w.remove.indexOf(item.id) < 0 })
        ;(w.removeIdentities || []).forEach(function (identity) {
          removed[identity] = ns.items.filter(function (item) { return item.identity === identity }).length
          ns.items = ns.items.filter(function (item) { return item.identity !== identity })
        })
        ;(w.deadLetters || []).forEach(function (letter) { ns.dead.push(copy(letter)) })
        Object.keys(w.state || {}).forEach(function (key) { if (w.state[key] === null) delete ns.state[key]; else ns.state[key] = copy(w.state[key]) })
        return { removedByIdentity: removed }
      }
      case 'readDeadLetters':
        return copy(ns.dead.slice(0, m.limit))
      default:
        return undefined
    }
  }

  // ---------------------------------------------------------------- one bridge on a device

  var channels = []

  /**
   * Creates a bridge on `device`. Every JS -> host message is checked against the protocol's
   * envelope and logged; answers to the bridge's requests go back in a later task, as a native
   * host's would from another queue.
   */
  function connect(device, label) {
    var channel = { device: device, label: label, alive: true, log: [], violations: [], timers: {}, answers: {}, inbox: [], unanswered: [], nextCall: 1, bridge: null }
    var onMessage = function (json) {
      if (!channel.alive) return // a crashed app's bridge: nothing reaches the host any more
      var m
      try { m = JSON.parse(json) } catch (e) { channel.violations.push('not JSON: ' + json); return }
      if (m === null || typeof m !== 'object' || m.v !== 1 || typeof m.kind !== 'string') { channel.violations.push('bad envelope: ' + json); return }
      channel.log.push(m)
      switch (m.kind) {
        case 'setTimer':
          if (typeof m.timerId !== 'string' || typeof m.ms !== 'number' || m.ms < 0 || Math.floor(m.ms) !== m.ms) channel.violations.push('bad setTimer: ' + json)
          channel.timers[m.timerId] = device.now + m.ms
          break
        case 'clearTimer':
          delete channel.timers[m.timerId]
          break
        case 'result':
        case 'error':
          if (m.id !== null) {
            if (channel.answers[m.id]) channel.violations.push('second answer to ' + m.id)
            channel.answers[m.id] = m
          }
          break
        case 'storage': {
          var value = applyStorage(device, m)
          if (value === undefined) channel.violations.push('unknown storage op: ' + json)
          channel.inbox.push({ v: 1, kind: 'storageResult', id: m.id, value: value === undefined ? null : value })
          break
        }
        case 'http': {
          var answer = device.server.handle(m.request)
          if (answer === null) channel.unanswered.push(m.id)
          if (answer !== null && answer.response) channel.inbox.push({ v: 1, kind: 'httpResponse', id: m.id, response: answer.response })
          if (answer !== null && answer.failure) channel.inbox.push({ v: 1, kind: 'httpFailure', id: m.id, failure: answer.failure })
          break
        }
        case 'authError':
        case 'problem':
        case 'log':
          break
        default:
          channel.violations.push('unknown kind: ' + json)
      }
    }
    channel.bridge = JwtSyncBridge.create(onMessage)
    channels.push(channel)
    return channel
  }

  function send(channel, message) {
    message.now = channel.device.now
    channel.bridge.receive(JSON.stringify(message))
  }

  /** Lets the engine run until nothing moves: no queued answer, no new message, promise jobs done. */
  function settle() {
    return new Promise(function (resolve, reject) {
      var idle = 0, turns = 0, seen = -1
      var turn = function () {
        if (++turns > 20000) { reject(new Error('the bridge did not settle')); return }
        var delivered = false
        channels.forEach(function (channel) {
          if (!channel.alive) return
          while (channel.inbox.length > 0) { send(channel, channel.inbox.shift()); delivered = true }
        })
        var count = channels.reduce(function (sum, channel) { return sum + channel.log.length }, 0)
        idle = delivered || count !== seen ? 0 : idle + 1
        seen = count
        if (idle >= 2) resolve()
        else env.defer(turn)
      }
      env.defer(turn)
    })
  }

  /** Moves the device's clock forward, firing due timers in order, each through `timerFired`. */
  async function advance(device, ms) {
    var until = device.now + ms
    await settle()
    for (;;) {
      var next = null
      channels.forEach(function (channel) {
        if (!channel.alive || channel.device !== device) return
        Object.keys(channel.timers).forEach(function (id) {
          var due = channel.timers[id]
          if (due <= until && (next === null || due < next.due)) next = { channel: channel, id: id, due: due }
        })
      })
      if (next === null) break
      device.now = Math.max(device.now, next.due)
      delete next.channel.timers[next.id]
      send(next.channel, { v: 1, kind: 'timerFired', timerId: next.id })
      await settle()
    }
    device.now = until
    await settle()
  }

  /** Sends an SDK call and returns its id; its answer is `channel.answers[id]` once it came. */
  function request(channel, kind, fields) {
    var id = channel.label + '-' + channel.nextCall++
    var message = { v: 1, kind: kind, id: id }
    Object.keys(fields || {}).forEach(function (k) { message[k] = fields[k] })
    send(channel, message)
    return id
  }

  /** Sends an SDK call, lets everything settle, and returns the answer (null when none came). */
  async function call(channel, kind, fields) {
    var id = request(channel, kind, fields)
    await settle()
    return channel.answers[id] || null
  }

  var valueOf = function (answer) { return answer === null ? null : answer.kind === 'result' ? answer.value : { error: answer.error.code } }
  var requestsSince = function (device, from) { return device.server.requests.slice(from) }
  var outcomes = function (list) { return list.map(function (r) { return r.outcome }) }
  var authErrors = function (channel) { return channel.log.filter(function (m) { return m.kind === 'authError' }).map(function (m) { return m.error }) }
  var initialize = function (channel, appId, extra) {
    var config = { appId: appId, baseUrl: 'https://ingest.example.test', environment: 'test', networkConfig: { authorizationConfig: { isJwtEnabled: true } } }
    Object.keys(extra || {}).forEach(function (k) { config[k] = extra[k] })
    return call(channel, 'initialize', { config: config, options: { httpGraceMs: 5000 } })
  }
  /** Drops a bridge as a killed app would: no shutdown, its timers gone, its messages ignored. */
  var crash = function (channel) { channel.alive = false; channel.timers = {} }

  // ---------------------------------------------------------------- scenarios

  /** S1 / R7: a refused token is not used again, whatever flushes or timers come, until a new one arrives. */
  async function scenarioS1(params) {
    var device = createDevice(params)
    var app = connect(device, 's1')
    var t = params.tokens
    var observed = { initialize: (await initialize(app, 'host-s1')).kind }
    await call(app, 'identify', { identifier: 'alice' })
    observed.badTokenAccepted = valueOf(await call(app, 'passAuthenticationDetails', { token: t.aliceRefused, identifier: 'alice' }))
    await call(app, 'track', { name: 'added_to_cart', attributes: { sku: 'A1', price: 9.5 } })
    var from = device.server.requests.length
    observed.firstFlush = valueOf(await call(app, 'flush'))
    observed.firstFlushRequests = outcomes(requestsSince(device, from))
    var errors = authErrors(app)
    observed.authErrors = errors.map(function (e) { return { source: e.source, code: e.details.code, numericCode: e.details.numericCode, identifier: e.details.identifier, isTheRefusedToken: e.details.token === t.aliceRefused } })
    from = device.server.requests.length
    observed.secondFlush = valueOf(await call(app, 'flush'))
    await advance(device, 3 * 60000) // three periodic flushes fire through host timers
    observed.requestsWhileRefused = outcomes(requestsSince(device, from))
    var waiting = valueOf(await call(app, 'getState'))
    observed.whileRefused = { sync: waiting.chart.sync, auth: waiting.chart.auth, pendingCount: waiting.pendingCount, consecutiveAuthFailures: waiting.consecutiveAuthFailures }
    observed.sameTokenAgain = valueOf(await call(app, 'passAuthenticationDetails', { token: t.aliceRefused, identifier: 'alice' }))
    from = device.server.requests.length
    observed.newToken = valueOf(await call(app, 'passAuthenticationDetails', { token: t.aliceTrusted, identifier: 'alice' }))
    observed.requestsAfterNewToken = outcomes(requestsSince(device, from))
    var after = valueOf(await call(app, 'getState'))
    observed.after = { pendingCount: after.pendingCount, consecutiveAuthFailures: after.consecutiveAuthFailures, sync: after.chart.sync }
    observed.storedForAlice = device.server.storedNames('alice')
    observed.shutdown = valueOf(await call(app, 'shutdown'))
    observed.violations = app.violations
    return observed
  }

  /** R9 / R14: 5xx, an unanswered request and a timeout are retried on the host clock with the same frozen batch. */
  async function scenarioTransient(params) {
    var device = createDevice(params)
    var app = connect(device, 'r9')
    await initialize(app, 'host-r9', { timeoutMs: 10000 })
    await call(app, 'track', { name: 'app_opened' })
    device.server.plan = ['unavailable', 'never', 'timeout']
    var observed = { flush: valueOf(await call(app, 'flush')) }
    for (var i = 0; i < 6 && device.server.storedOrder.length === 0; i++) await advance(device, 60000)
    var requests = device.server.requests
    observed.outcomes = outcomes(requests)
    observed.sameBatchEveryTime = requests.every(function (r) { return r.batchId === requests[0].batchId && r.idempotencyKey === r.batchId })
    observed.timesStored = device.server.timesStored()
    observed.guardFired = app.log.some(function (m) { return m.kind === 'log' && JSON.stringify(m).indexOf('did not answer the HTTP request within 15000 ms') >= 0 })
    var state = valueOf(await call(app, 'getState'))
    observed.after = { pendingCount: state.pendingCount, consecutiveAuthFailures: state.consecutiveAuthFailures, retryAt: state.retryAt }
    var from = app.log.length
    send(app, { v: 1, kind: 'httpResponse', id: app.unanswered[0] || 'h-none', response: { status: 200, headers: {}, body: '' } })
    await settle()
    observed.lateAnswer = app.log.slice(from).map(function (m) { return m.kind === 'error' ? m.error.code : m.kind })
    observed.violations = app.violations
    return observed
  }

  /** S2 / R8: a success resets the count; ten refusals in a row stop all sync until the next session. */
  async function scenarioS2(params) {
    var device = createDevice(params)
    var app = connect(device, 's2')
    var t = params.tokens
    var observed = {}
    await initialize(app, 'host-s2', { inactivityTimeoutMs: 120000 })
    await call(app, 'identify', { identifier: 'bob' })
    await call(app, 'track', { name: 'viewed' })
    var refuse = async function (token) {
      await call(app, 'passAuthenticationDetails', { token: token, identifier: 'bob' })
      await call(app, 'flush')
    }
    var from = device.server.requests.length
    for (var i = 0; i < 3; i++) await refuse(t.bobRefused[i])
    observed.firstRefusals = outcomes(requestsSince(device, from))
    observed.countAfterThree = valueOf(await call(app, 'getState')).consecutiveAuthFailures
    from = device.server.requests.length
    await call(app, 'passAuthenticationDetails', { token: t.bobTrusted[0], identifier: 'bob' })
    observed.successRequests = outcomes(requestsSince(device, from))
    observed.countAfterSuccess = valueOf(await call(app, 'getState')).consecutiveAuthFailures
    await call(app, 'track', { name: 'tapped' })
    from = device.server.requests.length
    for (i = 3; i < 13; i++) await refuse(t.bobRefused[i])
    observed.tenRefusals = outcomes(requestsSince(device, from))
    var suspended = valueOf(await call(app, 'getState'))
    observed.suspended = { suspended: suspended.suspended, consecutiveAuthFailures: suspended.consecutiveAuthFailures, session: suspended.chart.session, sync: suspended.chart.sync }
    var sessionBefore = suspended.sessionId
    from = device.server.requests.length
    observed.goodTokenWhileSuspended = valueOf(await call(app, 'passAuthenticationDetails', { token: t.bobTrusted[1], identifier: 'bob' }))
    observed.flushWhileSuspended = valueOf(await call(app, 'flush'))
    await advance(device, 5 * 60000) // timers are not activity: still the same session
    observed.requestsWhileSuspended = outcomes(requestsSince(device, from))
    observed.sameSessionAfterTimers = valueOf(await call(app, 'getState')).sessionId === sessionBefore
    from = device.server.requests.length
    await call(app, 'appForeground') // activity after the inactivity timeout: the next session
    await call(app, 'track', { name: 'came_back' })
    observed.flushInNextSession = valueOf(await call(app, 'flush'))
    observed.requestsInNextSession = outcomes(requestsSince(device, from))
    var resumed = valueOf(await call(app, 'getState'))
    observed.resumed = { suspended: resumed.suspended, consecutiveAuthFailures: resumed.consecutiveAuthFailures, pendingCount: resumed.pendingCount, newSession: resumed.sessionId !== sessionBefore }
    observed.storedForBob = device.server.storedNames('bob')
    observed.serverAuthErrors = authErrors(app).filter(function (e) { return e.source === 'server' }).length
    observed.violations = app.violations
    return observed
  }

  /** Everything the namespace holds as text, to look for a user's traces. */
  var storageText = function (device, appId) { return JSON.stringify(namespaceOf(device, appId)) }

  /** S3 / R11: a logout flush refused with a JWT error deletes the user's items; nothing of them stays at rest. */
  async function scenarioS3(params) {
    var device = createDevice(params)
    var app = connect(device, 's3')
    var t = params.tokens
    var observed = {}
    await initialize(app, 'host-s3')
    await call(app, 'identify', { identifier: 'carol' })
    await call(app, 'passAuthenticationDetails', { token: t.carolTrusted, identifier: 'carol' })
    await call(app, 'track', { name: 'c0' })
    observed.firstFlush = valueOf(await call(app, 'flush'))
    await call(app, 'passAuthenticationDetails', { token: t.carolRefused, identifier: 'carol' })
    await call(app, 'track', { name: 'c1' })
    await call(app, 'setUserAttribute', { name: 'plan', value: 'pro' })
    await call(app, 'whenPersisted')
    var before = storageText(device, 'host-s3')
    observed.beforeLogout = { refusedTokenAtRest: before.indexOf(t.carolRefused) >= 0, carolItemsAtRest: namespaceOf(device, 'host-s3').items.filter(function (i) { return i.identity === 'user:carol' }).length }
    var from = device.server.requests.length
    observed.logout = valueOf(await call(app, 'logout'))
    observed.logoutRequests = outcomes(requestsSince(device, from))
    var deletion = authErrors(app).filter(function (e) { return e.details.deletedCount !== undefined })
    observed.deletion = deletion.map(function (e) { return { source: e.source, code: e.details.code, identifier: e.details.identifier, deletedCount: e.details.deletedCount } })
    await call(app, 'track', { name: 'anonymous_after_logout' })
    from = device.server.requests.length
    observed.flushAfter = valueOf(await call(app, 'flush'))
    await advance(device, 3 * 60000)
    observed.requestsAfter = outcomes(requestsSince(device, from))
    var state = valueOf(await call(app, 'getState'))
    observed.after = { identifier: state.identifier, pendingCount: state.pendingCount, loggingOut: state.loggingOut, tokenIdentifiers: Object.keys(state.tokens) }
    var after = storageText(device, 'host-s3')
    observed.atRest = {
      carolItems: namespaceOf(device, 'host-s3').items.filter(function (i) { return i.identity === 'user:carol' }).length,
      fullTokens: [t.carolTrusted, t.carolRefused].filter(function (token) { return after.indexOf(token) >= 0 }).length,
      signatures: [t.carolTrusted, t.carolRefused].filter(function (token) { return after.indexOf(token.split('.')[2]) >= 0 }).length,
    }
    observed.storedForCarol = device.server.storedNames('carol')
    observed.storedAnonymous = device.server.storedNames(null)
    observed.violations = app.violations
    return observed
  }

  /**
   * R13 / R14: apps killed without shutdown, on the same host storage. The first dies with its
   * items stored and unsent; the second sends them, tracks more and dies after the server stored
   * a batch but before the answer came; the third sends that same batch again. Each item is
   * stored once; only the batch whose answer was lost is received twice, under one batch id.
   */
  async function scenarioRelaunch(params) {
    var device = createDevice(params)
    var appId = 'host-relaunch'
    var observed = {}
    var first = connect(device, 'rl1')
    await initialize(first, appId)
    await call(first, 'track', { name: 'r1' })
    await call(first, 'track', { name: 'r2' })
    await call(first, 'setUserAttribute', { name: 'theme', value: 'dark' })
    await call(first, 'whenPersisted')
    crash(first)
    observed.pendingAtRestAfterFirst = namespaceOf(device, appId).items.length
    device.now += 5000
    var second = connect(device, 'rl2')
    await initialize(second, appId)
    observed.secondStart = outcomes(device.server.requests)
    await call(second, 'track', { name: 'r4' })
    await call(second, 'track', { name: 'r5' })
    await call(second, 'whenPersisted')
    device.server.plan = ['lostAnswer']
    request(second, 'flush')
    await settle()
    crash(second)
    observed.pendingAtRestAfterSecond = namespaceOf(device, appId).items.length
    device.now += 5000
    var third = connect(device, 'rl3')
    await initialize(third, appId)
    observed.thirdFlush = valueOf(await call(third, 'flush'))
    var requests = device.server.requests
    observed.outcomes = outcomes(requests)
    observed.lostBatchResentAsItWas = requests.length === 3 && requests[2].batchId === requests[1].batchId && requests[2].itemIds.join() === requests[1].itemIds.join()
    observed.stored = device.server.storedNames(null)
    observed.timesReceived = device.server.timesStored()
    observed.pendingAtRest = namespaceOf(device, appId).items.length
    var state = valueOf(await call(third, 'getState'))
    observed.after = { pendingCount: state.pendingCount, deadLetterCount: state.deadLetterCount }
    observed.violations = first.violations.concat(second.violations, third.violations)
    return observed
  }

  /** R17: every malformed or unexpected message gets exactly one error answer and changes nothing. */
  async function scenarioMalformed(params) {
    var device = createDevice(params)
    var app = connect(device, 'bad')
    var inputs = [
      ['before initialize', '{"v":1,"kind":"track","id":"b1","name":"early"}'],
      ['not JSON', '{not json'],
      ['an array', '[]'],
      ['null', 'null'],
      ['no version', '{"kind":"flush","id":"b2"}'],
      ['version 2', '{"v":2,"kind":"flush","id":"b3"}'],
      ['unknown kind', '{"v":1,"kind":"teleport","id":"b4"}'],
      ['name not a string', '{"v":1,"kind":"track","id":"b5","name":42}'],
      ['name missing', '{"v":1,"kind":"track","id":"b6"}'],
      ['attributes not an object', '{"v":1,"kind":"track","id":"b7","name":"x","attributes":"nope"}'],
      ['now not a number', '{"v":1,"kind":"flush","id":"b8","now":"yesterday"}'],
      ['unknown timer', '{"v":1,"kind":"timerFired","timerId":"t999"}'],
      ['unknown http answer', '{"v":1,"kind":"httpResponse","id":"h999","response":{"status":200,"headers":{},"body":""}}'],
      ['unknown storage answer', '{"v":1,"kind":"storageResult","id":"s999","value":null}'],
      ['status out of range', '{"v":1,"kind":"httpResponse","id":"h998","response":{"status":1000,"headers":{},"body":""}}'],
      ['second initialize', null],
    ]
    var answersTo = async function (text) {
      var from = app.log.length
      app.bridge.receive(text)
      await settle()
      return app.log.slice(from)
    }
    var observed = { answers: [] }
    var stateBefore = null
    for (var i = 0; i < inputs.length; i++) {
      var label = inputs[i][0]
      if (label === 'not JSON') {
        await initialize(app, 'host-malformed')
        await call(app, 'identify', { identifier: 'dave' })
        await call(app, 'track', { name: 'kept' })
        await call(app, 'whenPersisted')
        stateBefore = valueOf(await call(app, 'getState'))
      }
      var text = inputs[i][1] !== null ? inputs[i][1] : JSON.stringify({ v: 1, kind: 'initialize', id: 'b10', config: { appId: 'again', baseUrl: 'https://x.test', environment: 'test', networkConfig: { authorizationConfig: { isJwtEnabled: true } } } })
      var messages = await answersTo(text)
      observed.answers.push({ input: label, messages: messages.length, kind: messages.length > 0 ? messages[0].kind : null, id: messages.length > 0 ? messages[0].id : undefined,
        code: messages.length > 0 && messages[0].error ? messages[0].error.code : null, field: messages.length > 0 && messages[0].error ? messages[0].error.field || null : null })
    }
    var nonString = await answersTo(42)
    observed.answers.push({ input: 'not a string', messages: nonString.length, kind: nonString.length > 0 ? nonString[0].kind : null, id: nonString.length > 0 ? nonString[0].id : undefined, code: nonString.length > 0 && nonString[0].error ? nonString[0].error.code : null, field: null })
    var stateAfter = valueOf(await call(app, 'getState'))
    observed.stateUnchanged = JSON.stringify(stateAfter) === JSON.stringify(stateBefore)
    if (!observed.stateUnchanged) observed.stateChange = { before: stateBefore, after: stateAfter }
    observed.violations = app.violations
    return observed
  }

  var SCENARIOS = [['S1', scenarioS1], ['R9', scenarioTransient], ['S2', scenarioS2], ['S3', scenarioS3], ['relaunch', scenarioRelaunch], ['malformed', scenarioMalformed]]

  /** Runs every scenario (each on a device of its own) and prints one record per scenario. */
  function run(params) {
    var chain = Promise.resolve()
    SCENARIOS.forEach(function (entry) {
      chain = chain.then(function () {
        if (params.only && params.only.indexOf(entry[0]) < 0) return undefined
        return entry[1](params).then(
          function (observed) { emit({ event: 'scenario', name: entry[0], observed: observed }) },
          function (error) { emit({ event: 'scenario', name: entry[0], error: String(error && error.stack || error) }) },
        )
      })
    })
    return chain.then(function () { emit({ event: 'done', touched: touched.slice() }) })
  }

  return { prepare: prepare, load: load, run: run }
})()
