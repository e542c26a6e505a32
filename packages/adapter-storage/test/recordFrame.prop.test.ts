import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { encodeFrame, scanFrames } from '../src/recordFrame.js'

const payloads = fc.array(fc.json().map((text) => Buffer.from(text, 'utf8')), { minLength: 2, maxLength: 12 })
const texts = (frames: readonly { payload: Buffer }[]): string[] => frames.map((frame) => frame.payload.toString('utf8'))

describe('record frames (pure)', () => {
  it('every frame written is read back, in order, with its version', () => {
    fc.assert(
      fc.property(payloads, fc.integer({ min: 0, max: 255 }), (list, version) => {
        const scan = scanFrames(Buffer.concat(list.map((payload) => encodeFrame(version, payload))))
        expect(scan.damaged).toBe(0)
        expect(scan.frames.map((frame) => frame.version)).toEqual(list.map(() => version))
        expect(texts(scan.frames)).toEqual(list.map((payload) => payload.toString('utf8')))
      }),
    )
  })

  it('R13: a log cut anywhere keeps every whole frame before the cut and counts nothing (a torn tail)', () => {
    fc.assert(
      fc.property(payloads, fc.double({ min: 0, max: 1, noNaN: true }), (list, where) => {
        const frames = list.map((payload) => encodeFrame(1, payload))
        const log = Buffer.concat(frames)
        const cut = Math.floor(where * log.length)
        let whole = 0
        for (let end = 0, i = 0; i < frames.length; i++) {
          end += frames[i]!.length
          if (end <= cut) whole = i + 1
        }
        const scan = scanFrames(log.subarray(0, cut))
        expect(scan.damaged).toBe(0)
        expect(texts(scan.frames)).toEqual(list.slice(0, whole).map((payload) => payload.toString('utf8')))
        expect(scan.intactEnd).toBe(frames.slice(0, whole).reduce((sum, frame) => sum + frame.length, 0))
      }),
    )
  })

  it('one damaged byte in a frame costs that frame only: the frames around it are read back', () => {
    fc.assert(
      fc.property(
        payloads,
        fc.nat(),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (list, whichFrame, whichByte, mask) => {
          const frames = list.map((payload) => encodeFrame(1, payload))
          // A frame in the middle: damage at the very end is indistinguishable from a torn tail.
          const victim = whichFrame % (frames.length - 1)
          const start = frames.slice(0, victim).reduce((sum, frame) => sum + frame.length, 0)
          const log = Buffer.concat(frames)
          const at = start + (whichByte % frames[victim]!.length)
          log[at] = log[at]! ^ mask
          const scan = scanFrames(log)
          expect(scan.damaged).toBe(1)
          expect(texts(scan.frames)).toEqual(list.filter((_, i) => i !== victim).map((payload) => payload.toString('utf8')))
        },
      ),
    )
  })
})
