import { get, type IncomingMessage } from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import { createDemoCommand } from '../src/commands/demo.js'
import { runCli } from '../src/index.js'
import { indexStatechart, type StateNodeLike } from '../src/watch/activeStates.js'
import { createChapterGate, type ChapterGate } from '../src/watch/chapterGate.js'
import { startWatchServer, type WatchServer } from '../src/watch/server.js'
import { createWatchHub, type WatchHub } from '../src/watch/watchHub.js'
import { captureIo } from './support/captureIo.js'

const toy: StateNodeLike = { id: 'm', path: [], states: { idle: { id: 'm.idle', path: ['idle'], states: {} } } }

let server: WatchServer | null = null
afterEach(async () => {
  await server?.stop()
  server = null
})

const start = async (stepping = true): Promise<{ hub: WatchHub; gate: ChapterGate; server: WatchServer }> => {
  const hub = createWatchHub({ index: indexStatechart(toy), chart: 'stateDiagram-v2\n  state "idle" as idle\n' })
  const gate = createChapterGate({ paceMs: 0, stepping, onPause: (next, untilAt) => hub.publish({ type: 'pause', next, untilAt }), onResume: () => hub.publish({ type: 'resume' }) })
  server = await startWatchServer({ hub, gate, port: 0 })
  return { hub, gate, server }
}

/** The events of an SSE stream as parsed JSON, collected as they arrive. */
const openEvents = (url: string): Promise<{ readonly messages: { type: string }[]; readonly response: IncomingMessage; readonly until: (count: number) => Promise<void> }> =>
  new Promise((resolve, reject) => {
    get(new URL('events', url), (response) => {
      const messages: { type: string }[] = []
      let buffered = ''
      response.setEncoding('utf8')
      response.on('data', (chunk: string) => {
        buffered += chunk
        let end: number
        while ((end = buffered.indexOf('\n\n')) >= 0) {
          const block = buffered.slice(0, end)
          buffered = buffered.slice(end + 2)
          if (block.startsWith('data: ')) messages.push(JSON.parse(block.slice(6)) as { type: string })
        }
      })
      const until = async (count: number): Promise<void> => {
        const giveUp = Date.now() + 3000
        while (messages.length < count && Date.now() < giveUp) await new Promise((done) => setTimeout(done, 10))
      }
      resolve({ messages, response, until })
    }).on('error', reject)
  })

describe('watch server: the page, Mermaid from node_modules, the event stream and the controls', () => {
  it('serves the page and Mermaid\'s bundle from node_modules; anything else is 404', async () => {
    const { server } = await start()
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/)
    const page = await fetch(server.url)
    expect(page.status).toBe(200)
    expect(page.headers.get('content-type')).toContain('text/html')
    const html = await page.text()
    expect(html).toContain('<script src="/mermaid.min.js"></script>')
    expect(html).toContain("new EventSource('/events')")
    expect(html).not.toMatch(/https?:\/\//)
    const mermaid = await fetch(new URL('mermaid.min.js', server.url))
    expect(mermaid.status).toBe(200)
    expect(mermaid.headers.get('content-type')).toContain('javascript')
    expect((await mermaid.text()).length).toBeGreaterThan(1_000_000)
    expect((await fetch(new URL('secrets', server.url))).status).toBe(404)
  })

  it('a page gets the chart, the step mode and everything so far, then each message live', async () => {
    const { hub, server } = await start()
    hub.publish({ type: 'chapter', index: 1, title: 'one' })
    const stopWaiting = new AbortController()
    const viewing = server.firstViewer(stopWaiting.signal)
    const stream = await openEvents(server.url)
    expect(await viewing).toBe(true)
    await stream.until(3)
    hub.line('+00:00  app    track("App opened") → Right')
    await stream.until(4)
    expect(stream.messages.map((message) => message.type)).toEqual(['hello', 'stepping', 'chapter', 'line'])
    expect(stream.messages[0]).toMatchObject({ nodes: [{ stateId: 'm.idle', nodeId: 'm_idle' }], elementIdPattern: '^.*-state-(.+)-\\d+$' })
    expect(server.viewers()).toBe(1)
    stream.response.destroy()
  })

  it('waiting for a page ends when the command is stopped', async () => {
    const { server } = await start()
    const stop = new AbortController()
    const viewing = server.firstViewer(stop.signal)
    stop.abort()
    expect(await viewing).toBe(false)
  })

  it('"Next" ends the pause; step mode can be turned off; another site may not drive the story', async () => {
    const { hub, gate, server } = await start(true)
    let started = false
    const chapter = gate.beforeChapter({ index: 1, title: 'one' }).then(() => (started = true))
    const foreign = await fetch(new URL('next', server.url), { method: 'POST', headers: { origin: 'http://evil.example' } })
    expect(foreign.status).toBe(403)
    await new Promise((resolve) => setTimeout(resolve, 30))
    expect(started).toBe(false)
    const next = await fetch(new URL('next', server.url), { method: 'POST', headers: { origin: server.url.slice(0, -1) } })
    expect(next.status).toBe(204)
    await chapter
    expect(started).toBe(true)
    expect((await fetch(new URL('step', server.url), { method: 'POST', body: 'off' })).status).toBe(204)
    expect(gate.stepping()).toBe(false)
    expect(hub.history().map((message) => message.type)).toEqual(['pause', 'resume', 'stepping'])
  })

  it('stop ends open event streams and frees the port', async () => {
    const { server: running } = await start()
    const stream = await openEvents(running.url)
    const ended = new Promise<void>((resolve) => stream.response.on('end', () => resolve()))
    await running.stop()
    server = null
    await ended
    await expect(fetch(running.url)).rejects.toThrow()
  })
})

