import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it, vi } from 'vitest'

// The README's library example is run as written (a copy beside this test, so the workspace packages
// resolve as they do for a user of the packages), so that it stays true.
const root = join(import.meta.dirname, '..', '..', '..')
const readme = readFileSync(join(root, 'README.md'), 'utf8')
const example = /## Library usage[\s\S]*?```ts\n([\s\S]*?)```/.exec(readme)?.[1]
const file = join(import.meta.dirname, '.readme-example.ts')
afterAll(() => rmSync(file, { force: true }))

describe('README library usage', () => {
  it('runs as written and prints what its comments say', async () => {
    expect(example, 'README has a ```ts block under "Library usage"').toBeTruthy()
    writeFileSync(file, `${example}\nexport {}\n`)
    const log = vi.spyOn(console, 'log').mockImplementation(() => {})
    try {
      await import(/* @vite-ignore */ file)
      const printed = log.mock.calls.map((c) => c.map(String).join(' ')).join('\n')
      expect(log.mock.calls[0][0]).toMatchObject({ counts: { 'ipt.rule': expect.any(Number) } })
      expect(printed).toMatch(/\[object Object\]/)
    } finally {
      log.mockRestore()
    }
  }, 300_000)
})
