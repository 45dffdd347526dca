import { InputError } from '@dataplane-sim/cluster'
import {
  CT_MAP_ENTRIES_GLOBAL_ANY_DEFAULT,
  CT_MAP_ENTRIES_GLOBAL_TCP_DEFAULT,
  DYNAMIC_SIZE_RATIO_DEFAULT,
  IPCACHE_MAP_ENTRIES,
  LB_MAP_ENTRIES_DEFAULT,
  LIMIT_TABLE_AUTO_GLOBAL_ANY_MIN,
  LIMIT_TABLE_AUTO_GLOBAL_TCP_MIN,
  LIMIT_TABLE_AUTO_NAT_GLOBAL_MIN,
  LIMIT_TABLE_AUTO_SOCK_REV_NAT_MIN,
  LIMIT_TABLE_MAX,
  LIMIT_TABLE_MIN,
  MAP_ELEMENT_SIZES,
  NAT_MAP_ENTRIES_GLOBAL_DEFAULT,
  POLICY_MAP_ENTRIES_DEFAULT,
  POLICY_MAP_MAX,
  POLICY_MAP_MIN,
  SOCK_REV_NAT_MAP_ENTRIES_DEFAULT,
} from './limits'

/** Agent options that size maps, by their cilium-config names; unset means "not given". */
export interface MapSizingOptions {
  'bpf-ct-global-tcp-max'?: number
  'bpf-ct-global-any-max'?: number
  'bpf-nat-global-max'?: number
  'bpf-neigh-global-max'?: number
  'bpf-sock-rev-map-max'?: number
  'bpf-policy-map-max'?: number
  'bpf-lb-map-max'?: number
  /** default 0.0025 (the reference deployment); 0 turns dynamic sizing off */
  'bpf-map-dynamic-size-ratio'?: number
}

/** How a size was decided. */
export type SizeOrigin = 'default' | 'dynamic' | 'dynamic-min' | 'dynamic-max' | 'option' | 'nat-capped'

export interface MapSizes {
  ctTcp: number
  ctAny: number
  nat: number
  neigh: number
  sockRevNat: number
  policy: number
  lb: number
  ipcache: number
  origin: Record<'ctTcp' | 'ctAny' | 'nat' | 'neigh' | 'sockRevNat' | 'policy' | 'lb', SizeOrigin>
  /** int(totalMemory × ratio): the bytes the dynamic sizing shares out (0 when off) */
  memoryForMaps: number
  /** the log lines the agent would print about adjustments */
  notes: string[]
}

const SOURCE = 'cilium-config'

function limitError(option: string, message: string): InputError {
  return new InputError(message, SOURCE, undefined, undefined, option)
}

/**
 * The map sizes the Cilium v1.16 agent settles on for a node with `nodeMemoryBytes` of RAM:
 * `calculateDynamicBPFMapSizes` then `checkMapSizeLimits` (pkg/option/config.go).
 *
 * Dynamic sizing shares `ratio × memory` among CT TCP, CT any, NAT, neighbour and socket rev-NAT maps in
 * proportion to their default entry counts × element sizes (MAP_ELEMENT_SIZES); each result is clamped to
 * its LimitTableAuto*Min and LimitTableMax. An explicitly set option wins over the dynamic value. NAT may not
 * exceed CT TCP + CT any: a dynamic or default NAT size above that is cut to 2/3 of the CT sum, an explicit
 * one is an error. Policy, LB and ipcache maps are not sized dynamically. Out-of-range values raise an
 * InputError (source `cilium-config`, path = the option) with Cilium's message.
 */
