/**
 * The watch page: one HTML document with its style and script inline, kept here as a string so
 * `tsc` carries it into `dist` with nothing to copy. It loads Mermaid from the watch server
 * (`/mermaid.min.js`, out of node_modules: nothing comes from the network), draws the chart it is
 * sent, and follows the Server-Sent Events at `/events`.
 *
 * Hooks for tests and people alike: every drawn state carries `data-state-id` and, while lit,
 * `data-highlight="active"` or `"left"` (left within the last `?linger=` ms, 2000 by default);
 * `<body data-paused-before="N">` while the story waits before chapter N; `data-ended` at the end.
 */

const STYLE = String.raw`
  :root { --active: #f59e0b; --active-fill: #fde68a; --left: #7c3aed; --left-fill: #ede9fe; --ok: #15803d; --bad: #b91c1c; --muted: #6b7280; }
  * { box-sizing: border-box; }
  body { margin: 0; font: 13px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #111827; background: #f8fafc; }
  header { display: flex; flex-wrap: wrap; align-items: center; gap: 12px 24px; padding: 10px 16px; background: #0f172a; color: #f8fafc; }
  header h1 { font-size: 16px; margin: 0; font-weight: 600; }
  header .chapter { font-size: 15px; font-weight: 600; color: #fde68a; }
  header .controls { display: flex; align-items: center; gap: 10px; margin-left: auto; }
  header button { font: inherit; padding: 4px 10px; border-radius: 6px; border: 1px solid #475569; background: #1e293b; color: #f8fafc; cursor: pointer; }
  header button:disabled { opacity: .4; cursor: default; }
  header .pause { color: #cbd5e1; }
  header .connection { color: var(--muted); }
  .layout { display: grid; grid-template-columns: minmax(0, 1fr) 380px; gap: 12px; padding: 12px; }
  .panel { background: #fff; border: 1px solid #e5e7eb; border-radius: 8px; padding: 8px 12px; min-width: 0; }
  .panel h2 { font-size: 12px; text-transform: uppercase; letter-spacing: .05em; color: var(--muted); margin: 0 0 6px; }
  .chart { overflow: auto; }
  .chart svg { max-width: 100%; height: auto; }
  .chart.actual-size svg { max-width: none; }
  .legend { display: flex; gap: 16px; color: var(--muted); margin-top: 6px; }
  .swatch { display: inline-block; width: 12px; height: 12px; border-radius: 3px; vertical-align: -2px; margin-right: 4px; border: 2px solid; }
  .swatch.active { background: var(--active-fill); border-color: var(--active); }
  .swatch.left { background: var(--left-fill); border-color: var(--left); border-style: dashed; }
  aside { display: flex; flex-direction: column; gap: 12px; min-width: 0; }
  ul { list-style: none; margin: 0; padding: 0; }
  .states li { font-family: ui-monospace, Menlo, Consolas, monospace; padding: 1px 0; }
  .states li.leaf { font-weight: 700; }
  dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 10px; margin: 0; }
  dt { color: var(--muted); }
  dd { margin: 0; font-family: ui-monospace, Menlo, Consolas, monospace; overflow-wrap: anywhere; }
  table { border-collapse: collapse; width: 100%; }
  td, th { text-align: left; padding: 2px 6px 2px 0; vertical-align: top; }
  th { color: var(--muted); font-weight: 500; }
  td.fingerprint { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 11px; overflow-wrap: anywhere; }
  .status-usable { color: var(--ok); font-weight: 600; }
  .status-rejected, .status-invalid, .status-expired { color: var(--bad); font-weight: 600; }
  .meter { height: 8px; background: #e5e7eb; border-radius: 4px; overflow: hidden; margin: 4px 0; }
  .meter div { height: 100%; background: var(--bad); }
  .badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-weight: 600; }
  .badge.suspended { background: #fee2e2; color: var(--bad); }
  .badge.running { background: #dcfce7; color: var(--ok); }
  .logs { display: grid; grid-template-columns: 1fr 1.3fr 1.3fr; gap: 12px; padding: 0 12px 12px; }
  .log { height: 300px; overflow: auto; font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 11.5px; }
  .log li { padding: 1px 0; border-bottom: 1px solid #f3f4f6; white-space: pre-wrap; overflow-wrap: anywhere; }
  .log .time { color: var(--muted); }
  .log .chapter-mark { color: #1d4ed8; font-weight: 700; }
  .log .event { color: var(--muted); }
  .status-200 { color: var(--ok); }
  .status-401 { color: var(--bad); }
  .status-other { color: #b45309; }
  .check-passed { color: var(--ok); }
  .check-failed { color: var(--bad); font-weight: 700; }
  .ended { padding: 6px 16px; font-weight: 700; }
  .ended.ok { background: #dcfce7; color: var(--ok); }
  .ended.failed { background: #fee2e2; color: var(--bad); }
  /* The highlights: Mermaid draws a leaf as a group holding a rect (or a path), a composite state
     as a group holding an outer and an inner rect. */
  svg g[data-highlight="active"] > rect, svg g[data-highlight="active"] > path, svg g[data-highlight="active"] > g > rect.outer {
    fill: var(--active-fill) !important; stroke: var(--active) !important; stroke-width: 4px !important; }
  svg g.statediagram-cluster[data-highlight="active"] > rect.inner { fill: #fffbeb !important; }
  svg g[data-highlight="left"] > rect, svg g[data-highlight="left"] > path, svg g[data-highlight="left"] > g > rect.outer {
    fill: var(--left-fill) !important; stroke: var(--left) !important; stroke-width: 4px !important; stroke-dasharray: 8 4; }
  svg g.statediagram-cluster[data-highlight="left"] > rect.inner { fill: #faf5ff !important; }
`

