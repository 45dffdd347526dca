/**
 * Drop reasons as `cilium monitor` / Hubble print them (`pkg/monitor/api/drop.go`, codes from
 * `bpf/lib/common.h` DROP_*).
 */
export const DROP = {
  POLICY: { code: 133, text: 'Policy denied' },
  NO_SERVICE: { code: 158, text: 'Service backend not found' },
  CT_CREATE_FAILED: { code: 155, text: 'CT: Map insertion failed' },
  NAT_NO_MAPPING: { code: 167, text: 'No mapping for NAT masquerade' },
  IS_CLUSTER_IP: { code: 174, text: 'Is a ClusterIP' },
  NOT_IN_SRC_RANGE: { code: 177, text: 'Denied by LB src range check' },
  POLICY_DENY: { code: 181, text: 'Policy denied by denylist' },
} as const

export type DropReason = (typeof DROP)[keyof typeof DROP]