export function sizeMaps(options: MapSizingOptions, nodeMemoryBytes: number): MapSizes {
  const ratio = options['bpf-map-dynamic-size-ratio'] ?? DYNAMIC_SIZE_RATIO_DEFAULT
  if (!(ratio >= 0 && ratio <= 1))
    throw limitError(
      'bpf-map-dynamic-size-ratio',
      `specified dynamic map size ratio ${ratio} must be > 0.0 and <= 1.0`,
    )
  const notes: string[] = []
  const s: MapSizes = {
    ctTcp: options['bpf-ct-global-tcp-max'] ?? CT_MAP_ENTRIES_GLOBAL_TCP_DEFAULT,
    ctAny: options['bpf-ct-global-any-max'] ?? CT_MAP_ENTRIES_GLOBAL_ANY_DEFAULT,
    nat: options['bpf-nat-global-max'] ?? NAT_MAP_ENTRIES_GLOBAL_DEFAULT,
    neigh: options['bpf-neigh-global-max'] ?? NAT_MAP_ENTRIES_GLOBAL_DEFAULT,
    sockRevNat: options['bpf-sock-rev-map-max'] ?? SOCK_REV_NAT_MAP_ENTRIES_DEFAULT,
    policy: options['bpf-policy-map-max'] ?? POLICY_MAP_ENTRIES_DEFAULT,
    lb: options['bpf-lb-map-max'] ?? LB_MAP_ENTRIES_DEFAULT,
    ipcache: IPCACHE_MAP_ENTRIES,
    origin: {
      ctTcp: options['bpf-ct-global-tcp-max'] === undefined ? 'default' : 'option',
      ctAny: options['bpf-ct-global-any-max'] === undefined ? 'default' : 'option',
      nat: options['bpf-nat-global-max'] === undefined ? 'default' : 'option',
      neigh: options['bpf-neigh-global-max'] === undefined ? 'default' : 'option',
      sockRevNat: options['bpf-sock-rev-map-max'] === undefined ? 'default' : 'option',
      policy: options['bpf-policy-map-max'] === undefined ? 'default' : 'option',
      lb: options['bpf-lb-map-max'] === undefined ? 'default' : 'option',
    },
    memoryForMaps: 0,
    notes,
  }

  if (ratio > 0 && nodeMemoryBytes > 0) {
    // Go: int(float64(totalMemory) * dynamicSizeRatio)
    const available = Math.trunc(nodeMemoryBytes * ratio)
    s.memoryForMaps = available
    const E = MAP_ELEMENT_SIZES
    const totalDefault =
      CT_MAP_ENTRIES_GLOBAL_TCP_DEFAULT * E.ct +
      CT_MAP_ENTRIES_GLOBAL_ANY_DEFAULT * E.ct +
      NAT_MAP_ENTRIES_GLOBAL_DEFAULT * E.nat +
      NAT_MAP_ENTRIES_GLOBAL_DEFAULT * E.neigh +
      SOCK_REV_NAT_MAP_ENTRIES_DEFAULT * E.sockRevNat
    const entries = (def: number, min: number): [number, SizeOrigin] => {
      // Go int arithmetic: (entriesDefault * memoryAvailableForMaps) / totalMapMemoryDefault, truncated
      const n = Number((BigInt(def) * BigInt(available)) / BigInt(totalDefault))
      if (n < min) return [min, 'dynamic-min']
      if (n > LIMIT_TABLE_MAX) return [LIMIT_TABLE_MAX, 'dynamic-max']
      return [n, 'dynamic']
    }
    if (s.origin.ctTcp === 'default')
      [s.ctTcp, s.origin.ctTcp] = entries(CT_MAP_ENTRIES_GLOBAL_TCP_DEFAULT, LIMIT_TABLE_AUTO_GLOBAL_TCP_MIN)
    if (s.origin.ctAny === 'default')
      [s.ctAny, s.origin.ctAny] = entries(CT_MAP_ENTRIES_GLOBAL_ANY_DEFAULT, LIMIT_TABLE_AUTO_GLOBAL_ANY_MIN)
    if (s.origin.nat === 'default') {
      ;[s.nat, s.origin.nat] = entries(NAT_MAP_ENTRIES_GLOBAL_DEFAULT, LIMIT_TABLE_AUTO_NAT_GLOBAL_MIN)
      if (s.nat > s.ctTcp + s.ctAny) {
        s.nat = Math.trunc(((s.ctTcp + s.ctAny) * 2) / 3)
        s.origin.nat = 'nat-capped'
        notes.push(
          `Dynamic NAT table size exceeded the CT tables' size (${s.ctTcp + s.ctAny}): set bpf-nat-global-max to ${s.nat} (2/3 of CT)`,
        )
      }
    }
    // the neighbour table keeps at least as many entries as NAT
    if (s.origin.neigh === 'default') [s.neigh, s.origin.neigh] = [s.nat, s.origin.nat]
    if (s.origin.sockRevNat === 'default')
      [s.sockRevNat, s.origin.sockRevNat] = entries(
        SOCK_REV_NAT_MAP_ENTRIES_DEFAULT,
        LIMIT_TABLE_AUTO_SOCK_REV_NAT_MIN,
      )
  }

  checkMapSizeLimits(s)
  return s
}

