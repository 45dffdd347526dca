/** Map types modeled, named as `bpftool map show` prints them. */
export type BpfMapType = 'hash' | 'lru_hash' | 'lpm_trie' | 'array' | 'hash_of_maps'

/** `BPF_ANY`: create or replace. */
export const BPF_ANY = 0
/** `BPF_NOEXIST`: create only; EEXIST when the key is present. */
export const BPF_NOEXIST = 1
/** `BPF_EXIST`: replace only; ENOENT when the key is absent. */
export const BPF_EXIST = 2
export type BpfUpdateFlag = typeof BPF_ANY | typeof BPF_NOEXIST | typeof BPF_EXIST

/** What `bpf(BPF_MAP_CREATE)` is given. Sizes are the C struct sizes in bytes. */
export interface BpfMapSpec {
  name: string
  type: BpfMapType
  keySize: number
  valueSize: number
  maxEntries: number
  /**
   * `BPF_F_NO_PREALLOC`: elements are allocated on insert instead of up front. Ignored for LRU and ARRAY
   * maps (always preallocated) and implied for LPM tries (the kernel requires it).
   */
  noPrealloc?: boolean
  /** possible CPUs, for the per-CPU parts of the memory figure (default 2, the anchors' VM) */
  possibleCpus?: number
}

/** Operation counters, as a map accumulates them over its life (the cost model reads them). */
export interface BpfMapCounters {
  lookups: number
  hits: number
  misses: number
  updates: number
  deletes: number
  evictions: number
  /** updates or deletes refused with an errno */
  errors: number
}

/**
 * Keys under which a map counts its operations into a `Cost.counts` record: `bpf.lookup.hash:cilium_lxc`;
 * `modelCost` falls back from there to the constant `bpf.lookup.hash` (see `EBPF_MAP_CONSTANTS`).
 */
export interface BpfCostKeys {
  lookup: string
  /** an update from user space (the agent): one bpf() syscall */
  update: string
  /** a write (update or delete) made by a BPF program through the helper: conntrack create, NAT, affinity */
  progUpdate: string
  delete: string
}

/** Who performs a write: the agent through the bpf() syscall, or a BPF program through the helper. */
export type BpfUpdateOrigin = 'syscall' | 'prog'

/** One row of `bpftool map show`. */
export interface BpfMapInfo {
  /** the pinned name (/sys/fs/bpf/tc/globals/<name>) */
  name: string
  /** the name the kernel keeps, cut to BPF_OBJ_NAME_LEN − 1 = 15 characters, as bpftool prints it */
  kernelName: string
  type: BpfMapType
  keySize: number
  valueSize: number
  maxEntries: number
  entries: number
  /** `flags 0x1` when BPF_F_NO_PREALLOC */
  flags: number
  /** the kernel's `map_mem_usage` figure that bpftool prints as memlock */
  memlock: number
}

/** What every map type answers, whatever its key shape. */
export interface BpfMapBase {
  readonly spec: Readonly<BpfMapSpec>
  readonly counters: BpfMapCounters
  readonly costKeys: BpfCostKeys
  /** entries currently present */
  readonly size: number
  /** the memlock figure `bpftool map show` prints for this map now */
  memlock(): number
  info(): BpfMapInfo
  resetCounters(): void
  /** throws E2BIG / ENOSPC if `newEntries` more keys would not fit (agent-side all-or-nothing check) */
  checkRoom(newEntries: number): void
}

/** Keys of hash-type maps: a number, or a string packing a C struct's fields (see `packKey`). */
export type BpfKey = number | string

/** The operations shared by HASH and LRU_HASH maps, so a wrapper can hold either. */
export interface BpfKeyedMap<K extends BpfKey, V> extends BpfMapBase {
  /** datapath lookup: counted (and marks an LRU entry referenced); adds 1 to `counts[costKeys.lookup]` */
  lookup(key: K, counts?: Record<string, number>): V | undefined
  /** control-plane read: not counted, no LRU reference */
  peek(key: K): V | undefined
  has(key: K): boolean
  update(key: K, value: V, flags?: number, counts?: Record<string, number>, origin?: BpfUpdateOrigin): void
  delete(key: K, counts?: Record<string, number>, origin?: BpfUpdateOrigin): void
  entries(): IterableIterator<[K, V]>
  keys(): IterableIterator<K>
  clear(): void
}
