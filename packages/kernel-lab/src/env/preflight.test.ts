import { describe, expect, it } from 'vitest'
import { BPF_HELPERS_HEADER, LAB_TOOLS, preflight } from './preflight'

const everything = new Set([...LAB_TOOLS.map((t) => `/usr/sbin/${t.command}`), BPF_HELPERS_HEADER])

describe('preflight', () => {
  it('passes as root with every tool present', () => {
    const p = preflight({ uid: 0, path: '/usr/sbin', exists: (f) => everything.has(f) })
    expect(p).toEqual({ ok: true, root: true, missing: [], reason: '' })
  })

  it('refuses a non-root user and says root is needed', () => {
    const p = preflight({ uid: 1000, path: '/usr/sbin', exists: (f) => everything.has(f) })
    expect(p.ok).toBe(false)
    expect(p.reason).toMatch(/needs root/)
  })

  it('names the missing tools and the Debian packages that ship them', () => {
    const p = preflight({
      uid: 0,
      path: '/usr/sbin',
      exists: (f) => everything.has(f) && !f.endsWith('/bpftool') && f !== BPF_HELPERS_HEADER,
    })
    expect(p.ok).toBe(false)
    expect(p.missing).toEqual(['bpftool', BPF_HELPERS_HEADER])
    expect(p.reason).toMatch(/apt-get install -y bpftool libbpf-dev/)
    expect(p.reason).toMatch(
      /iptables nftables bpftool iproute2 clang llvm libbpf-dev conntrack iputils-ping ipset nfacct/,
    )
  })
})
