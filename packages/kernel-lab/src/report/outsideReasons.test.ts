import { describe, expect, it } from 'vitest'
import { outsideReason } from './outsideReasons'

describe('outsideReason', () => {
  it('gives the warm FORWARD walk its L3 text only where the entries outgrow one CPU’s L3 share', () => {
    const at10k = outsideReason('packet-forward', 'legacy', [{ size: 10_000, unit: 'ns', passes: [1, 2] }])
    const at50k = outsideReason('packet-forward', 'legacy', [{ size: 50_000, unit: 'ns', passes: [1, 2] }])
    expect(at10k).toMatch(/^run-to-run noise/)
    expect(at50k).toMatch(/^at 50k the warm walk reads 24.4 MB/)
  })

  it('quotes the run’s own passes, in pass order and in the point’s unit', () => {
    const text = outsideReason('packet-nat-first', 'legacy', [
      { size: 30_000, unit: 'ns', passes: [885_698, 296_447, 421_106, 228_453] },
      { size: 40_000, unit: 's', passes: [0.00095, 0.0012] },
    ])
    expect(text).toContain(
      'This run’s passes, in order: 30,000: 886 µs / 296 µs / 421 µs / 228 µs; 40,000: 950 µs / 1.20 ms.',
    )
    expect(text).toContain('ipt.llcMissBytes')
  })

  it('falls back to the experiment’s reason, then to the generic one', () => {
    expect(outsideReason('packet-nat-first', 'nft', [])).toMatch(/^each point is the difference/)
    expect(outsideReason('restore-full', 'legacy')).toMatch(/^run-to-run noise/)
  })
})
