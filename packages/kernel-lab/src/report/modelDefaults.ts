import type { CostProfile } from '@dataplane-sim/cluster'
import { EBPF_AGENT_CONSTANTS, EBPF_MAP_CONSTANTS, EBPF_PACKET_CONSTANTS } from '@dataplane-sim/ebpf-model'
import { IPTABLES_PACKET_CONSTANTS, IPTABLES_RESTORE_CONSTANTS } from '@dataplane-sim/iptables-model'

/**
 * The constants the models ship with (derived from shared/anchors.md), gathered into one profile so the lab's
 * report shows how far the uncalibrated models are from this kernel.
 */
export function modelDefaultsProfile(): CostProfile {
  return {
    schemaVersion: 1,
    name: 'model-defaults',
    description:
      "The models' built-in constants (iptables-model packet and restore, ebpf-model maps, datapath, agent)",
    provenance: { method: 'anchors' },
    constants: {
      ...IPTABLES_PACKET_CONSTANTS,
      ...IPTABLES_RESTORE_CONSTANTS,
      ...EBPF_MAP_CONSTANTS,
      ...EBPF_PACKET_CONSTANTS,
      ...EBPF_AGENT_CONSTANTS,
    },
  }
}
