import type { CostProfile } from '@dataplane-sim/cluster'
import {
  type PacketBackend,
  parseIptablesSave,
  restoreModelCounts,
  tableBlobBytes,
  type WalkCaches,
  walkCachesOf,
} from '@dataplane-sim/iptables-model'
import type { Measurement } from '../measure/types'
import { kubeProxyShapeOneRule, kubeProxyShapeTable, restoreSize } from '../rules/kubeProxyShape'
import { renderedKubeProxyRuleset, restoreTermsOf } from '../rules/renderedRuleset'
import { bpfBatchCounts, bpfOneUpdateCounts, bpfPacketCounts, restoreCounts } from './counts'
import { forwardWalkShape, natFirstWalkShape, type WalkShape, walkShapeCounts } from './walks'

/** The counts a measurement is written with: every walk cache-resident, no LLC term (countsAt re-prices them). */
const ALL_CACHED: WalkCaches = { cacheBytes: Number.POSITIVE_INFINITY }

/**
 * Measurements keep the counts the lab wrote when it measured them; the models change after. `recount` gives
 * every measurement of a known experiment the counts of today's models (restore terms with table bytes, the
 * engine's walks), so `dpsim calibrate --from-raw` re-fits old raw data with the current model. Per-packet
 * points also keep their walks: their counts depend on the cache-resident size the fit chooses.
 */
const walks = new WeakMap<Measurement, WalkShape>()

/** The walks behind a per-packet measurement, when recount (or a test) attached them. */
export function walkShapeOf(m: Measurement): WalkShape | undefined {
  return walks.get(m)
}

export function attachWalkShape(m: Measurement, shape: WalkShape): Measurement {
  walks.set(m, shape)
  return m
}

/** `m`'s counts with the cache sizes `caches` (only per-packet points depend on them: walkShapeCounts). */
export function countsAt(m: Measurement, caches: WalkCaches): Record<string, number> {
  const shape = walks.get(m)
  return shape && m.backend !== 'bpf' ? walkShapeCounts(shape, m.backend, caches) : m.counts
}

/** `m`'s counts as `profile` prices them: its cache-resident size and LLC share for `m`'s backend. */
export function countsFor(m: Measurement, profile: CostProfile): Record<string, number> {
  if (!walks.has(m) || m.backend === 'bpf') return m.counts
  return countsAt(m, walkCachesOf(profile, m.backend as PacketBackend))
}

/** Bytes of the synthetic kube-proxy table of `services` services: linear in services (fixed-size entries). */
function shapeBytes(services: number): number {
  const bytes = (n: number) => tableBlobBytes(parseIptablesSave(kubeProxyShapeTable(n)).tables[0])
  const b0 = bytes(0)
  return b0 + services * (bytes(1) - b0)
}

/** Bytes the one-rule update adds (its rule, parsed into the empty shape's KUBE-SERVICES). */
function oneRuleBytes(): number {
  const rule = kubeProxyShapeOneRule().split('\n')[1].replace('-I KUBE-SERVICES 1', '-A KUBE-SERVICES')
  const text = kubeProxyShapeTable(0).replace(/COMMIT\n$/, `${rule}\nCOMMIT\n`)
  return tableBlobBytes(parseIptablesSave(text).tables[0]) - shapeBytes(0)
}

/** One measurement with the counts of today's models (unchanged for experiments they do not price). */
function modelCounts(m: Measurement, rendered: (services: number) => string): Measurement {
  const out: Measurement = { ...m }
  const backend = m.backend
  switch (m.experiment) {
    case 'restore-full':
    case 'restore-one-rule': {
      if (backend === 'bpf') return out
      const size = restoreSize(kubeProxyShapeTable(0))
      const perService = restoreSize(kubeProxyShapeTable(1))
      const at = (k: 'lines' | 'rules' | 'chains') => size[k] + m.size * (perService[k] - size[k])
      const bytes = shapeBytes(m.size)
      out.counts =
        m.experiment === 'restore-full'
          ? restoreCounts(
              {
                lines: at('lines'),
                rulesAfter: at('rules'),
                chainsAfter: at('chains'),
                bytesAfter: bytes,
                created: true,
              },
              backend,
            )
          : restoreCounts(
              {
                lines: restoreSize(kubeProxyShapeOneRule()).lines,
                rulesAfter: at('rules') + 1,
                chainsAfter: at('chains'),
                bytesAfter: bytes + oneRuleBytes(),
              },
              backend,
            )
      return out
    }
    case 'restore-rendered': {
      if (backend === 'bpf') return out
      out.counts = restoreModelCounts(restoreTermsOf(rendered(m.size)), backend)
      return out
    }
    case 'packet-forward':
    case 'packet-forward-match': {
      const shape = forwardWalkShape(m.size, m.experiment === 'packet-forward' ? 'ip' : 'match')
      if (backend !== 'bpf') out.counts = walkShapeCounts(shape, backend, ALL_CACHED)
      return attachWalkShape(out, shape)
    }
    case 'packet-nat-first': {
      const shape = natFirstWalkShape(m.size)
      if (backend !== 'bpf') out.counts = walkShapeCounts(shape, backend, ALL_CACHED)
      return attachWalkShape(out, shape)
    }
    case 'packet-bpf':
      out.counts = bpfPacketCounts()
      return out
    case 'bpf-update-batch':
      out.counts = bpfBatchCounts(m.size)
      return out
    case 'bpf-update-one':
      out.counts = bpfOneUpdateCounts()
      return out
    default:
      return out
  }
}

/**
 * Today's model counts for every measurement (new objects; the input is not changed). Rendered rulesets are
 * rendered once per size (the same generated lab cluster the sweep restored).
 */
export function recount(measurements: readonly Measurement[]): Measurement[] {
  const cache = new Map<number, string>()
  const rendered = (n: number) => {
    let t = cache.get(n)
    if (t === undefined) {
      t = renderedKubeProxyRuleset(n)
      cache.set(n, t)
    }
    return t
  }
  return measurements.map((m) => modelCounts(m, rendered))
}
