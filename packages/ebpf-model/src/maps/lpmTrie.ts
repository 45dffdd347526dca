import { MapBase } from './_base'
import { BPF_ANY, BPF_EXIST, BPF_NOEXIST, type BpfMapSpec, type BpfUpdateOrigin } from './types'

/** A key's data: one 32-bit word as a number, or several words most significant first. */
export type LpmData = number | ArrayLike<number>

interface LpmNode<V> {
  prefixLen: number
  /** data[0] again as a plain field: the one-word walk reads it without touching the typed array */
  d0: number
  data: Uint32Array
  value: V | undefined
  /** LPM_TREE_NODE_FLAG_IM: a branching point that holds no entry */
  intermediate: boolean
  child0: LpmNode<V> | null
  child1: LpmNode<V> | null
}

/** One entry of an LPM trie, as a dump lists it. */
export interface LpmEntry<V> {
  prefixLen: number
  data: number[]
  value: V
}

export interface LpmTrieSpec extends Omit<BpfMapSpec, 'type'> {
  type?: 'lpm_trie'
  /** bits of key data the prefix length may cover; default (keySize − 4) × 8 */
  maxPrefixLen?: number
}

function bitAt(data: Uint32Array, i: number): 0 | 1 {
  return ((data[i >>> 5] >>> (31 - (i & 31))) & 1) as 0 | 1
}

/**
 * BPF_MAP_TYPE_LPM_TRIE (kernel/bpf/lpm_trie.c): the kernel's own path-compressed binary trie, with its
 * intermediate nodes, so that lookup depth (reported as `lastDepth`) behaves like the kernel's. Keys are
 * `struct bpf_lpm_trie_key { u32 prefixlen; u8 data[] }`; here data is a list of 32-bit words compared
 * most-significant bit first, the order in which the kernel compares the key's bytes. A full trie refuses
 * a new prefix with ENOSPC (`trie_check_add_elem`). Host bits beyond the prefix are cleared on insert
 * (the kernel keeps them but never compares them).
 */
export class BpfLpmTrie<V> extends MapBase {
  readonly maxPrefixLen: number
  /** prefix length of the entry the last `lookup` hit, −1 after a miss */
  lastPrefixLen = -1
  /** nodes visited by the last `lookup` (intermediate ones included) */
  lastDepth = 0
  private root: LpmNode<V> | null = null
  private count = 0
  private readonly words: number
  private readonly scratch: Uint32Array

  constructor(spec: LpmTrieSpec) {
    super({ ...spec, type: 'lpm_trie', noPrealloc: true })
    const dataBits = (spec.keySize - 4) * 8
    this.maxPrefixLen = spec.maxPrefixLen ?? dataBits
    if (this.maxPrefixLen <= 0 || this.maxPrefixLen > dataBits)
      this.fail('EINVAL', `max prefix length ${this.maxPrefixLen} outside 1..${dataBits}`)
    this.words = Math.ceil(this.maxPrefixLen / 32)
    this.scratch = new Uint32Array(this.words)
  }

  get size(): number {
    return this.count
  }

  /** Longest-prefix match of full-length `data` (`trie_lookup_elem`), counted. */
  lookup(data: LpmData, counts?: Record<string, number>): V | undefined {
    const key = this.keyData(data)
    const max = this.maxPrefixLen
    let found: LpmNode<V> | null = null
    let depth = 0
    if (this.words === 1) {
      // one-word keys (ipcache): the same walk with the match length computed inline
      const k0 = key[0]
      for (let node = this.root; node; ) {
        depth++
        const x = (node.d0 ^ k0) >>> 0
        const m = Math.min(x === 0 ? 32 : Math.clz32(x), node.prefixLen, max)
        if (m === max) {
          found = node
          break
        }
        if (m < node.prefixLen) break
        if (!node.intermediate) found = node
        node = (k0 >>> (31 - node.prefixLen)) & 1 ? node.child1 : node.child0
      }
    } else
      for (let node = this.root; node; ) {
        depth++
        const m = this.matchLen(node, key, max)
        if (m === max) {
          found = node
          break
        }
        if (m < node.prefixLen) break
        if (!node.intermediate) found = node
        node = bitAt(key, node.prefixLen) ? node.child1 : node.child0
      }
    this.lastDepth = depth
    this.countRead(counts, found !== null)
    if (!found) {
      this.lastPrefixLen = -1
      return undefined
    }
    this.lastPrefixLen = found.prefixLen
    return found.value
  }

  /** The entry stored at exactly this prefix, not counted. */
  peek(prefixLen: number, data: LpmData): V | undefined {
    const node = this.find(prefixLen, this.keyData(data))
    return node && !node.intermediate ? node.value : undefined
  }

  has(prefixLen: number, data: LpmData): boolean {
    return this.peek(prefixLen, data) !== undefined
  }

