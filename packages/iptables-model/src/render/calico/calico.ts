import type { Cluster, NetworkPolicy, Pod } from '@dataplane-sim/cluster'
import { matchesSelector } from '@dataplane-sim/cluster'
import type { IpsetDef } from './ipsets'
import {
  fromWorkloadChain,
  policyChainName,
  profileChain,
  ruleHashes,
  toWorkloadChain,
  workloadInterface,
} from './names'
import { IpsetRegistry, isWorkload, policyChainBodies, policyContext } from './policyRules'

/** A workload endpoint on this node: a pod with its Calico veth. */
export interface WorkloadEndpoint {
  pod: string
  ip: string
  iface: string
}

/**
 * Calico Felix's filter-table rules for one node, iptables dataplane (projectcalico/calico felix/rules:
 * static.go, endpoints.go, policy.go, dispatch.go; v3.28 shape). Simplifications, each deliberate:
 * - only the filter table: Felix's raw/mangle/nat chains (untracked policy, pre-DNAT policy, natOutgoing) do
 *   not change verdicts for Kubernetes NetworkPolicy and are left out;
 * - no host endpoints: the host-endpoint dispatch chains and cali-cidr-block exist but are empty;
 * - profiles: one allow-all namespace profile (kns.<ns>) per direction; the service-account profile is left out;
 * - the dispatch trie is one level deep (split on the first character after `cali`), as dispatch.go builds it
 *   for a node's usual endpoint count;
 * - the early RELATED,ESTABLISHED accept and INVALID drop sit at the top of each endpoint chain, where current
 *   felix puts them (older felix had them in cali-FORWARD).
 */
export interface CalicoRender {
  /** user chains of the filter table with their full rule lines (`-A chain ...`), in felix's order */
  chains: Map<string, string[]>
  /** rules felix inserts at the top of built-in chains, keyed "filter:INPUT" */
  inserts: Record<string, string[]>
  /** rules felix appends to built-in chains (StaticFilterForwardAppendRules) */
  appends: Record<string, string[]>
  ipsets: Map<string, IpsetDef>
  endpoints: WorkloadEndpoint[]
}

const ACCEPT = '0x10000/0x10000'
const FROM_DISPATCH = 'cali-from-wl-dispatch'
const TO_DISPATCH = 'cali-to-wl-dispatch'

class ChainSet {
  readonly chains = new Map<string, string[]>()
  /** adds a chain from rule bodies, tagging each rule with felix's `cali:` hash comment */
  add(name: string, bodies: string[]): void {
    const hashes = ruleHashes(name, bodies)
    this.chains.set(
      name,
      bodies.map((b, i) => {
        // iptables-save prints -i/-o before modules; felix's restore input has them there too
        const m = /^((?:-[io] \S+ )*)(.*)$/.exec(b)!
        return `-A ${name} ${m[1]}-m comment --comment "cali:${hashes[i]}"${m[2] ? ` ${m[2]}` : ''}`
      }),
    )
  }
}

export function localWorkloads(cluster: Cluster, nodeName: string): Array<WorkloadEndpoint & { p: Pod }> {
  return cluster.pods
    .filter((p) => p.nodeName === nodeName && isWorkload(p))
    .map((p) => ({
      pod: `${p.namespace}/${p.name}`,
      ip: p.ip,
      iface: workloadInterface(p.namespace, p.name),
      p,
    }))
    .sort((a, b) => (a.iface < b.iface ? -1 : a.iface > b.iface ? 1 : 0))
}

/** Policies selecting a pod in one direction, in felix's order (all have order 1000, so by name). */
function policiesFor(
  policies: readonly NetworkPolicy[],
  pod: Pod,
  type: 'Ingress' | 'Egress',
): NetworkPolicy[] {
  return policies
    .filter(
      (np) =>
        np.namespace === pod.namespace &&
        np.policyTypes.includes(type) &&
        matchesSelector(np.podSelector, pod.labels),
    )
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
}

export interface CalicoOptions {
  /**
   * Felix's DefaultEndpointToHostAction for pod → node traffic after the pod's egress policy: RETURN (default)
   * hands the packet back to INPUT so kube-proxy's rules there (REJECT for a NodePort without endpoints) still
   * apply; ACCEPT (what calico.yaml sets) accepts it before kube-proxy sees it; DROP is Felix's own default.
   */
  endpointToHostAction?: 'RETURN' | 'ACCEPT' | 'DROP'
}

