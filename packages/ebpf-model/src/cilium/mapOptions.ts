import type { BpfMapSpec } from '../maps/types'
import type { CiliumMapLayout } from './layouts'

/** How the agent creates its maps: `preallocate-bpf-maps`, a max_entries override, the CPU count. */
export interface CiliumMapOptions {
  /** max_entries (default: the layout's, i.e. Cilium's default or the sized value) */
  maxEntries?: number
  /** `preallocate-bpf-maps` (default false in Cilium 1.16) */
  preallocate?: boolean
  possibleCpus?: number
}

/**
 * The BpfMapSpec Cilium's loader creates for a layout (pinned name `name`, default the layout's), without the
 * type, which the primitive constructed for it sets.
 */
export function specFor(
  layout: CiliumMapLayout,
  opts: CiliumMapOptions = {},
  name: string = layout.name,
): Omit<BpfMapSpec, 'type'> {
  return {
    name,
    keySize: layout.keySize,
    valueSize: layout.valueSize,
    maxEntries: opts.maxEntries ?? layout.maxEntries,
    noPrealloc: layout.prealloc === 'never' || (layout.prealloc === 'conditional' && !opts.preallocate),
    possibleCpus: opts.possibleCpus,
  }
}
