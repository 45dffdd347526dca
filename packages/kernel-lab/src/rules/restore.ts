import type { RunResult } from '../exec/run'
import type { Lab } from '../topology/lab'

/** The two iptables backends: the legacy x_tables blob, and iptables-nft translating into nftables. */
export type IptablesBackend = 'legacy' | 'nft'
export const IPTABLES_BACKENDS: readonly IptablesBackend[] = ['legacy', 'nft']

/**
 * Runs `iptables-<backend>-restore [--noflush]` in the node namespace with `text` on stdin, timed from inside
 * the namespace (Lab.execTimed: the restore process itself, not `ip netns exec` nor the Node parent's fork).
 */
export function restore(
  lab: Lab,
  backend: IptablesBackend,
  text: string,
  opts: { noflush?: boolean; counters?: boolean } = {},
): Promise<RunResult> {
  const argv = [`iptables-${backend}-restore`]
  if (opts.noflush) argv.push('--noflush')
  if (opts.counters) argv.push('--counters')
  return lab.execTimed('node', argv, { input: text })
}

/** `iptables-<backend>-save [-c] [-t table]` in the node namespace. */
export async function save(
  lab: Lab,
  backend: IptablesBackend,
  table?: string,
  counters = true,
): Promise<string> {
  const argv = [`iptables-${backend}-save`]
  if (counters) argv.push('-c')
  if (table) argv.push('-t', table)
  return (await lab.exec('node', argv)).stdout
}

/**
 * Empties the node's rules for both backends, so one backend's hooks never add to the other's timings: an
 * empty restore flushes every chain and deletes user chains in legacy; `nft flush ruleset` removes the
 * tables iptables-nft made. Conntrack is flushed too, so the next packet of any flow is a first packet.
 */
export async function resetNode(lab: Lab): Promise<void> {
  await lab.exec('node', ['iptables-legacy-restore'], {
    input: '*filter\nCOMMIT\n*nat\nCOMMIT\n*mangle\nCOMMIT\n*raw\nCOMMIT\n',
  })
  await lab.exec('node', ['nft', 'flush', 'ruleset'])
  await flushConntrack(lab)
}

export async function flushConntrack(lab: Lab): Promise<void> {
  // conntrack -F exits 1 when the table was already empty on some versions
  await lab.exec('node', ['conntrack', '-F'], { allowFail: true })
}

/** Creates the nfacct counters a ruleset names: kube-proxy ≥ 1.29 makes them over netlink at start-up. */
export async function ensureNfacct(lab: Lab, text: string): Promise<void> {
  for (const name of new Set([...text.matchAll(/--nfacct-name (\S+)/g)].map((m) => m[1])))
    await lab.exec('node', ['nfacct', 'add', name], { allowFail: true })
}