const SCRIPT = String.raw`
(function () {
  'use strict';
  var params = new URLSearchParams(location.search);
  var lingerMs = Number(params.get('linger') || 2000);
  var $ = function (id) { return document.getElementById(id); };
  var el = function (tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  };
  var clock = function (at) { var d = new Date(at); return d.toTimeString().slice(0, 8) + '.' + String(d.getMilliseconds()).padStart(3, '0'); };
  var MAX_LOG = 600;
  var addNewestFirst = function (list, item) { list.insertBefore(item, list.firstChild); while (list.children.length > MAX_LOG) list.removeChild(list.lastChild); };

  var hello = null;
  var stateOfNode = {};
  var elementsOfState = {};
  var active = [];
  var leftUntil = {};
  var chapter = 0;
  var maxFailures = null;
  var refreshTimer = null;

  function shortName(stateId) { return stateId.indexOf('.') < 0 ? stateId : stateId.slice(stateId.indexOf('.') + 1); }

  function drawChart() {
    mermaid.initialize({ startOnLoad: false, securityLevel: 'strict', theme: 'default', state: { useMaxWidth: true } });
    return mermaid.render('statechart', hello.chart).then(function (result) {
      $('chart').innerHTML = result.svg;
      var pattern = new RegExp(hello.elementIdPattern);
      var groups = $('chart').querySelectorAll('svg g[id]');
      elementsOfState = {};
      for (var i = 0; i < groups.length; i++) {
        var match = pattern.exec(groups[i].id);
        var stateId = match && stateOfNode[match[1]];
        if (!stateId) continue;
        groups[i].setAttribute('data-state-id', stateId);
        (elementsOfState[stateId] = elementsOfState[stateId] || []).push(groups[i]);
      }
      document.body.setAttribute('data-chart', 'drawn');
      refresh();
    }, function (error) {
      $('chart').textContent = 'Mermaid could not draw the chart: ' + error;
      document.body.setAttribute('data-chart', 'failed');
    });
  }

  // Which drawn states are lit: active now, or left less than lingerMs ago.
  function refresh() {
    var now = Date.now();
    var isActive = {};
    for (var i = 0; i < active.length; i++) isActive[active[i]] = true;
    var nextExpiry = Infinity;
    for (var stateId in elementsOfState) {
      var mark = isActive[stateId] ? 'active' : (leftUntil[stateId] || 0) > now ? 'left' : null;
      if (mark === 'left') nextExpiry = Math.min(nextExpiry, leftUntil[stateId]);
      var elements = elementsOfState[stateId];
      for (var j = 0; j < elements.length; j++) {
        if (mark) elements[j].setAttribute('data-highlight', mark); else elements[j].removeAttribute('data-highlight');
      }
    }
    clearTimeout(refreshTimer);
    if (nextExpiry !== Infinity) refreshTimer = setTimeout(refresh, nextExpiry - now + 20);
  }

  function showActive() {
    var list = $('active-states');
    list.textContent = '';
    for (var i = 0; i < active.length; i++) {
      var stateId = active[i];
      if (stateId === active[0] && stateId.indexOf('.') < 0) continue; // the machine itself
      var isLeaf = !active.some(function (other) { return other.indexOf(stateId + '.') === 0; });
      var item = el('li', isLeaf ? 'leaf' : '', shortName(stateId));
      item.setAttribute('data-state-id', stateId);
      list.appendChild(item);
    }
  }

  function showSdk(sdk) {
    if (!sdk) return;
    var identity = $('identity');
    identity.textContent = '';
    var rows = [
      ['identifier', sdk.identifier === null ? 'anonymous' : sdk.identifier],
      ['session', sdk.sessionId],
      ['app', sdk.foreground ? 'foreground' : 'background'],
      ['status', sdk.status],
    ];
    rows.forEach(function (row) { identity.appendChild(el('dt', '', row[0])); identity.appendChild(el('dd', '', row[1])); });
    identity.lastChild.id = 'sdk-status';
    $('identifier').textContent = rows[0][1];

    var tokens = $('tokens');
    tokens.textContent = '';
    var ids = Object.keys(sdk.tokens);
    if (ids.length === 0) { var none = el('tr'); none.appendChild(el('td', 'muted', 'no token')); tokens.appendChild(none); }
    ids.forEach(function (id) {
      var record = sdk.tokens[id];
      var row = el('tr');
      row.setAttribute('data-identifier', id);
      row.appendChild(el('td', '', id));
      row.appendChild(el('td', 'status-' + record.status, record.status));
      row.appendChild(el('td', 'fingerprint', record.token + (record.expiresAt ? '  expires ' + new Date(record.expiresAt).toISOString().slice(11, 16) + 'Z' : '')));
      tokens.appendChild(row);
    });

    $('failure-count').textContent = String(sdk.consecutiveAuthFailures) + (maxFailures ? ' of ' + maxFailures : '');
    $('failure-meter').style.width = maxFailures ? Math.min(100, (100 * sdk.consecutiveAuthFailures) / maxFailures) + '%' : '0';
    var suspended = $('suspended');
    suspended.textContent = sdk.suspended ? 'suspended until the next session' : 'not suspended';
    suspended.className = 'badge ' + (sdk.suspended ? 'suspended' : 'running');
    suspended.setAttribute('data-suspended', String(sdk.suspended));

    $('pending-count').textContent = String(sdk.pendingCount);
    $('pending-by-identity').textContent = Object.keys(sdk.pendingByIdentity).map(function (key) { return key + ': ' + sdk.pendingByIdentity[key]; }).join(', ') || 'none';
    $('dead-letter-count').textContent = String(sdk.deadLetterCount);
  }

  function onStates(message) {
    active = message.active;
    for (var i = 0; i < message.left.length; i++) leftUntil[message.left[i]] = message.at + lingerMs;
    for (var j = 0; j < message.entered.length; j++) {
      delete leftUntil[message.entered[j]];
      var item = el('li');
      item.setAttribute('data-state-id', message.entered[j]);
      item.appendChild(el('span', 'time', clock(message.at) + ' '));
      if (chapter) item.appendChild(el('span', 'chapter-mark', chapter + ' '));
      item.appendChild(document.createTextNode(shortName(message.entered[j])));
      if (message.event) item.appendChild(el('span', 'event', '  ← ' + message.event));
      addNewestFirst($('trail'), item);
    }
    refresh();
    showActive();
    showSdk(message.sdk);
  }

  var handlers = {
    hello: function (message) {
      hello = message;
      stateOfNode = {};
      message.nodes.forEach(function (node) { stateOfNode[node.nodeId] = node.stateId; });
      drawChart();
    },
    states: onStates,
    sdk: function (message) { maxFailures = message.maxConsecutiveAuthFailures; },
    stepping: function (message) { $('step').checked = message.on; },
    chapter: function (message) {
      chapter = message.index;
      $('chapter').textContent = message.index + '. ' + message.title;
      document.body.setAttribute('data-chapter', String(message.index));
    },
    line: function (message) {
      var text = message.text.replace(/^\s+/, '');
      if (!text) return;
      $('timeline').appendChild(el('li', /^\d+\. /.test(text) ? 'chapter-mark' : /^\+\S+\s+check /.test(text) ? (/ ✘ /.test(text) ? 'check-failed' : 'check-passed') : '', text));
      $('timeline').scrollTop = $('timeline').scrollHeight;
    },
    request: function (message) {
      var status = message.status === 200 ? 'status-200' : message.status === 401 ? 'status-401' : 'status-other';
      var item = el('li', status, message.text);
      addNewestFirst($('requests'), item);
      $('request-count').textContent = String($('requests').children.length);
    },
    pause: function (message) {
      document.body.setAttribute('data-paused-before', String(message.next.index));
      $('pause').textContent = 'next: ' + message.next.index + '. ' + message.next.title + (message.untilAt ? ' (in ' + Math.max(0, Math.round((message.untilAt - Date.now()) / 100) / 10) + ' s)' : ' (press Next)');
      $('next').disabled = false;
    },
    resume: function () {
      document.body.removeAttribute('data-paused-before');
      $('pause').textContent = '';
      $('next').disabled = true;
    },
    end: function (message) {
      document.body.setAttribute('data-ended', message.ok ? 'ok' : 'failed');
      var banner = $('ended');
      banner.hidden = false;
      banner.className = 'ended ' + (message.ok ? 'ok' : 'failed');
      banner.textContent = message.ok ? 'The story is over: all ' + message.passed + ' checks passed.' : 'The story is over: ' + message.failed + ' of ' + (message.passed + message.failed) + ' checks failed (see the terminal).';
      $('next').disabled = true;
    },
  };

  $('next').addEventListener('click', function () { fetch('/next', { method: 'POST' }); });
  $('step').addEventListener('change', function () { fetch('/step', { method: 'POST', body: $('step').checked ? 'on' : 'off' }); });
  $('zoom').addEventListener('click', function () {
    var actual = $('chart').classList.toggle('actual-size');
    $('zoom').textContent = actual ? 'fit to width' : 'actual size';
  });

  var source = new EventSource('/events');
  source.onopen = function () { $('connection').textContent = 'live'; };
  source.onerror = function () { $('connection').textContent = 'disconnected (the demo has stopped?)'; };
  source.onmessage = function (event) {
    var message = JSON.parse(event.data);
    var handle = handlers[message.type];
    if (handle) handle(message);
  };
})();
`

