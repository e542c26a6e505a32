import { readFileSync } from 'node:fs'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { BRIDGE_MESSAGE_CODECS, BridgeMessageCodec } from '../src/protocol/bridgeMessages.js'
import { decodeHostMessage } from '../src/protocol/decodeHostMessage.js'
import { HOST_MESSAGE_CODECS } from '../src/protocol/hostMessages.js'

// PROTOCOL.md is what Swift and Kotlin developers read: every example in it must be a message the
// codecs accept, and every message kind must have an example.

const doc = readFileSync(new URL('../PROTOCOL.md', import.meta.url), 'utf8')
const examples = [...doc.matchAll(/```json\n([\s\S]*?)```/g)]
  .flatMap((match) => (match[1] ?? '').split('\n'))
  .filter((line) => line.trim().length > 0)
  .map((line) => JSON.parse(line) as { kind: string })

const hostKinds = new Set(Object.keys(HOST_MESSAGE_CODECS))

describe('PROTOCOL.md', () => {
  it('every example is valid protocol in its direction', () => {
    expect(examples.length).toBeGreaterThan(20)
    for (const example of examples) {
      if (hostKinds.has(example.kind)) expect(E.isRight(decodeHostMessage(JSON.stringify(example))), JSON.stringify(example)).toBe(true)
      else expect(E.isRight(BridgeMessageCodec.decode(example)), JSON.stringify(example)).toBe(true)
    }
  })

  it('every message kind in both directions has an example', () => {
    const documented = new Set(examples.map((e) => e.kind))
    for (const kind of [...hostKinds, ...Object.keys(BRIDGE_MESSAGE_CODECS)]) expect(documented.has(kind), kind).toBe(true)
    const storageOps = new Set(examples.filter((e) => e.kind === 'storage').map((e) => (e as { op?: string }).op))
    expect([...storageOps].sort()).toEqual(['close', 'commit', 'load', 'open', 'peek', 'readDeadLetters'])
  })
})
