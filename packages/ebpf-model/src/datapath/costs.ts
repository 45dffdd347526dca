import type { CostConstant, CostProfile } from '@dataplane-sim/cluster'
import { EBPF_MAP_CONSTANTS } from '../maps/costConstants'

/**
 * Per-packet constants besides map operations: program runs and kernel (netfilter) conntrack, which pod
 * traffic pays unless `installNoConntrackIptablesRules` marks it NOTRACK. Keys match the counts the
 * datapath writes (`bpf.prog:<program>` falls back to `bpf.prog`).
 */
export const EBPF_PACKET_CONSTANTS: Record<string, CostConstant> = {
  'bpf.prog': {
    value: 40,
    unit: 'ns',
    source:
      'estimate: one tc/cgroup program run (context setup, header parsing, tail calls) without its map lookups; ' +
      'anchors.md: a tc program doing a hash lookup leaves the 2–3 µs veth round trip unchanged at 50k and 500k entries',
  },
  'ct.kernel.lookup': {
    value: 120,
    unit: 'ns',
    source:
      'estimate: nf_conntrack_in hash lookup + per-packet state update in PREROUTING/OUTPUT (about 4–6 hash lookups ' +
      "of anchors.md's 19.7–31.7 ns plus locking); paid only when pod traffic is not NOTRACKed",
  },
  'ct.kernel.create': {
    value: 600,
    unit: 'ns',
    source:
      'estimate: allocating and confirming a new nf_conn (slab alloc, two hash inserts, extensions) for the first packet of a flow',
  },
}

/** Control-plane constants of an update besides the map syscalls. */
export const EBPF_AGENT_CONSTANTS: Record<string, CostConstant> = {
  'agent.identity.allocate': {
    value: 2_000_000,
    unit: 'ns',
    source:
      'estimate: identity-allocation-mode=crd creates a CiliumIdentity object through the API server (one ' +
      'round trip, a few ms) before the ipcache and policy maps can name the identity',
  },
}

/** The default eBPF cost profile: map operation constants + the per-packet ones above. */
export function defaultEbpfProfile(): CostProfile {
  return {
    schemaVersion: 1,
    name: 'ebpf-default',
    description: 'Cilium eBPF datapath, constants derived from shared/anchors.md',
    provenance: {
      method: 'anchors',
      notes: 'map constants from EBPF_MAP_CONSTANTS; program and netfilter conntrack estimates',
    },
    constants: { ...EBPF_MAP_CONSTANTS, ...EBPF_PACKET_CONSTANTS, ...EBPF_AGENT_CONSTANTS },
  }
}
