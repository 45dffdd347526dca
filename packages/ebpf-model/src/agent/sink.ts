import type { Cidr } from '@dataplane-sim/cluster'
import type { Identity } from './identity'
import type { PolicyEntry } from './policy'
import type { LbBackend, LbFrontend } from './services'

/** An ipcache value (`pkg/maps/ipcache` RemoteEndpointInfo): identity, tunnel endpoint (0 under native routing). */
export interface IpcacheValue {
  identity: number
  tunnelEndpoint: number
  /** where the entry comes from (`cilium bpf ipcache list` has no such column; kept for dumps) */
  source: 'pod' | 'node' | 'cidr' | 'world'
}

/** A local endpoint as `cilium_lxc` holds it (`pkg/maps/lxcmap`): endpoint ID, identity, interface. */
export interface LxcValue {
  endpointId: number
  identity: number
  ifindex: number
  /** "namespace/name" */
  pod: string
}

/** A frontend as the agent programs it: slots of backend IDs and its service (rev NAT) ID. */
export interface ProgrammedFrontend {
  frontend: LbFrontend
  revNat: number
  backendIds: number[]
}

export interface ProgrammedBackend extends LbBackend {
  id: number
}

/**
 * Where the agent writes: one method per map kind, called with the entries to upsert or delete, in the order
 * the agent's reconcilers write them. The node points it at the BPF maps and records the operations.
 */
export interface AgentSink {
  /**
   * `prefix` is valid during the call only (the agent reuses the object for pod addresses); `fresh`: the
   * agent had no claim on this prefix before (so the map has no entry for it either)
   */
  ipcache(op: 'update' | 'delete', prefix: Cidr, value?: IpcacheValue, fresh?: boolean): void
  lxc(op: 'update' | 'delete', ip: number, value?: LxcValue): void
  backend(op: 'update' | 'delete', backend: ProgrammedBackend): void
  /** update replaces the frontend's master entry and all its slots; delete removes them */
  service(op: 'update' | 'delete', fe: ProgrammedFrontend, previous?: ProgrammedFrontend): void
  revNat(op: 'update' | 'delete', id: number, addr: number, port: number): void
  policy(op: 'update' | 'delete', endpointId: number, entry: PolicyEntry): void
  /** a per-endpoint policy map created (endpoint added) or removed */
  policyMap(op: 'update' | 'delete', endpointId: number): void
  /** a security identity allocated (CiliumIdentity created) or released */
  identity?(op: 'update' | 'delete', identity: Identity): void
}
