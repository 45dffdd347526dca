import type { CostConstant, CostProfile } from '@dataplane-sim/cluster'

/** A named set of constants and where it comes from (the model's export it was taken from). */
export interface ConstantSet {
  from: string
  constants: Record<string, CostConstant>
}

/**
 * One profile from several models' constant sets. A key two sets both define must carry the same value (the
 * models would otherwise price the same operation differently); the provenance lists every set.
 */
export function composeProfile(
  head: Pick<CostProfile, 'name' | 'description'> & { provenance: CostProfile['provenance'] },
  sets: readonly ConstantSet[],
): CostProfile {
  const constants: Record<string, CostConstant> = {}
  const owner: Record<string, string> = {}
  for (const set of sets) {
    for (const [key, c] of Object.entries(set.constants)) {
      const prev = constants[key]
      if (prev && prev.value !== c.value) {
        throw new Error(`constant ${key}: ${owner[key]} says ${prev.value}, ${set.from} says ${c.value}`)
      }
      if (!prev) {
        constants[key] = { value: c.value, unit: c.unit, source: `${c.source} [${set.from}]` }
        owner[key] = set.from
      }
    }
  }
  const sorted: Record<string, CostConstant> = {}
  for (const k of Object.keys(constants).sort()) sorted[k] = constants[k]
  return {
    schemaVersion: 1,
    name: head.name,
    description: head.description,
    provenance: { ...head.provenance, data: sets.map((s) => s.from) },
    constants: sorted,
  }
}
