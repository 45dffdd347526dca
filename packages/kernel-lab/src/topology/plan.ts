import { LAB_ADDRESSES } from './addressPlan'

/** The three namespaces of one lab: client → node → server (backends). */
export interface LabNamespaces {
  client: string
  node: string
  server: string
}

/** Every command that builds and removes one lab, as argv lists (no shell): pure, so testable without root. */
export interface TopologyPlan {
  prefix: string
  namespaces: LabNamespaces
  setup: string[][]
  teardown: string[][]
}

const PREFIX_RE = /^dpsim-\d+-[0-9a-z]+$/

/** A lab prefix unique to this process: `dpsim-<pid>-<random>`; stale labs are found by their pid. */
export function labPrefix(pid = process.pid, random = Math.random): string {
  return `dpsim-${pid}-${Math.floor(random() * 36 ** 4)
    .toString(36)
    .padStart(4, '0')}`
}

export function namespacesOf(prefix: string): LabNamespaces {
  if (!PREFIX_RE.test(prefix)) throw new Error(`lab prefix must look like dpsim-<pid>-<id>, got ${prefix}`)
  return { client: `${prefix}-client`, node: `${prefix}-node`, server: `${prefix}-server` }
}

/**
 * Builds client ⟷ node ⟷ server. Each veth pair is created inside a lab namespace and its peer moved straight
 * into another lab namespace (`ip -n A link add ... peer ... netns B`), so no interface ever exists in the
 * host's namespace, not even for an instant. The node forwards between its two links, like a Kubernetes node
 * between a client and its pods; the server owns the whole pod CIDR through a local route (AnyIP), so every
 * backend address of a lab cluster is a live destination without one namespace per pod.
 */
export function planTopology(prefix: string): TopologyPlan {
  const ns = namespacesOf(prefix)
  const a = LAB_ADDRESSES
  const p = a.linkPrefix
  const inNs = (n: string, ...args: string[]) => ['ip', '-n', n, ...args]
  const sysctl = (n: string, kv: string) => ['ip', 'netns', 'exec', n, 'sysctl', '-qw', kv]
  const setup: string[][] = [
    ['ip', 'netns', 'add', ns.client],
    ['ip', 'netns', 'add', ns.node],
    ['ip', 'netns', 'add', ns.server],
    inNs(ns.client, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'c0', 'netns', ns.node),
    inNs(ns.server, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 's0', 'netns', ns.node),
    inNs(ns.client, 'addr', 'add', `${a.client}/${p}`, 'dev', 'eth0'),
    inNs(ns.node, 'addr', 'add', `${a.nodeClientSide}/${p}`, 'dev', 'c0'),
    inNs(ns.node, 'addr', 'add', `${a.nodeServerSide}/${p}`, 'dev', 's0'),
    inNs(ns.server, 'addr', 'add', `${a.server}/${p}`, 'dev', 'eth0'),
    inNs(ns.client, 'link', 'set', 'lo', 'up'),
    inNs(ns.node, 'link', 'set', 'lo', 'up'),
    inNs(ns.server, 'link', 'set', 'lo', 'up'),
    inNs(ns.client, 'link', 'set', 'eth0', 'up'),
    inNs(ns.node, 'link', 'set', 'c0', 'up'),
    inNs(ns.node, 'link', 'set', 's0', 'up'),
    inNs(ns.server, 'link', 'set', 'eth0', 'up'),
    inNs(ns.client, 'route', 'add', 'default', 'via', a.nodeClientSide),
    inNs(ns.server, 'route', 'add', 'default', 'via', a.nodeServerSide),
    inNs(ns.node, 'route', 'add', a.podCIDR, 'via', a.server),
    // a real node has a default route: a ClusterIP nobody DNATs (no endpoints) must reach FORWARD, where
    // kube-proxy rejects it, not die in routing; here it leads to the server namespace, still inside the lab
    inNs(ns.node, 'route', 'add', 'default', 'via', a.server),
    inNs(ns.server, 'route', 'add', 'local', a.podCIDR, 'dev', 'lo'),
    sysctl(ns.node, 'net.ipv4.ip_forward=1'),
    // kube-proxy needs these on a real node too: masquerade of hairpin/local traffic and no reverse-path
    // drop of DNATed replies arriving on the other link
    sysctl(ns.node, 'net.ipv4.conf.all.rp_filter=0'),
    sysctl(ns.node, 'net.ipv4.conf.default.rp_filter=0'),
    sysctl(ns.server, 'net.ipv4.conf.all.rp_filter=0'),
  ]
  // Deleting a namespace removes its links, rules, tc programs and the BPF maps only they referenced.
  const teardown = [ns.client, ns.node, ns.server].map((n) => ['ip', 'netns', 'delete', n])
  return { prefix, namespaces: ns, setup, teardown }
}

/** The lab prefixes in `ip netns list` output whose creating process is gone (`alive(pid)` false). */
export function staleLabPrefixes(netnsList: string, alive: (pid: number) => boolean): string[] {
  const out = new Set<string>()
  for (const line of netnsList.split('\n')) {
    const m = /^(dpsim-(\d+)-[0-9a-z]+)-(client|node|server)\b/.exec(line.trim())
    if (m && !alive(Number(m[2]))) out.add(m[1])
  }
  return [...out]
}

/** A pod the node reaches over its own veth, as Calico wires a local workload: `cali…` on the node side. */
export interface PodLink {
  ip: string
  /** node-side interface name (the model's podInterface for this address) */
  nodeInterface: string
}

/**
 * Commands giving each local pod its own veth (node side named as Calico names it, so the policy rules'
 * `-o cali…` / `-i cali…` dispatch sees the same interface as in the model) and a /32 route over it. The
 * server-side ends are numbered; the server namespace already owns every pod address (AnyIP).
 */
export function planPodLinks(ns: LabNamespaces, pods: readonly PodLink[]): string[][] {
  const cmds: string[][] = []
  pods.forEach((p, i) => {
    if (!/^[A-Za-z0-9_.-]{1,15}$/.test(p.nodeInterface))
      throw new Error(`bad interface name ${p.nodeInterface}`)
    const peer = `p${i}`
    cmds.push([
      'ip',
      '-n',
      ns.server,
      'link',
      'add',
      peer,
      'type',
      'veth',
      'peer',
      'name',
      p.nodeInterface,
      'netns',
      ns.node,
    ])
    cmds.push(['ip', '-n', ns.server, 'link', 'set', peer, 'up'])
    cmds.push(['ip', '-n', ns.node, 'link', 'set', p.nodeInterface, 'up'])
    cmds.push(['ip', '-n', ns.node, 'route', 'replace', `${p.ip}/32`, 'dev', p.nodeInterface])
  })
  return cmds
}
