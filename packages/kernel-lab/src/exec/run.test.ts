import { describe, expect, it } from 'vitest'
import { run, runTimed } from './run'

describe('runTimed', () => {
  it('times the command itself with the shell’s clock and keeps its output and exit code', async () => {
    const r = await runTimed(['sh', '-c', 'sleep 0.05; echo out; echo err >&2'])
    expect(r.stdout).toBe('out\n')
    expect(r.stderr).toBe('err\n')
    expect(r.code).toBe(0)
    expect(r.seconds).toBeGreaterThanOrEqual(0.04)
    expect(r.seconds).toBeLessThan(5)
  })

  it('passes stdin through and reports a failing command like run does', async () => {
    expect((await runTimed(['cat'], { input: 'abc' })).stdout).toBe('abc')
    const failed = await runTimed(['sh', '-c', 'exit 3'], { allowFail: true })
    expect(failed.code).toBe(3)
    await expect(runTimed(['sh', '-c', 'exit 3'])).rejects.toThrow(/exited 3/)
  })

  it('refuses a wrapped command that is not `ip netns exec NS ...`', async () => {
    await expect(runTimed(['true'], {}, true)).rejects.toThrow(/ip netns exec/)
    // run itself is unchanged: spawn to exit, from this process
    expect((await run(['true'])).code).toBe(0)
  })
})
