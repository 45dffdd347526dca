/** One ipset as `ipset save` prints it. Calico uses hash:net for selectors and CIDRs, hash:ip,port for named ports. */
export interface IpsetDef {
  name: string
  type: 'hash:net' | 'hash:ip,port'
  /** members as ipset save prints them: "10.0.0.1", "10.0.0.0/24", "10.0.0.1,tcp:8080" (sorted) */
  members: string[]
}

/**
 * `ipset save` text for the sets, as `ipset restore` reads it. Felix creates its sets with maxelem 1048576
 * (felix config MaxIpsetSize default).
 */
export function ipsetSaveText(sets: Iterable<IpsetDef>): string {
  const out: string[] = []
  for (const s of sets) {
    out.push(`create ${s.name} ${s.type} family inet hashsize 1024 maxelem 1048576`)
    for (const m of s.members) out.push(`add ${s.name} ${m}`)
  }
  return out.length ? `${out.join('\n')}\n` : ''
}