  /** `trie_update_elem`. */
  update(
    prefixLen: number,
    data: LpmData,
    value: V,
    flags: number = BPF_ANY,
    counts?: Record<string, number>,
    origin: BpfUpdateOrigin = 'syscall',
  ): void {
    this.checkFlags(flags)
    if (!(prefixLen >= 0 && prefixLen <= this.maxPrefixLen && Number.isInteger(prefixLen)))
      this.fail('EINVAL', `prefix length ${prefixLen} outside 0..${this.maxPrefixLen}`)
    const key = this.masked(prefixLen, this.keyData(data))
    const fresh: LpmNode<V> = {
      prefixLen,
      d0: key[0],
      data: key,
      value,
      intermediate: false,
      child0: null,
      child1: null,
    }
    let parent: LpmNode<V> | null = null
    let bit: 0 | 1 = 0
    let node = this.root
    let m = 0
    while (node) {
      m = this.matchLen(node, key, prefixLen)
      if (node.prefixLen !== m || node.prefixLen === prefixLen || node.prefixLen === this.maxPrefixLen) break
      parent = node
      bit = bitAt(key, node.prefixLen)
      node = bit ? node.child1 : node.child0
    }
    if (!node) {
      this.checkAdd(flags)
      this.link(parent, bit, fresh)
    } else if (node.prefixLen === m && m === prefixLen) {
      if (!node.intermediate) {
        if (flags === BPF_NOEXIST) this.fail('EEXIST', `prefix /${prefixLen} exists (BPF_NOEXIST)`)
      } else this.checkAdd(flags)
      fresh.child0 = node.child0
      fresh.child1 = node.child1
      this.link(parent, bit, fresh)
    } else {
      this.checkAdd(flags)
      if (m === prefixLen) {
        if (bitAt(node.data, m)) fresh.child1 = node
        else fresh.child0 = node
        this.link(parent, bit, fresh)
      } else {
        const im: LpmNode<V> = {
          prefixLen: m,
          d0: node.d0,
          data: node.data.slice(),
          value: undefined,
          intermediate: true,
          child0: null,
          child1: null,
        }
        if (bitAt(key, m)) {
          im.child0 = node
          im.child1 = fresh
        } else {
          im.child0 = fresh
          im.child1 = node
        }
        this.link(parent, bit, im)
      }
    }
    this.counters.updates++
    this.countWrite(counts, origin, false)
  }

  /** `trie_delete_elem`, including its clean-up of a now useless intermediate parent. */
  delete(
    prefixLen: number,
    data: LpmData,
    counts?: Record<string, number>,
    origin: BpfUpdateOrigin = 'syscall',
  ): void {
    const key = this.keyData(data)
    let grand: LpmNode<V> | null = null
    let grandBit: 0 | 1 = 0
    let parent: LpmNode<V> | null = null
    let bit: 0 | 1 = 0
    let node = this.root
    let m = 0
    while (node) {
      m = this.matchLen(node, key, prefixLen)
      if (node.prefixLen !== m || node.prefixLen === prefixLen) break
      grand = parent
      grandBit = bit
      parent = node
      bit = bitAt(key, node.prefixLen)
      node = bit ? node.child1 : node.child0
    }
    if (!node || node.prefixLen !== prefixLen || node.prefixLen !== m || node.intermediate)
      this.fail('ENOENT', `no entry for prefix /${prefixLen}`)
    this.count--
    if (node.child0 && node.child1) {
      node.intermediate = true
      node.value = undefined
    } else if (parent?.intermediate && !node.child0 && !node.child1) {
      this.link(grand, grandBit, parent.child0 === node ? parent.child1 : parent.child0)
    } else {
      this.link(parent, bit, node.child0 ?? node.child1)
    }
    this.counters.deletes++
    this.countWrite(counts, origin, true)
  }

  /** Entries in trie order (shorter prefixes before the longer ones under them). */
  *entries(): IterableIterator<LpmEntry<V>> {
    const stack: LpmNode<V>[] = this.root ? [this.root] : []
    while (stack.length) {
      const n = stack.pop()!
      if (!n.intermediate) yield { prefixLen: n.prefixLen, data: Array.from(n.data), value: n.value as V }
      if (n.child1) stack.push(n.child1)
      if (n.child0) stack.push(n.child0)
    }
  }

  clear(): void {
    this.root = null
    this.count = 0
  }

  /** Copies the key into a scratch Uint32Array so the walk reads one array kind (monomorphic, no boxing). */
  private keyData(data: LpmData): Uint32Array {
    const k = this.scratch
    if (typeof data === 'number') {
      k[0] = data
      for (let w = 1; w < k.length; w++) k[w] = 0
    } else for (let w = 0; w < k.length; w++) k[w] = data[w] ?? 0
    return k
  }

  private masked(prefixLen: number, data: Uint32Array): Uint32Array {
    const out = new Uint32Array(this.words)
    for (let w = 0; w < this.words; w++) {
      const keep = Math.max(0, Math.min(32, prefixLen - w * 32))
      const mask = keep === 0 ? 0 : keep === 32 ? 0xffffffff : (0xffffffff << (32 - keep)) >>> 0
      out[w] = data[w] & mask
    }
    return out
  }

  /** `longest_prefix_match`: leading bits equal, capped at both prefix lengths. */
  private matchLen(node: LpmNode<V>, key: Uint32Array, keyPrefixLen: number): number {
    const limit = Math.min(node.prefixLen, keyPrefixLen)
    let n = 0
    for (let w = 0; n < limit && w < this.words; w++) {
      const x = (node.data[w] ^ key[w]) >>> 0
      if (x !== 0) {
        n += Math.clz32(x)
        break
      }
      n += 32
    }
    return Math.min(n, limit)
  }

  private find(prefixLen: number, key: Uint32Array): LpmNode<V> | null {
    let node = this.root
    while (node) {
      const m = this.matchLen(node, key, prefixLen)
      if (m !== node.prefixLen) return null
      if (node.prefixLen === prefixLen) return node
      node = bitAt(key, node.prefixLen) ? node.child1 : node.child0
    }
    return null
  }

  private checkAdd(flags: number): void {
    if (flags === BPF_EXIST) this.fail('ENOENT', 'prefix absent (BPF_EXIST)')
    if (this.count >= this.spec.maxEntries) this.fail('ENOSPC', `trie full (${this.spec.maxEntries} entries)`)
    this.count++
  }

  private link(parent: LpmNode<V> | null, bit: 0 | 1, node: LpmNode<V> | null): void {
    if (!parent) this.root = node
    else if (bit) parent.child1 = node
    else parent.child0 = node
  }
}
