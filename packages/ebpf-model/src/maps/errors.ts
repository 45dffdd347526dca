/** The errno values the kernel's BPF map syscalls return for the semantics modeled here. */
export type BpfErrno = 'E2BIG' | 'ENOSPC' | 'EEXIST' | 'ENOENT' | 'EINVAL'

/**
 * A failed map operation, as `bpf(BPF_MAP_UPDATE_ELEM | BPF_MAP_DELETE_ELEM)` reports it: the errno and the
 * map it came from (Cilium logs "Unable to update element for <map>: <errno>" in the same shape).
 */
export class BpfMapError extends Error {
  override readonly name = 'BpfMapError'
  constructor(
    readonly errno: BpfErrno,
    readonly map: string,
    detail: string,
  ) {
    super(`${map}: ${errno}: ${detail}`)
  }
}

export function isBpfMapError(e: unknown, errno?: BpfErrno): e is BpfMapError {
  return e instanceof BpfMapError && (errno === undefined || e.errno === errno)
}