export function renderCalico(cluster: Cluster, nodeName: string, opts: CalicoOptions = {}): CalicoRender {
  const ipsets = new IpsetRegistry()
  const ctx = policyContext(cluster, ipsets)
  const cs = new ChainSet()
  const wls = localWorkloads(cluster, nodeName)
  const localNs = new Set(wls.map((w) => w.p.namespace))
  const policies = cluster.networkPolicies.filter((np) => localNs.has(np.namespace))

  // static chains (static.go)
  cs.add('cali-FORWARD', [
    '-j MARK --set-xmark 0x0/0xe0000',
    '-m mark --mark 0x0/0x10000 -j cali-from-hep-forward',
    `-i cali+ -j ${FROM_DISPATCH}`,
    `-o cali+ -j ${TO_DISPATCH}`,
    '-j cali-to-hep-forward',
    '-j cali-cidr-block',
  ])
  cs.add('cali-INPUT', [
    '-i cali+ -g cali-wl-to-host',
    `-m mark --mark ${ACCEPT} -j ACCEPT`,
    '-j MARK --set-xmark 0x0/0xf0000',
    '-j cali-from-host-endpoint',
    `-m mark --mark ${ACCEPT} -m comment --comment "Host endpoint policy accepted packet." -j ACCEPT`,
  ])
  cs.add('cali-OUTPUT', [
    `-m mark --mark ${ACCEPT} -j ACCEPT`,
    // host → local workload is never policed (static.go filterOutputChain)
    '-o cali+ -j RETURN',
    '-j MARK --set-xmark 0x0/0xf0000',
    '-m conntrack ! --ctstate DNAT -j cali-to-host-endpoint',
    `-m mark --mark ${ACCEPT} -m comment --comment "Host endpoint policy accepted packet." -j ACCEPT`,
  ])
  cs.add('cali-wl-to-host', [
    `-j ${FROM_DISPATCH}`,
    `-m comment --comment "Configured DefaultEndpointToHostAction" -j ${opts.endpointToHostAction ?? 'RETURN'}`,
  ])
  for (const empty of [
    'cali-from-hep-forward',
    'cali-to-hep-forward',
    'cali-cidr-block',
    'cali-from-host-endpoint',
    'cali-to-host-endpoint',
  ])
    cs.add(empty, [])

  // dispatch chains (dispatch.go)
  dispatch(
    cs,
    FROM_DISPATCH,
    '-i',
    wls.map((w) => w.iface),
    fromWorkloadChain,
  )
  dispatch(
    cs,
    TO_DISPATCH,
    '-o',
    wls.map((w) => w.iface),
    toWorkloadChain,
  )

  // per-endpoint chains (endpoints.go) and the policy and profile chains they jump to
  const policyChains = new Map<string, string[]>()
  const profiles = new Map<string, string[]>()
  for (const w of wls) {
    for (const dir of ['ingress', 'egress'] as const) {
      const pols = policiesFor(policies, w.p, dir === 'ingress' ? 'Ingress' : 'Egress')
      const body = [
        '-m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
        '-m conntrack --ctstate INVALID -j DROP',
        '-j MARK --set-xmark 0x0/0x10000',
      ]
      if (pols.length) {
        body.push('-m comment --comment "Start of tier default" -j MARK --set-xmark 0x0/0x20000')
        for (const np of pols) {
          const chain = policyChainName(dir, np.namespace, np.name)
          if (!policyChains.has(chain)) policyChains.set(chain, policyChainBodies(ctx, np, dir))
          body.push(`-m mark --mark 0x0/0x20000 -j ${chain}`)
          body.push(`-m mark --mark ${ACCEPT} -m comment --comment "Return if policy accepted" -j RETURN`)
        }
        body.push(
          '-m mark --mark 0x0/0x20000 -m comment --comment "End of tier default. Drop if no policies passed packet" -j DROP',
        )
      }
      const profile = profileChain(dir, w.p.namespace)
      if (!profiles.has(profile))
        profiles.set(profile, ['-j MARK --set-xmark 0x10000/0x10000', `-m mark --mark ${ACCEPT} -j RETURN`])
      body.push(`-j ${profile}`)
      body.push(`-m mark --mark ${ACCEPT} -m comment --comment "Return if profile accepted" -j RETURN`)
      body.push('-m comment --comment "Drop if no profiles matched" -j DROP')
      cs.add(dir === 'ingress' ? toWorkloadChain(w.iface) : fromWorkloadChain(w.iface), body)
    }
  }
  for (const [name, bodies] of policyChains) cs.add(name, bodies)
  for (const [name, bodies] of profiles) cs.add(name, bodies)

  const tag = (chain: string, body: string) =>
    `-A ${chain} -m comment --comment "cali:${ruleHashes(chain, [body])[0]}" ${body}`
  return {
    chains: cs.chains,
    inserts: {
      'filter:INPUT': [tag('INPUT', '-j cali-INPUT')],
      'filter:FORWARD': [tag('FORWARD', '-j cali-FORWARD')],
      'filter:OUTPUT': [tag('OUTPUT', '-j cali-OUTPUT')],
    },
    appends: {
      'filter:FORWARD': [
        tag(
          'FORWARD',
          `-m mark --mark ${ACCEPT} -m comment --comment "Policy explicitly accepted packet." -j ACCEPT`,
        ),
        // tells mangle POSTROUTING this is forwarded traffic, not subject to host endpoint policy
        tag('FORWARD', '-j MARK --set-xmark 0x10000/0x10000'),
      ],
    },
    ipsets: ipsets.sets,
    endpoints: wls.map(({ pod, ip, iface }) => ({ pod, ip, iface })),
  }
}

/**
 * A dispatch chain over interface names: names sharing the next character after the common `cali` prefix get a
 * sub-chain (`cali-from-wl-dispatch-5`), a lone name a direct goto; unknown interfaces are dropped.
 */
function dispatch(
  cs: ChainSet,
  root: string,
  flag: '-i' | '-o',
  ifaces: string[],
  endpointChain: (i: string) => string,
): void {
  const groups = new Map<string, string[]>()
  for (const i of ifaces) {
    const k = i.charAt(4)
    const g = groups.get(k)
    if (g) g.push(i)
    else groups.set(k, [i])
  }
  const rootBody: string[] = []
  for (const [k, names] of groups) {
    if (names.length === 1) {
      rootBody.push(`${flag} ${names[0]} -g ${endpointChain(names[0])}`)
      continue
    }
    const sub = `${root}-${k}`
    rootBody.push(`${flag} cali${k}+ -g ${sub}`)
    cs.add(sub, [
      ...names.map((n) => `${flag} ${n} -g ${endpointChain(n)}`),
      '-m comment --comment "Unknown interface" -j DROP',
    ])
  }
  rootBody.push('-m comment --comment "Unknown interface" -j DROP')
  cs.add(root, rootBody)
}