const BODY = String.raw`
<header>
  <h1>jwt-sync demo: the statechart, live</h1>
  <span class="chapter" id="chapter">waiting for the story…</span>
  <span>identity: <strong id="identifier">–</strong></span>
  <div class="controls">
    <span class="pause" id="pause"></span>
    <button id="next" disabled>Next chapter ▶</button>
    <label><input type="checkbox" id="step"> step through chapters</label>
    <button id="zoom">actual size</button>
    <span class="connection" id="connection">connecting…</span>
  </div>
</header>
<div id="ended" hidden></div>
<div class="layout">
  <section class="panel">
    <h2>Statechart (generated from the machine, as <code>jwt-sync diagram</code> prints it)</h2>
    <div class="chart" id="chart">drawing…</div>
    <div class="legend"><span><span class="swatch active"></span>active</span><span><span class="swatch left"></span>just left</span></div>
  </section>
  <aside>
    <section class="panel"><h2>Active states</h2><ul class="states" id="active-states"></ul></section>
    <section class="panel"><h2>Identity</h2><dl id="identity"></dl></section>
    <section class="panel"><h2>Tokens (fingerprints)</h2><table id="tokens"></table></section>
    <section class="panel"><h2>Auth failures this session</h2>
      <div><strong id="failure-count">0</strong> consecutive refusals</div>
      <div class="meter"><div id="failure-meter" style="width:0"></div></div>
      <span class="badge running" id="suspended" data-suspended="false">not suspended</span>
    </section>
    <section class="panel"><h2>Queue</h2>
      <dl><dt>pending</dt><dd id="pending-count">0</dd><dt>by identity</dt><dd id="pending-by-identity">none</dd><dt>dead letters</dt><dd id="dead-letter-count">0</dd></dl>
    </section>
  </aside>
</div>
<div class="logs">
  <section class="panel"><h2>State trail (newest first)</h2><ul class="log" id="trail"></ul></section>
  <section class="panel"><h2>Requests to the ingestion server (<span id="request-count">0</span>, newest first)</h2><ul class="log" id="requests"></ul></section>
  <section class="panel"><h2>Story timeline</h2><ul class="log" id="timeline"></ul></section>
</div>
`

/**
 * The whole watch page as HTML.
 *
 * @example
 * ```ts
 * response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(renderWatchPage())
 * ```
 */
export const renderWatchPage = (): string =>
  `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>jwt-sync: watch the statechart</title>
<style>${STYLE}</style>
<script src="/mermaid.min.js"></script>
</head>
<body>
${BODY}
<script>${SCRIPT}</script>
</body>
</html>
`
