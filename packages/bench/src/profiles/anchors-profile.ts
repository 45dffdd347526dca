import type { CostProfile } from '@dataplane-sim/cluster'
import { EBPF_AGENT_CONSTANTS, EBPF_MAP_CONSTANTS, EBPF_PACKET_CONSTANTS } from '@dataplane-sim/ebpf-model'
import { IPTABLES_PACKET_CONSTANTS, IPTABLES_RESTORE_CONSTANTS } from '@dataplane-sim/iptables-model'
import { composeProfile } from './compose'

/**
 * The `anchors` profile: every constant the two models export, fitted to or estimated from
 * shared/anchors.md. `packages/bench/profiles/anchors.json` is this, written by
 * `npx tsx packages/bench/src/profiles/write-anchors.ts` (a test keeps the two equal).
 */
export function composeAnchorsProfile(): CostProfile {
  return composeProfile(
    {
      name: 'anchors',
      description:
        'Constants from shared/anchors.md (Linux 6.18, 2 vCPU VM) and published figures, as the models export them',
      provenance: {
        method: 'anchors',
        kernel: 'Linux 6.18',
        notes: 'each constant names its derivation and the model export it came from',
      },
    },
    [
      { from: 'iptables-model IPTABLES_PACKET_CONSTANTS', constants: IPTABLES_PACKET_CONSTANTS },
      { from: 'iptables-model IPTABLES_RESTORE_CONSTANTS', constants: IPTABLES_RESTORE_CONSTANTS },
      { from: 'ebpf-model EBPF_MAP_CONSTANTS', constants: EBPF_MAP_CONSTANTS },
      { from: 'ebpf-model EBPF_PACKET_CONSTANTS', constants: EBPF_PACKET_CONSTANTS },
      { from: 'ebpf-model EBPF_AGENT_CONSTANTS', constants: EBPF_AGENT_CONSTANTS },
    ],
  )
}
