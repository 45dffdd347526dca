import { ipToU32, parsePacket } from '@dataplane-sim/cluster'
import { describe, expect, it } from 'vitest'
import { smallCluster, withApiService } from '../../test/fixtures'
import { ctEntry } from '../cilium/_testing'
import { TUPLE_F_SERVICE } from '../cilium/constants'
import { ctList } from '../cilium/dump/ctList'
import { buildEbpfNode } from './buildEbpfNode'

describe('node map dumps', () => {
  it("prints a service packet's CT entry as cilium bpf ct list global does", () => {
    const node = buildEbpfNode(withApiService(smallCluster()), 'a', { bpfLbSock: false, seed: 3 })
    const t = node.classify(parsePacket('tcp 10.244.0.10:40000 -> 10.96.0.10:80'))
    node.advance(5)
    const dnat = t.dnat as { ip: string; port: number }
    const backend = node.maps.backends.peek(2)
    expect(backend && backend.addr === ipToU32(dnat.ip) && backend.port === dnat.port).toBe(true)
    const line =
      'TCP OUT 10.244.0.10:40000 -> 10.96.0.10:80 service expires=60 (remaining: 55 sec(s)) Packets=1 Bytes=0 ' +
      'RxFlagsSeen=0x00 LastRxReport=0 TxFlagsSeen=0x00 LastTxReport=0 Flags=0x0000 [ ] RevNAT=1 ' +
      'SourceSecurityID=257 IfIndex=0 BackendID=2'
    const dump = node.dump('cilium_ct4_global')
    expect(dump.split('\n')).toContain(line)
    // the same line the cilium/dump formatter prints for the struct Cilium would hold
    const tuple = {
      saddr: ipToU32('10.244.0.10'),
      sport: 40000,
      daddr: ipToU32('10.96.0.10'),
      dport: 80,
      nexthdr: 6,
      flags: TUPLE_F_SERVICE,
    }
    const entry = ctEntry(60, { rxBytes: 2, txBytes: 0, txFlagsSeen: 0, revNatIndex: 1, srcSecId: 257 })
    expect(ctList([{ entries: () => [[tuple, entry]] }], 5)).toBe(`${line}\n`)
  })

  it('prints the closing and seen-non-SYN state of an egress entry in its Flags', () => {
    const node = buildEbpfNode(withApiService(smallCluster()), 'a', { bpfLbSock: false, seed: 3 })
    const syn = parsePacket('tcp 10.244.0.10:40001 -> 1.1.1.1:443')
    node.classify(syn)
    node.classify({ ...syn, tcpFlags: ['ACK'] })
    node.classify({ ...syn, tcpFlags: ['FIN', 'ACK'] })
    expect(node.dump('cilium_ct4_global')).toMatch(
      /^TCP OUT 10\.244\.0\.10:40001 -> 1\.1\.1\.1:443 expires=\d+ \(remaining: \d+ sec\(s\)\) Packets=3 .* Flags=0x0012 \[ TxClosing SeenNonSyn \] RevNAT=0 SourceSecurityID=257 IfIndex=0 BackendID=0$/m,
    )
  })

  it('prints SNAT entries as cilium bpf nat list does, egress then its reverse', () => {
    const node = buildEbpfNode(withApiService(smallCluster()), 'a', { bpfLbSock: false, seed: 3 })
    node.classify(parsePacket('tcp 10.244.0.10:40001 -> 1.1.1.1:443'))
    node.advance(5)
    const lines = node.dump('cilium_snat_v4_external').trimEnd().split('\n')
    expect(lines[0]).toBe('# cilium_snat_v4_external')
    expect(lines[1]).toMatch(
      /^TCP OUT 10\.244\.0\.10:40001 -> 1\.1\.1\.1:443 XLATE_SRC 172\.18\.0\.2:(\d+) Created=5sec ago NeedsCT=1$/,
    )
    const port = lines[1].split(':').at(-1)?.split(' ')[0]
    expect(lines[2]).toBe(
      `TCP IN 1.1.1.1:443 -> 172.18.0.2:${port} XLATE_DST 10.244.0.10:40001 Created=5sec ago NeedsCT=1`,
    )
  })

  it('keeps the map names and their order', () => {
    const node = buildEbpfNode(withApiService(smallCluster()), 'a')
    const names = [...node.dump().matchAll(/^# (\S+)$/gm)].map((m) => m[1])
    expect(names).toEqual([
      'cilium_lb4_services_v2',
      'cilium_lb4_reverse_nat',
      'cilium_lb4_source_range',
      'cilium_ipcache',
      'cilium_lxc',
      'cilium_policy',
      'cilium_ct4_global',
      'cilium_ct_any4_global',
      'cilium_snat_v4_external',
    ])
  })
})
