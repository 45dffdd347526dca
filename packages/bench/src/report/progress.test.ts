import { Writable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { createProgress } from './progress'

function stream(isTTY: boolean): { s: NodeJS.WriteStream; written: () => string } {
  let out = ''
  const w = new Writable({
    write(chunk, _enc, cb) {
      out += String(chunk)
      cb()
    },
  }) as unknown as NodeJS.WriteStream
  Object.assign(w, {
    isTTY,
    columns: 100,
    cursorTo: () => true,
    clearLine: () => true,
    moveCursor: () => true,
  })
  return { s: w, written: () => out }
}

describe('createProgress', () => {
  it('writes nothing when the stream is not a TTY', () => {
    const { s, written } = stream(false)
    const p = createProgress(3, { stream: s })
    p.tick('a')
    p.tick('b')
    p.stop()
    expect(written()).toBe('')
  })

  it('draws a bar with an ETA on a TTY', () => {
    const { s, written } = stream(true)
    const p = createProgress(2, { stream: s })
    p.tick('first step')
    p.stop()
    expect(written()).toMatch(/ETA/)
  })
})