/** `checkMapSizeLimits` (pkg/option/config.go), including its auto-fix of a default NAT size. */
function checkMapSizeLimits(s: MapSizes): void {
  if (s.ctTcp < LIMIT_TABLE_MIN || s.ctAny < LIMIT_TABLE_MIN)
    throw limitError(
      s.ctTcp < LIMIT_TABLE_MIN ? 'bpf-ct-global-tcp-max' : 'bpf-ct-global-any-max',
      `specified CT tables values ${s.ctTcp}/${s.ctAny} must be greater or equal to ${LIMIT_TABLE_MIN}`,
    )
  if (s.ctTcp > LIMIT_TABLE_MAX || s.ctAny > LIMIT_TABLE_MAX)
    throw limitError(
      s.ctTcp > LIMIT_TABLE_MAX ? 'bpf-ct-global-tcp-max' : 'bpf-ct-global-any-max',
      `specified CT tables values ${s.ctTcp}/${s.ctAny} must not exceed maximum ${LIMIT_TABLE_MAX}`,
    )
  if (s.nat < LIMIT_TABLE_MIN)
    throw limitError(
      'bpf-nat-global-max',
      `specified NAT table size ${s.nat} must be greater or equal to ${LIMIT_TABLE_MIN}`,
    )
  if (s.nat > LIMIT_TABLE_MAX)
    throw limitError(
      'bpf-nat-global-max',
      `specified NAT tables size ${s.nat} must not exceed maximum ${LIMIT_TABLE_MAX}`,
    )
  if (s.nat > s.ctTcp + s.ctAny) {
    if (s.nat === NAT_MAP_ENTRIES_GLOBAL_DEFAULT) {
      // CT sizes were lowered by hand and NAT left at its default: Cilium sizes NAT down with them
      s.nat = Math.trunc(((s.ctTcp + s.ctAny) * 2) / 3)
      s.origin.nat = 'nat-capped'
      s.notes.push(`NAT table size left at its default exceeded the CT tables: set to ${s.nat} (2/3 of CT)`)
    } else {
      throw limitError(
        'bpf-nat-global-max',
        `specified NAT tables size ${s.nat} must not exceed maximum CT table size ${s.ctTcp + s.ctAny}`,
      )
    }
  }
  if (s.sockRevNat < LIMIT_TABLE_MIN)
    throw limitError(
      'bpf-sock-rev-map-max',
      `specified Socket Reverse NAT table size ${s.sockRevNat} must be greater or equal to ${LIMIT_TABLE_MIN}`,
    )
  if (s.sockRevNat > LIMIT_TABLE_MAX)
    throw limitError(
      'bpf-sock-rev-map-max',
      `specified Socket Reverse NAT tables size ${s.sockRevNat} must not exceed maximum ${LIMIT_TABLE_MAX}`,
    )
  if (s.policy < POLICY_MAP_MIN)
    throw limitError(
      'bpf-policy-map-max',
      `specified PolicyMap max entries ${s.policy} must be greater or equal to ${POLICY_MAP_MIN}`,
    )
  if (s.policy > POLICY_MAP_MAX)
    throw limitError(
      'bpf-policy-map-max',
      `specified PolicyMap max entries ${s.policy} must not exceed maximum ${POLICY_MAP_MAX}`,
    )
  if (!(s.lb > 0))
    throw limitError('bpf-lb-map-max', `specified LBMap max entries ${s.lb} must be a value greater than 0`)
}
