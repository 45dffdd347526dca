import { ipToU32 } from '@dataplane-sim/cluster'
import { describe, expect, it } from 'vitest'
import { ALLOW, ctEntry } from '../_testing'
import {
  IPPROTO_TCP,
  IPPROTO_UDP,
  SVC_FLAG_NODEPORT,
  SVC_FLAG_ROUTABLE,
  TUPLE_F_IN,
  TUPLE_F_OUT,
  TUPLE_F_SERVICE,
} from '../constants'
import { createCtMap, createNatMap } from '../ctMap'
import { IpcacheMap } from '../ipcacheMap'
import { createLb4BackendsMap } from '../lbBackendsMap'
import { Lb4ServicesMap } from '../lbServicesMap'
import { PolicyMap } from '../policyMap'
import { ctList, natList, tupleString } from './ctList'
import { ipcacheList, ipcacheListJson } from './ipcacheList'
import { lbList, lbListJson, serviceFlagsString } from './lbList'
import { policyGet, portProtoString } from './policyGet'

describe('cilium bpf lb list', () => {
  it('prints each frontend with its master entry then its backends by slot', () => {
    const svc = new Lb4ServicesMap()
    const be = createLb4BackendsMap()
    be.update(1, { address: ipToU32('10.0.1.5'), port: 8080, proto: 0, flags: 0, clusterId: 0 })
    be.update(2, { address: ipToU32('10.0.2.7'), port: 8080, proto: 0, flags: 0, clusterId: 0 })
    svc.upsertService(
      { address: ipToU32('10.96.0.20'), dport: 80, proto: 0, scope: 0 },
      { revNatIndex: 3, flags: 0, flags2: 0 },
      [1, 2],
    )
    svc.upsertService(
      { address: ipToU32('192.168.1.10'), dport: 30080, proto: 0, scope: 0 },
      { revNatIndex: 4, flags: SVC_FLAG_NODEPORT | SVC_FLAG_ROUTABLE, flags2: 0 },
      [2, 9],
    )
    expect(lbList(svc, be)).toBe(
      [
        'SERVICE ADDRESS      BACKEND ADDRESS (REVNAT_ID) (SLOT)',
        '10.96.0.20:80        0.0.0.0:0 (3) (0) [ClusterIP, non-routable]',
        '                     10.0.1.5:8080 (3) (1)',
        '                     10.0.2.7:8080 (3) (2)',
        '192.168.1.10:30080   0.0.0.0:0 (4) (0) [NodePort]',
        '                     10.0.2.7:8080 (4) (1)',
        '                     backend 9 not found',
        '',
      ].join('\n'),
    )
    const json = lbListJson(svc, be)
    expect(json[0]).toMatchObject({ service: '10.96.0.20:80', revNat: 3, count: 2 })
    expect(json[1].backends[1]).toEqual({ slot: 2, backendId: 9, missing: true })
  })

  it('names flags as pkg/loadbalancer does', () => {
    expect(serviceFlagsString(SVC_FLAG_NODEPORT | SVC_FLAG_ROUTABLE | 4 | 16, 0)).toBe(
      'NodePort, Local, sessionAffinity',
    )
  })
})

describe('cilium bpf ipcache list', () => {
  it('prints prefixes with identity, key, tunnel endpoint and flags', () => {
    const c = new IpcacheMap()
    c.update({ address: 0, prefix: 0 }, { secIdentity: 2, tunnelEndpoint: 0, nodeId: 0, key: 0, flags: 0 })
    c.update(
      { address: ipToU32('10.0.1.5'), prefix: 32 },
      { secIdentity: 51234, tunnelEndpoint: 0, nodeId: 0, key: 0, flags: 0 },
    )
    expect(ipcacheList(c)).toBe(
      [
        'IP PREFIX/ADDRESS   IDENTITY',
        '0.0.0.0/0           identity=2 encryptkey=0 tunnelendpoint=0.0.0.0 flags=<none>',
        '10.0.1.5/32         identity=51234 encryptkey=0 tunnelendpoint=0.0.0.0 flags=<none>',
        '',
      ].join('\n'),
    )
    expect(ipcacheListJson(c)[1]).toMatchObject({ prefix: '10.0.1.5/32', secIdentity: 51234 })
  })
})

