import type { Packet, Trace } from '@dataplane-sim/cluster'
import { run } from '../exec/run'
import { probe } from '../measure/probe'
import {
  ensureNfacct,
  flushConntrack,
  type IptablesBackend,
  resetNode,
  restore,
  save,
} from '../rules/restore'
import { LAB_ADDRESSES } from '../topology/addressPlan'
import type { Lab } from '../topology/lab'
import { planPodLinks } from '../topology/plan'
import { chiSquareTest } from './chiSquare'
import { parseConntrack } from './conntrackTable'
import type { VerdictCase } from './labCluster'
import { type CountedRule, counterDelta, parseSaveCounters } from './saveCounters'

/** What the differential needs of a model node: its rendered rules and its classify (iptables-model's IptablesNode). */
export interface VerdictModel {
  saveText(): string
  ipsetText(): string
  classify(
    packet: Packet,
    opts?: { enumerate?: boolean; sourceKind?: 'outside'; inInterface?: string },
  ): Trace
  /** local pods and the node-side interface each is reached through */
  podLinks(): Array<{ ip: string; nodeInterface: string }>
}

export interface VerdictResult {
  case: VerdictCase
  backend: IptablesBackend
  packets: number
  kernel: {
    verdict: 'forward' | 'drop' | 'reject'
    backends: Record<string, number>
    masqueraded: number
    matched: string[]
  }
  model: {
    verdict: Trace['verdict']
    candidates: Array<{ endpoint: string; probability: number }>
    masquerade: boolean
    matched: string[]
  }
  /** deterministic: one possible outcome; rules must agree one for one */
  deterministic: boolean
  checks: {
    verdict: boolean
    onlyCandidates: boolean
    masquerade: boolean
    rules: boolean | null
    chiSquareP: number | null
  }
  agree: boolean
}

const SOURCE_PORT_BASE = 20000

/**
 * Installs the model's rendered rules (and ipsets) in the node namespace, gives each local pod its veth, and
 * makes the server namespace silent (INPUT drop), so no reply adds to the node's counters: what the counters
 * and the conntrack table then show is the first packet's path alone.
 */
export async function installModel(lab: Lab, backend: IptablesBackend, model: VerdictModel): Promise<void> {
  await resetNode(lab)
  const links = model.podLinks()
  // a second install (the other backend) replaces the first one's links
  for (let i = 0; i < links.length; i++)
    await lab.exec('server', ['ip', 'link', 'del', `p${i}`], { allowFail: true })
  for (const argv of planPodLinks(lab.ns, links)) await run(argv, { timeoutMs: 30_000 })
  await lab.exec('server', ['iptables-legacy-restore'], { input: '*filter\n:INPUT DROP [0:0]\nCOMMIT\n' })
  const save = model.saveText()
  await ensureNfacct(lab, save)
  const ipsets = model.ipsetText()
  if (ipsets.trim()) await lab.exec('node', ['ipset', 'restore', '-exist'], { input: ipsets })
  await restore(lab, backend, save)
}

function matchedRules(rules: readonly CountedRule[], min: number): Set<string> {
  return new Set(rules.filter((r) => r.packets >= min).map((r) => `${r.where}#${r.index}`))
}

/**
 * Sends `packets` new flows of `c` from the client (source ports counting up), reads what the kernel did
 * from the counters and the conntrack table, and compares with the model's trace of the same packet:
 * verdict, DNAT only to candidates, masquerade, and for deterministic cases the exact set of rules matched
 * (in the chains the model walked: replies and locally generated RST/ICMP pass through others); for random
 * ones a chi-square test of the backends hit against the modeled probabilities.
 */
