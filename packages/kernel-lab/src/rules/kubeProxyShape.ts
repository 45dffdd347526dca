import { ipToU32, u32ToIp } from '@dataplane-sim/cluster'
import { LAB_ADDRESSES } from '../topology/addressPlan'

/** Options of the synthetic kube-proxy nat table (the shape `shared/anchors.md` measured). */
export interface KubeProxyShapeOptions {
  endpointsPerService?: number
  protocol?: 'tcp' | 'udp'
  port?: number
}

/** Chain-name hash of service i: kube-proxy uses 16 base32 characters of a SHA-256; any unique 16 do here. */
export function shapeChainId(i: number): string {
  return i.toString(32).toUpperCase().padStart(16, '0')
}

export function shapeServiceIP(i: number): string {
  return u32ToIp(ipToU32(LAB_ADDRESSES.serviceCIDR.split('/')[0]) + 1 + i)
}

export function shapeEndpointIP(service: number, endpoint: number, perService: number): string {
  return u32ToIp(ipToU32(LAB_ADDRESSES.podCIDR.split('/')[0]) + 256 + service * perService + endpoint)
}

/**
 * A kube-proxy-shaped nat table for `services` ClusterIP services, written the way kube-proxy's
 * pkg/proxy/iptables/proxier.go writes it: per service one KUBE-SERVICES rule, a KUBE-SVC chain with one
 * rule per endpoint (statistic random with 1/(n-i) probabilities, the last unconditional), and per endpoint a
 * KUBE-SEP chain of 2 rules (hairpin mark, DNAT). With 2 endpoints that is 10 lines per service, as in the
 * anchors. The lab uses it until (and besides) the real renderer, for restore and first-packet sweeps.
 */
export function kubeProxyShapeTable(services: number, opts: KubeProxyShapeOptions = {}): string {
  const e = opts.endpointsPerService ?? 2
  const proto = opts.protocol ?? 'tcp'
  const port = opts.port ?? 80
  const chains: string[] = [
    '*nat',
    ':PREROUTING ACCEPT [0:0]',
    ':INPUT ACCEPT [0:0]',
    ':OUTPUT ACCEPT [0:0]',
    ':POSTROUTING ACCEPT [0:0]',
    ':KUBE-SERVICES - [0:0]',
    ':KUBE-POSTROUTING - [0:0]',
    ':KUBE-MARK-MASQ - [0:0]',
    ':KUBE-NODEPORTS - [0:0]',
  ]
  const rules: string[] = [
    '-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
    '-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
    '-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING',
    '-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN',
    '-A KUBE-POSTROUTING -j MARK --xor-mark 0x4000',
    '-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully',
    '-A KUBE-MARK-MASQ -j MARK --or-mark 0x4000',
  ]
  const svcRules: string[] = []
  for (let s = 0; s < services; s++) {
    const id = shapeChainId(s)
    const name = `ns${s % 100}/svc-${s}:http`
    chains.push(`:KUBE-SVC-${id} - [0:0]`)
    svcRules.push(
      `-A KUBE-SERVICES -d ${shapeServiceIP(s)}/32 -p ${proto} -m comment --comment "${name} cluster IP" -m ${proto} --dport ${port} -j KUBE-SVC-${id}`,
    )
    for (let k = 0; k < e; k++) {
      const sep = shapeChainId(s * e + k)
      const ip = shapeEndpointIP(s, k, e)
      chains.push(`:KUBE-SEP-${sep} - [0:0]`)
      const left = e - k
      const stat = left > 1 ? ` -m statistic --mode random --probability ${(1 / left).toFixed(10)}` : ''
      rules.push(`-A KUBE-SVC-${id} -m comment --comment "${name} -> ${ip}:8080"${stat} -j KUBE-SEP-${sep}`)
      rules.push(`-A KUBE-SEP-${sep} -s ${ip}/32 -m comment --comment ${name} -j KUBE-MARK-MASQ`)
      rules.push(
        `-A KUBE-SEP-${sep} -p ${proto} -m comment --comment ${name} -m ${proto} -j DNAT --to-destination ${ip}:8080`,
      )
    }
  }
  svcRules.push(
    '-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS',
  )
  return `${[...chains, ...rules, ...svcRules, 'COMMIT'].join('\n')}\n`
}

/**
 * The first-packet sweep's table: kubeProxyShapeTable(services) with one rule before the KUBE-SERVICES jump in
 * PREROUTING that accepts UDP to `skipPort`, so first packets to that port skip the services (the sweep's
 * baseline) while those to any other port walk them, in the same table and the same run.
 */
export function firstPacketTable(services: number, skipPort: number): string {
  const jump = '-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES'
  return kubeProxyShapeTable(services).replace(
    jump,
    `-A PREROUTING -p udp -m udp --dport ${skipPort} -j ACCEPT\n${jump}`,
  )
}

/** `--noflush` input adding one rule to KUBE-SERVICES (what a one-service change appends at minimum). */
export function kubeProxyShapeOneRule(protocol: 'tcp' | 'udp' = 'tcp'): string {
  return `*nat\n-I KUBE-SERVICES 1 -d ${shapeServiceIP(65000)}/32 -p ${protocol} -m comment --comment "dpsim/one-rule cluster IP" -m ${protocol} --dport 81 -j KUBE-MARK-MASQ\nCOMMIT\n`
}

/** Lines and bytes of a restore input (what the restore cost model counts). */
export function restoreSize(text: string): { lines: number; bytes: number; rules: number; chains: number } {
  let lines = 0
  let rules = 0
  let chains = 0
  for (const line of text.split('\n')) {
    if (!line) continue
    lines++
    if (line.startsWith('-A ') || line.startsWith('-I ')) rules++
    else if (line.startsWith(':')) chains++
  }
  return { lines, bytes: Buffer.byteLength(text), rules, chains }
}
