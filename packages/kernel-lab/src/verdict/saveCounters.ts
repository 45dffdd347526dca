/** One rule of `iptables-save -c` output with its counters, located as the models' Steps locate rules. */
export interface CountedRule {
  /** `table:chain`, as Step.where */
  where: string
  /** 1-based position in its chain, as Step.index (`iptables -L --line-numbers`) */
  index: number
  packets: number
  bytes: number
  /** the rule as iptables-save prints it, without counters */
  text: string
}

/** Parses `iptables-save -c`: every rule with its `[packets:bytes]` prefix, in chain order. */
export function parseSaveCounters(text: string): CountedRule[] {
  const out: CountedRule[] = []
  let table = ''
  const position = new Map<string, number>()
  for (const raw of text.split('\n')) {
    const line = raw.trim()
    if (line.startsWith('*')) {
      table = line.slice(1)
      continue
    }
    const m = /^\[(\d+):(\d+)\]\s+(-A\s+(\S+)\s?.*)$/.exec(line)
    if (!m) continue
    const where = `${table}:${m[4]}`
    const index = (position.get(where) ?? 0) + 1
    position.set(where, index)
    out.push({ where, index, packets: Number(m[1]), bytes: Number(m[2]), text: m[3] })
  }
  return out
}

/** Packets each rule gained between two readings (rules matched by position). */
export function counterDelta(before: readonly CountedRule[], after: readonly CountedRule[]): CountedRule[] {
  const key = (r: CountedRule) => `${r.where}#${r.index}`
  const prev = new Map(before.map((r) => [key(r), r]))
  return after.map((r) => {
    const b = prev.get(key(r))
    return { ...r, packets: r.packets - (b?.packets ?? 0), bytes: r.bytes - (b?.bytes ?? 0) }
  })
}