describe('jwt-sync demo --watch on the command line', () => {
  const demo = () => [createDemoCommand(() => ({ isTty: false, env: {} }))]

  it('--help lists --watch, --port and --step; --port and --step need --watch; a bad port is a usage error', async () => {
    const help = captureIo()
    expect(await runCli(['demo', '--help'], help.io, demo())).toBe(0)
    expect(help.out.join('\n')).toMatch(/--watch {2,}serve a page/)
    expect(help.out.join('\n')).toMatch(/--port N/)
    expect(help.out.join('\n')).toMatch(/--step/)
    for (const args of [['--port', '8080'], ['--step']]) {
      const run = captureIo()
      expect(await runCli(['demo', ...args], run.io, demo())).toBe(2)
      expect(run.err).toEqual(['jwt-sync demo: --port and --step go with --watch (see jwt-sync demo --help)'])
    }
    const badPort = captureIo()
    expect(await runCli(['demo', '--watch', '--port', '70000'], badPort.io, demo())).toBe(2)
    expect(badPort.err[0]).toMatch(/--port must be an integer from 0 to 65535/)
  })

  it('a port already taken: one line on stderr, exit 1', async () => {
    const { server: taken } = await start()
    const port = new URL(taken.url).port
    const run = captureIo()
    expect(await runCli(['demo', '--watch', '--port', port], run.io, demo())).toBe(1)
    expect(run.err).toHaveLength(1)
    expect(run.err[0]).toMatch(new RegExp(`^jwt-sync demo: cannot serve the watch page on port ${port}: .*EADDRINUSE`))
  })

  it('Ctrl+C before the page is opened: no story, exit 1, the port is freed', async () => {
    const run = captureIo()
    const exit = runCli(['demo', '--watch'], run.io, demo())
    const announced = await run.waitForLine(/^watch it live: open (\S+)/)
    run.stop()
    expect(await exit).toBe(1)
    expect(run.err).toEqual(['jwt-sync demo: stopped before the page was opened'])
    expect(run.out).toEqual([announced])
    await expect(fetch(/open (\S+)/.exec(announced)?.[1] ?? '')).rejects.toThrow()
  })

  it('Ctrl+C while the story waits for "Next": the rest runs without pauses and the command ends', async () => {
    const run = captureIo()
    const exit = runCli(['demo', '--watch', '--step'], run.io, demo())
    const announced = await run.waitForLine(/^watch it live: open (\S+)/)
    const events = await fetch(new URL('events', /open (\S+)/.exec(announced)?.[1] ?? ''))
    await run.waitForLine(/generating RSA key pairs|reference server at/, 10_000)
    run.stop()
    expect(await exit).toBe(0)
    expect(run.out.some((line) => /all \d+ checks passed/.test(line))).toBe(true)
    await events.body?.cancel()
  }, 60_000)
})
