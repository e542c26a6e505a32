// The small host shim of the React Native test: what React Native gives an app and the Hermes
// shell does not, played in memory. It runs before the app bundle, in the `hermes` binary.
//   fetch            a fake ingestion server: trusts some tokens, answers 401 with a JWT code to
//                    the others, de-duplicates items by id
//   setTimeout,      virtual timers on a virtual clock (`Date.now` follows it), fired only when
//   clearTimeout     the test advances time, so minutes pass in milliseconds
//   console          to the shell's `print`, as React Native's console goes to the device log
//   jwtSyncTestHost  the store (AsyncStorage v3 shape, in memory), the server, and the controls
//                    (advance, settle, print) the app's scenarios use
// Not given, as on React Native without polyfills: AbortController, TextEncoder, URL, crypto,
// queueMicrotask, setImmediate. Written without `class` (Hermes 0.12 refuses it).
;(function (global, params) {
  'use strict'
  var print = global.print
  var yieldToEngine = global.setTimeout // the shell's own timer: one task later, promise jobs done
  var now = params.now
  var activity = 0 // every store, fetch and timer call; unchanged across two tasks means idle

  // ---- the clock
  var timers = {}
  var nextTimer = 1
  Date.now = function () { return now }
  global.setTimeout = function (fn, ms) {
    activity++
    var id = nextTimer++
    timers[id] = { due: now + Math.max(0, Number(ms) || 0), fn: fn }
    return id
  }
  global.clearTimeout = function (id) { activity++; delete timers[id] }

  // ---- console, where React Native has one
  var line = function (level) { return function () { print('[' + level + '] ' + Array.prototype.map.call(arguments, String).join(' ')) } }
  global.console = { log: line('log'), info: line('info'), debug: line('debug'), trace: line('debug'), warn: line('warn'), error: line('error') }

  // ---- the store: AsyncStorage v3's shape, values in memory, answers one promise job later
  var data = {}
  var later = function (fn) { activity++; return Promise.resolve().then(fn) }
  var store = {
    getItem: function (key) { return later(function () { return Object.prototype.hasOwnProperty.call(data, key) ? data[key] : null }) },
    setItem: function (key, value) { return later(function () { data[key] = String(value) }) },
    removeItem: function (key) { return later(function () { delete data[key] }) },
    getMany: function (keys) { return later(function () { var out = {}; keys.forEach(function (k) { out[k] = Object.prototype.hasOwnProperty.call(data, k) ? data[k] : null }); return out }) },
    setMany: function (entries) { return later(function () { Object.keys(entries).forEach(function (k) { data[k] = String(entries[k]) }) }) },
    removeMany: function (keys) { return later(function () { keys.forEach(function (k) { delete data[k] }) }) },
    /** Everything at rest, as one text, to look for a user's traces. */
    dump: function () { return Object.keys(data).map(function (k) { return k + '=' + data[k] }).join('\n') },
    keyCount: function () { return Object.keys(data).length },
  }

  // ---- the fake ingestion server behind fetch
  var server = { requests: [], stored: {}, order: [] }
  var reply = function (status, body) {
    return { status: status, headers: { forEach: function (callback) { callback('application/json', 'Content-Type') } }, text: function () { return Promise.resolve(JSON.stringify(body)) } }
  }
  global.fetch = function (url, init) {
    activity++
    var batch = JSON.parse(init.body)
    var authorization = null
    Object.keys(init.headers).forEach(function (name) { if (name.toLowerCase() === 'authorization') authorization = init.headers[name] })
    var token = authorization === null ? null : authorization.replace(/^Bearer +/i, '')
    var seen = { url: url, batchId: batch.batchId, identity: batch.identity === null ? null : batch.identity.value, token: token, outcome: '' }
    server.requests.push(seen)
    if (batch.identity !== null && params.trustedTokens.indexOf(token) < 0) {
      seen.outcome = '401 INVALID_SIGNATURE'
      return Promise.resolve(reply(401, { error: { type: 'JWT', code: 'INVALID_SIGNATURE', numericCode: 4003, message: 'refused by the fake server' } }))
    }
    var accepted = 0, duplicates = 0
    batch.items.forEach(function (item) {
      if (server.stored[item.id]) { server.stored[item.id].times++; duplicates++; return }
      server.stored[item.id] = { name: item.name, identity: seen.identity, times: 1 }
      server.order.push(item.id)
      accepted++
    })
    seen.outcome = '200'
    return Promise.resolve(reply(200, { accepted: accepted, duplicates: duplicates }))
  }
  server.storedNames = function (identity) {
    return server.order.filter(function (id) { return server.stored[id].identity === identity }).map(function (id) { return server.stored[id].name })
  }
  server.timesReceived = function () {
    var out = {}
    server.order.forEach(function (id) { out[server.stored[id].name] = server.stored[id].times })
    return out
  }

  // ---- controls
  var settle = function () {
    return new Promise(function (resolve) {
      var idle = 0, seen = -1
      var turn = function () {
        idle = activity === seen ? idle + 1 : 0
        seen = activity
        if (idle >= 2) resolve()
        else yieldToEngine(turn, 0)
      }
      yieldToEngine(turn, 0)
    })
  }
  var advance = function (ms) {
    var until = now + ms
    var step = function () {
      return settle().then(function () {
        var next = null
        Object.keys(timers).forEach(function (id) { if (timers[id].due <= until && (next === null || timers[id].due < timers[next].due)) next = id })
        if (next === null) { now = until; return settle() }
        var timer = timers[next]
        delete timers[next]
        now = Math.max(now, timer.due)
        timer.fn()
        return step()
      })
    }
    return step()
  }
  global.jwtSyncTestHost = { params: params, store: store, server: server, settle: settle, advance: advance, print: print }
})(globalThis, JWT_SYNC_TEST_PARAMS)