export async function runVerdictCase(
  lab: Lab,
  backend: IptablesBackend,
  model: VerdictModel,
  c: VerdictCase,
  packets: number,
): Promise<VerdictResult> {
  const packet = (sport: number): Packet => ({
    src: LAB_ADDRESSES.client,
    dst: c.dst,
    protocol: c.protocol,
    sport,
    dport: c.dport,
  })
  const opts = { sourceKind: 'outside' as const, inInterface: 'c0' }
  const enumerated = model.classify(packet(SOURCE_PORT_BASE), { ...opts, enumerate: true })
  const walked = model.classify(packet(SOURCE_PORT_BASE + 1), opts)
  const modelMatched = walked.steps
    .filter((s) => s.outcome === 'match' && s.index !== undefined)
    .map((s) => `${s.where}#${s.index}`)
  const modelChains = new Set(walked.steps.map((s) => s.where))
  const candidates = enumerated.candidates.map((k) => ({
    endpoint: `${k.ip}:${k.port}`,
    probability: k.probability,
  }))
  const modelVerdict = enumerated.verdict === 'local' ? 'forward' : enumerated.verdict
  const deterministic = candidates.length <= 1

  await flushConntrack(lab)
  const before = parseSaveCounters(await save(lab, backend))
  const targets = Array.from({ length: packets }, (_, i) => ({
    host: c.dst,
    port: c.dport,
    protocol: c.protocol,
    sourcePort: SOURCE_PORT_BASE + i,
  }))
  await probe(lab, { deadlineMs: 60_000, timeoutMs: 20, targets })
  const delta = counterDelta(before, parseSaveCounters(await save(lab, backend)))
  const flows = parseConntrack(
    (await lab.exec('node', ['conntrack', '-L'], { allowFail: true })).stdout,
  ).filter(
    (f) =>
      f.orig.src === LAB_ADDRESSES.client &&
      f.orig.dst === c.dst &&
      f.orig.dport === c.dport &&
      f.orig.sport >= SOURCE_PORT_BASE,
  )
  const backends: Record<string, number> = {}
  let masqueraded = 0
  for (const f of flows) {
    const key = `${f.reply.src}:${f.reply.sport}`
    if (f.dnat) backends[key] = (backends[key] ?? 0) + 1
    if (f.snat) masqueraded++
  }
  const kernelMatched = [...matchedRules(delta, packets)].filter((k) => modelChains.has(k.split('#')[0]))
  // a flow the kernel forwarded is confirmed in conntrack; a dropped or rejected one never is, and which
  // of the two shows in the target of the rule every packet matched
  const rejected = delta.some((r) => r.packets >= packets && / -j REJECT\b/.test(r.text))
  const kernelVerdict = flows.length >= packets * 0.95 ? 'forward' : rejected ? 'reject' : 'drop'

  const onlyCandidates = Object.keys(backends).every((b) => candidates.some((k) => k.endpoint === b))
  const masquerade = enumerated.masquerade ? masqueraded === flows.length : masqueraded === 0
  let rules: boolean | null = null
  let chiSquareP: number | null = null
  if (deterministic) {
    const a = [...new Set(modelMatched)].sort()
    const b = [...kernelMatched].sort()
    rules = a.length === b.length && a.every((x, i) => x === b[i])
  } else {
    const observed = candidates.map((k) => backends[k.endpoint] ?? 0)
    chiSquareP = chiSquareTest(
      observed,
      candidates.map((k) => k.probability),
    ).p
  }
  const checks = {
    verdict: kernelVerdict === modelVerdict,
    onlyCandidates,
    masquerade: kernelVerdict === 'forward' ? masquerade : true,
    rules,
    chiSquareP,
  }
  const agree =
    checks.verdict &&
    checks.onlyCandidates &&
    checks.masquerade &&
    rules !== false &&
    (chiSquareP === null || chiSquareP >= 0.001)
  return {
    case: c,
    backend,
    packets,
    kernel: { verdict: kernelVerdict, backends, masqueraded, matched: kernelMatched.sort() },
    model: {
      verdict: enumerated.verdict,
      candidates,
      masquerade: enumerated.masquerade,
      matched: [...new Set(modelMatched)].sort(),
    },
    deterministic,
    checks,
    agree,
  }
}

/** Every case, for one backend, against one model node. */
export async function runVerdicts(
  lab: Lab,
  backend: IptablesBackend,
  model: VerdictModel,
  cases: readonly VerdictCase[],
  packets: { deterministic: number; random: number },
): Promise<VerdictResult[]> {
  await installModel(lab, backend, model)
  const out: VerdictResult[] = []
  for (const c of cases) {
    const probeTrace = model.classify(
      {
        src: LAB_ADDRESSES.client,
        dst: c.dst,
        protocol: c.protocol,
        sport: SOURCE_PORT_BASE,
        dport: c.dport,
      },
      { enumerate: true, sourceKind: 'outside', inInterface: 'c0' },
    )
    const n = probeTrace.candidates.length > 1 ? packets.random : packets.deterministic
    out.push(await runVerdictCase(lab, backend, model, c, n))
  }
  return out
}

/** The verdict table as Markdown, for the lab report. */
export function verdictMarkdown(results: readonly VerdictResult[]): string {
  const out = ['## Differential verdicts: model vs kernel', '']
  const agree = results.filter((r) => r.agree).length
  out.push(
    `${agree} of ${results.length} cases agree. Each case sends new flows (UDP datagrams or TCP SYNs, one source port ` +
      'each) from the client namespace through the rules iptables-model renders for the lab cluster, loaded with ' +
      "iptables-restore; the kernel's answer is read from `iptables-save -c` counters and `conntrack -L`.",
    '',
    '| backend | case | packets | kernel | model | backends hit (kernel) | masquerade | rules | chi-square p | agree |',
    '|---|---|---:|---|---|---|---|---|---:|---|',
  )
  for (const r of results) {
    const hits = Object.entries(r.kernel.backends)
      .sort()
      .map(([b, n]) => `${b}×${n}`)
      .join(', ')
    out.push(
      `| ${r.backend} | ${r.case.name} | ${r.packets} | ${r.kernel.verdict} | ${r.model.verdict} | ${hits || '—'} | ` +
        `${r.kernel.masqueraded}/${r.model.masquerade ? 'all' : 'none'} | ${r.checks.rules === null ? 'random' : r.checks.rules ? 'same' : `differ: kernel ${r.kernel.matched.join(' ')}; model ${r.model.matched.join(' ')}`} | ` +
        `${r.checks.chiSquareP === null ? '—' : r.checks.chiSquareP.toFixed(3)} | ${r.agree ? 'yes' : '**no**'} |`,
    )
  }
  return `${out.join('\n')}\n`
}