describe('cilium bpf policy get', () => {
  it('prints allow and deny rows with direction, labels, port/proto and LPM prefix', () => {
    const m = new PolicyMap(7)
    m.update({ identity: 0, egress: true, protocol: 0, dport: 0, portPrefixLen: 0 }, ALLOW)
    m.update(
      { identity: 1234, egress: false, protocol: IPPROTO_TCP, dport: 80, portPrefixLen: 16 },
      { ...ALLOW, packets: 3, bytes: 180 },
    )
    m.update(
      { identity: 1, egress: false, protocol: IPPROTO_UDP, dport: 0, portPrefixLen: 0 },
      { ...ALLOW, deny: true },
    )
    const labels = (id: number) =>
      id === 1 ? 'reserved:host' : id === 0 ? 'reserved:unknown' : 'k8s:app=web'
    expect(policyGet(m, { labelsOf: labels })).toBe(
      [
        'POLICY   DIRECTION   LABELS (source:key[=value])   PORT/PROTO   PROXY PORT   AUTH TYPE   BYTES   PACKETS   PREFIX',
        'Deny     Ingress     reserved:host                 ANY/UDP      NONE         disabled    0       0         48',
        'Allow    Ingress     k8s:app=web                   80/TCP       NONE         disabled    180     3         64',
        'Allow    Egress      reserved:unknown              ANY          NONE         disabled    0       0         40',
        '',
      ].join('\n'),
    )
  })

  it('prints port ranges as first-last', () => {
    expect(portProtoString({ identity: 0, egress: false, protocol: 6, dport: 8080, portPrefixLen: 12 })).toBe(
      '8080-8095/TCP',
    )
  })
})

describe('cilium bpf ct list global / nat list', () => {
  it('prints tuples with direction and service flag, then the entry', () => {
    const ct = createCtMap('any')
    const t = {
      saddr: ipToU32('10.0.1.5'),
      daddr: ipToU32('10.96.0.10'),
      sport: 40000,
      dport: 53,
      nexthdr: IPPROTO_UDP,
      flags: TUPLE_F_SERVICE,
    }
    ct.create(t, ctEntry(160, { revNatIndex: 1, rxBytes: 9, seenNonSyn: true }))
    expect(tupleString(t)).toBe('UDP OUT 10.0.1.5:40000 -> 10.96.0.10:53 service')
    expect(ctList([ct], 100)).toBe(
      'UDP OUT 10.0.1.5:40000 -> 10.96.0.10:53 service expires=160 (remaining: 60 sec(s)) Packets=1 Bytes=60 ' +
        'RxFlagsSeen=0x00 LastRxReport=0 TxFlagsSeen=0x02 LastTxReport=0 Flags=0x0010 [ SeenNonSyn ] RevNAT=1 ' +
        'SourceSecurityID=1234 IfIndex=0 BackendID=9\n',
    )
  })

  it('prints SNAT entries with XLATE_SRC for egress and XLATE_DST for the reverse', () => {
    const nat = createNatMap()
    const out = {
      saddr: ipToU32('10.0.1.5'),
      daddr: ipToU32('1.1.1.1'),
      sport: 40000,
      dport: 443,
      nexthdr: IPPROTO_TCP,
      flags: TUPLE_F_OUT,
    }
    nat.create(out, { created: 50, needsCt: true, toAddress: ipToU32('192.168.1.10'), toPort: 40000 })
    nat.create(
      {
        saddr: ipToU32('1.1.1.1'),
        daddr: ipToU32('192.168.1.10'),
        sport: 443,
        dport: 40000,
        nexthdr: IPPROTO_TCP,
        flags: TUPLE_F_IN,
      },
      { created: 50, needsCt: true, toAddress: ipToU32('10.0.1.5'), toPort: 40000 },
    )
    expect(natList(nat, 170)).toBe(
      'TCP OUT 10.0.1.5:40000 -> 1.1.1.1:443 XLATE_SRC 192.168.1.10:40000 Created=120sec ago NeedsCT=1\n' +
        'TCP IN 1.1.1.1:443 -> 192.168.1.10:40000 XLATE_DST 10.0.1.5:40000 Created=120sec ago NeedsCT=1\n',
    )
  })
})
