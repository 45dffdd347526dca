import type { CtEntry, PolicyEntry } from './structs'

/** Fixtures for the cilium/ tests. */
export function ctEntry(lifetime: number, more: Partial<CtEntry> = {}): CtEntry {
  return {
    rxPackets: 0,
    rxBytes: 0,
    txPackets: 1,
    txBytes: 60,
    lifetime,
    rxClosing: false,
    txClosing: false,
    seenNonSyn: false,
    nodePort: false,
    proxyRedirect: false,
    dsr: false,
    revNatIndex: 0,
    ifindex: 0,
    txFlagsSeen: 0x02,
    rxFlagsSeen: 0,
    srcSecId: 1234,
    lastTxReport: 0,
    lastRxReport: 0,
    ...more,
  }
}

export const ALLOW: PolicyEntry = {
  proxyPort: 0,
  deny: false,
  wildcardProtocol: false,
  wildcardDport: false,
  authType: 0,
  packets: 0,
  bytes: 0,
}
