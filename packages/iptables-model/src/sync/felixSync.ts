import type { CalicoRender } from '../render/calico/calico'
import type { IpsetDef } from '../render/calico/ipsets'

/**
 * Felix's iptables update for a new Calico render: only the chains whose rules changed are rewritten (declared,
 * so flushed, then refilled), new chains are added and chains no longer needed are flushed and deleted, all in
 * one `iptables-restore --noflush` of the filter table (felix/iptables/table.go). Felix patches changed chains
 * rule by rule with -R/-D/-I where it can; rewriting the whole changed chain is the simplification here.
 * Returns '' when nothing changed.
 */
export function felixRestoreText(prev: CalicoRender, next: CalicoRender): string {
  const decl: string[] = []
  const rules: string[] = []
  const deleted: string[] = []
  for (const [name, body] of next.chains) {
    const old = prev.chains.get(name)
    if (old && sameLines(old, body)) continue
    decl.push(`:${name} - [0:0]`)
    for (const r of body) rules.push(r)
  }
  for (const name of prev.chains.keys())
    if (!next.chains.has(name)) {
      decl.push(`:${name} - [0:0]`)
      deleted.push(`-X ${name}`)
    }
  if (!decl.length) return ''
  return ['*filter', ...decl, ...rules, ...deleted, 'COMMIT', ''].join('\n')
}

/**
 * Felix's ipset update as `ipset restore` input: new sets created and filled, members added and removed, and
 * sets no longer referenced destroyed (felix/ipsets/ipsets.go; Felix destroys after the iptables update that
 * stopped referring to them). Returns '' when no set changed.
 */
export function felixIpsetRestoreText(
  prev: ReadonlyMap<string, IpsetDef>,
  next: ReadonlyMap<string, IpsetDef>,
): string {
  const out: string[] = []
  for (const [name, set] of next) {
    const old = prev.get(name)
    if (!old) {
      out.push(`create ${name} ${set.type} family inet hashsize 1024 maxelem 1048576`)
      for (const m of set.members) out.push(`add ${name} ${m}`)
      continue
    }
    const had = new Set(old.members)
    const has = new Set(set.members)
    for (const m of set.members) if (!had.has(m)) out.push(`add ${name} ${m}`)
    for (const m of old.members) if (!has.has(m)) out.push(`del ${name} ${m}`)
  }
  for (const name of prev.keys()) if (!next.has(name)) out.push(`destroy ${name}`)
  return out.length ? `${out.join('\n')}\n` : ''
}

function sameLines(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}
