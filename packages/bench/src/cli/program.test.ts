import { describe, expect, it } from 'vitest'
import { buildProgram } from './program'

const names = async (argv: string[]) => (await buildProgram(argv)).commands.map((c) => c.name())

describe('buildProgram', () => {
  it('loads only the command its first word names', async () => {
    expect(await names(['lint', '--ruleset', 'x'])).toEqual(['lint'])
    expect(await names(['summary', 'c.json'])).toEqual(['summary'])
  })

  it('loads every module of a command several modules extend (render iptables and ebpf)', async () => {
    const render = (await buildProgram(['render', 'ebpf'])).commands
    expect(render.map((c) => c.name())).toEqual(['render'])
    expect(render[0]?.commands.map((c) => c.name())).toEqual(['iptables', 'ebpf'])
  })

  it('loads every command for help, no command or an unknown word, in the listed order', async () => {
    const all = await names([])
    expect(all).toEqual([
      'generate',
      'import',
      'summary',
      'calibrate',
      'lint',
      'render',
      'trace',
      'report',
      'plan',
      'bench',
    ])
    expect(await names(['--help'])).toEqual(all)
    expect(await names(['nonsense'])).toEqual(all)
  })
})
