import { MapBase } from './_base'
import type { OpCounts } from './opCounts'
import { PrefixIndex } from './prefixIndex'
import { BPF_ANY, BPF_EXIST, BPF_NOEXIST, type BpfMapSpec, type BpfUpdateOrigin } from './types'

/** A key's data: one 32-bit word as a number, or several words most significant first. */
export type LpmData = number | ArrayLike<number>

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
  /**
   * A number (a non-negative int32) the trie keeps beside each value for `lookupNumInto`: what the datapath
   * reads of the value (the ipcache's identity), without reading the value object
   */
  numeric?: (value: never) => number
}

/** Node layout in the trie's Int32Array: meta (prefix length | IM flag), child 0, child 1, then the data words. */
const META = 0
const CHILD0 = 1
const CHILD1 = 2
const DATA = 3
/** LPM_TREE_NODE_FLAG_IM: a branching point that holds no entry */
const IM = 1 << 16
const PLEN = 0xffff

function bitAt(data: Uint32Array, i: number): 0 | 1 {
  return ((data[i >>> 5] >>> (31 - (i & 31))) & 1) as 0 | 1
}

/**
 * BPF_MAP_TYPE_LPM_TRIE (kernel/bpf/lpm_trie.c): the kernel's own path-compressed binary trie, with its
 * intermediate nodes, so that lookup depth (reported as `lastDepth`) behaves like the kernel's. Nodes are
 * records of one Int32Array (meta, two children, the data words: 16 bytes for an ipcache node), so a walk
 * through a trie of a million prefixes reads one short line per node instead of chasing objects. Keys are
 * `struct bpf_lpm_trie_key { u32 prefixlen; u8 data[] }`; here data is a list of 32-bit words compared
 * most-significant bit first, the order in which the kernel compares the key's bytes. A full trie refuses
 * a new prefix with ENOSPC (`trie_check_add_elem`). Host bits beyond the prefix are cleared on insert
 * (the kernel keeps them but never compares them).
 */
export class BpfLpmTrie<V> extends MapBase {
  readonly maxPrefixLen: number
  /** prefix length of the entry the last `lookup` hit, −1 after a miss */
  lastPrefixLen = -1
  /**
   * Bumped by every write that succeeds (update, delete, clear): a copy of a lookup's answer made at version
   * v is the answer while the version is v (`peekNumWords`, `answeredNumWordsInto`).
   */
  version = 0
  /**
   * Answers of recent `lookupNumWordsInto` calls, direct-mapped by key (`answerOf`), 5 words each: the key's
   * words, the version + 1 they were made at, the answer (its number, −1 a miss) and its prefix length. A
   * lookup whose key's record holds it at the current version is answered from it, counted the same and
   * leaving the same last key and prefix length: a key's longest-prefix match is a function of the trie's
   * contents, which only a write changes (`version`). A policy map's lookups repeat a few (identity,
   * direction, protocol, port) keys; its prefix lengths are many (one probe each, longest first). Made on the
   * first such lookup. Simulator speed only: the kernel walks the trie every time (`lastDepth` says how deep).
   * (A version that wrapped round 2^32 writes to meet a record of its own is not guarded against.)
   */
  private answers: Int32Array | null = null
  /** the prefix length of the entry the last `peekNumWords` found, −1 after a miss */
  peekedPrefixLen = -1
  /** −1 when empty */
  private root = -1
  private count = 0
  private readonly words: number
  /** Int32s per node */
  private readonly stride: number
  private nodes: Int32Array
  private values: Array<V | undefined> = []
  /** nodes allocated so far; free ones below it are on `freeNodes` */
  private top = 0
  private freeNodes: number[] = []
  private readonly scratch: Uint32Array
  /** `update`'s masked key and the data of an intermediate node it creates: reused, never allocated per write */
  private readonly maskedKey: Uint32Array
  private readonly imData: Uint32Array
  /** (prefix length, masked key) → node, for one- and two-word keys: what `lookup` probes */
  private readonly index: PrefixIndex | null
  /** the key of the last lookup, for `lastDepth` */
  private readonly lastKey: Uint32Array
  private readonly numeric: ((value: V) => number) | null
  /**
   * While `updateMany` runs: the entries it made (all of its one prefix length), to enter in the prefix index
   * at its end: their nodes (the key is the node's) and nums, `count` of them; else null
   */
  private pending: { len: number; nodes: Int32Array; nums: Int32Array; count: number } | null = null
  /**
   * During `updateMany`: the internal nodes the last write's descent passed, root first. Its keys come in
   * address order, so consecutive ones share most of their path (19+ levels at 512k /32s): a write descends
   * from the deepest of them its key extends instead of from the root.
   */
  private finger: { path: Int32Array; length: number } | null = null

  constructor(spec: LpmTrieSpec) {
    super({ ...spec, type: 'lpm_trie', noPrealloc: true })
    const dataBits = (spec.keySize - 4) * 8
    this.maxPrefixLen = spec.maxPrefixLen ?? dataBits
    if (this.maxPrefixLen <= 0 || this.maxPrefixLen > dataBits)
      this.fail('EINVAL', `max prefix length ${this.maxPrefixLen} outside 1..${dataBits}`)
    this.words = Math.ceil(this.maxPrefixLen / 32)
    this.stride = DATA + this.words
    this.nodes = new Int32Array(16 * this.stride)
    this.scratch = new Uint32Array(this.words)
    this.maskedKey = new Uint32Array(this.words)
    this.imData = new Uint32Array(this.words)
    this.lastKey = new Uint32Array(this.words)
    this.index = this.words <= 2 ? new PrefixIndex(this.maxPrefixLen) : null
    this.numeric = (spec.numeric as ((value: V) => number) | undefined) ?? null
  }

  /**
   * Nodes the kernel's `trie_lookup_elem` visits for the last lookup's key (intermediate ones included): the
   * walk itself, done when asked (lookups answer from the prefix index, which gives the same entry).
   */
  get lastDepth(): number {
    this.walk(this.lastKey)
    return this.walkDepth
  }

  get size(): number {
    return this.count
  }

  /** Longest-prefix match of full-length `data` (`trie_lookup_elem`), counted. */
  lookup(data: LpmData, counts?: Record<string, number>): V | undefined {
    const found = this.match(data)
    this.countRead(counts, found >= 0)
    return found < 0 ? undefined : this.values[found]
  }

  /** `lookup` counted into the datapath's `OpCounts`. */
  lookupInto(data: LpmData, ops: OpCounts): V | undefined {
    const found = this.match(data)
    this.countReadInto(ops, found >= 0)
    return found < 0 ? undefined : this.values[found]
  }

  /**
   * `lookupInto` answering the entry's `numeric` number (−1 on a miss) instead of its value: the same lookup,
   * counted the same, for a trie made with `numeric`.
   */
  lookupNumInto(data: LpmData, ops: OpCounts): number {
    const found = this.match(data)
    this.countReadInto(ops, found >= 0)
    if (found < 0) return -1
    if (this.index) return this.index.lastNum
    const f = this.numeric
    return f ? f(this.values[found] as V) : 0
  }

  /**
   * `lookupNumInto` of the key data words (w0, w1) (w1 ignored for one-word keys) given as numbers: the same
   * lookup, counted the same, without a key array or the data's type test (the datapath's ipcache and policy
   * lookups, five per first packet).
   */
  lookupNumWordsInto(w0: number, w1: number, ops: OpCounts): number {
    const index = this.index
    if (index === null) return this.lookupNumInto(this.words === 1 ? w0 : [w0, w1], ops)
    const k0 = w0 | 0
    const k1 = this.words === 2 ? w1 | 0 : 0
    this.lastKey[0] = k0
    if (this.words === 2) this.lastKey[1] = k1
    const a = (this.answers ??= new Int32Array(ANSWERS * 5))
    const o = answerOf(k0, k1) * 5
    const v = (this.version + 1) | 0
    if (a[o + 2] === v && a[o] === k0 && a[o + 1] === k1) {
      const num = a[o + 3]
      this.lastPrefixLen = a[o + 4]
      this.countReadInto(ops, num >= 0)
      return num
    }
    const found = this.indexMatch(index, k0, k1)
    const num = found < 0 ? -1 : index.lastNum
    a[o] = k0
    a[o + 1] = k1
    a[o + 2] = v
    a[o + 3] = num
    a[o + 4] = this.lastPrefixLen
    this.countReadInto(ops, found >= 0)
    return num
  }

  /**
   * `lookupNumWordsInto(w0, w1, ops)` uncounted, leaving `lastPrefixLen` and the last key as they were (the
   * matched prefix length in `peekedPrefixLen`): a control-plane read of what a datapath lookup would answer
   * now, for a copy of it (with `version`). −2 when the trie has no prefix index (no copy made).
   */
  peekNumWords(w0: number, w1: number): number {
    const index = this.index
    if (index === null) return -2
    const last = this.lastPrefixLen
    const found = this.indexMatch(index, w0 | 0, this.words === 2 ? w1 | 0 : 0)
    this.peekedPrefixLen = this.lastPrefixLen
    this.lastPrefixLen = last
    return found < 0 ? -1 : index.lastNum
  }

  /**
   * The lookup `lookupNumWordsInto(w0, w1, ops)` answered by a copy of its answer made at the current
   * `version` (`num`, −1 for a miss, and its `prefixLen`): the same count, `lastPrefixLen` and last key as
   * the lookup would leave, without its probes. Returns `num`.
   */
  answeredNumWordsInto(w0: number, w1: number, num: number, prefixLen: number, ops: OpCounts): number {
    this.lastKey[0] = w0 | 0
    if (this.words === 2) this.lastKey[1] = w1 | 0
    this.lastPrefixLen = num < 0 ? -1 : prefixLen
    this.countReadInto(ops, num >= 0)
    return num
  }

  /** The node of the longest prefix matching `data`, or −1; sets `lastPrefixLen`. */
  private match(data: LpmData): number {
    const key = this.keyData(data)
    const k0 = key[0] | 0
    const k1 = this.words === 2 ? key[1] | 0 : 0
    this.lastKey[0] = k0
    if (this.words === 2) this.lastKey[1] = k1
    else for (let w = 1; w < this.words; w++) this.lastKey[w] = key[w]
    const index = this.index
    if (!index) {
      const n = this.walk(key)
      this.lastPrefixLen = n >= 0 ? this.plen(n) : -1
      return n
    }
    return this.indexMatch(index, k0, k1)
  }

  /** The node of the longest prefix of key words (k0, k1) in the prefix index, or −1; sets `lastPrefixLen`. */
  private indexMatch(index: PrefixIndex, k0: number, k1: number): number {
    const lengths = index.lengths
    for (let i = 0; i < lengths.length; i++) {
      const len = lengths[i]
      let n: number
      if (len > 32) n = index.find(len, k0, len === 64 ? k1 : k1 & (0xffffffff << (64 - len)))
      else n = index.find(len, len === 0 ? 0 : k0 & (0xffffffff << (32 - len)), 0)
      if (n >= 0) {
        this.lastPrefixLen = len
        return n
      }
    }
    this.lastPrefixLen = -1
    return -1
  }

  private walkDepth = 0

  /** The kernel's walk (`trie_lookup_elem`): the node of the longest match or −1; sets `walkDepth`. */
  private walk(key: Uint32Array): number {
    const max = this.maxPrefixLen
    const a = this.nodes
    const stride = this.stride
    let found = -1
    let depth = 0
    if (this.words === 1) {
      // one-word keys (ipcache): the same walk with the match length computed inline
      const k0 = key[0]
      for (let node = this.root; node >= 0; ) {
        depth++
        const o = node * stride
        const meta = a[o + META]
        const plen = meta & PLEN
        const x = (a[o + DATA] ^ k0) >>> 0
        const m = Math.min(x === 0 ? 32 : Math.clz32(x), plen, max)
        if (m === max) {
          found = node
          break
        }
        if (m < plen) break
        if (!(meta & IM)) found = node
        node = (k0 >>> (31 - plen)) & 1 ? a[o + CHILD1] : a[o + CHILD0]
      }
    } else
      for (let node = this.root; node >= 0; ) {
        depth++
        const o = node * stride
        const meta = a[o + META]
        const plen = meta & PLEN
        const m = this.matchLen(node, key, max)
        if (m === max) {
          found = node
          break
        }
        if (m < plen) break
        if (!(meta & IM)) found = node
        node = bitAt(key, plen) ? a[o + CHILD1] : a[o + CHILD0]
      }
    this.walkDepth = depth
    return found
  }

  /** The entry stored at exactly this prefix, not counted. */
  peek(prefixLen: number, data: LpmData): V | undefined {
    const key = this.keyData(data)
    if (this.index && prefixLen >= 0 && prefixLen <= this.maxPrefixLen) {
      // the index holds exactly the entries (no intermediate nodes), keyed by their masked data
      const n =
        prefixLen > 32
          ? this.index.find(
              prefixLen,
              key[0] | 0,
              prefixLen === 64 ? key[1] | 0 : key[1] & (0xffffffff << (64 - prefixLen)),
            )
          : this.index.find(prefixLen, prefixLen === 0 ? 0 : key[0] & (0xffffffff << (32 - prefixLen)), 0)
      return n >= 0 ? this.values[n] : undefined
    }
    const node = this.find(prefixLen, key)
    return node >= 0 && !this.isIm(node) ? this.values[node] : undefined
  }

  has(prefixLen: number, data: LpmData): boolean {
    return this.peek(prefixLen, data) !== undefined
  }

  /**
   * `trie_update_elem`. `num`: the value's `numeric` number when the caller has it at hand (it must be what
   * `spec.numeric(value)` gives): a bulk writer then does not read every value object again (the initial
   * sync's 512k ipcache /32s in address order point at 65k shared values in no order: ~150 ms of reads).
   */
  update(
    prefixLen: number,
    data: LpmData,
    value: V,
    flags: number = BPF_ANY,
    counts?: Record<string, number>,
    origin: BpfUpdateOrigin = 'syscall',
    num = -1,
  ): void {
    this.checkFlags(flags)
    if (!(prefixLen >= 0 && prefixLen <= this.maxPrefixLen && Number.isInteger(prefixLen)))
      this.fail('EINVAL', `prefix length ${prefixLen} outside 0..${this.maxPrefixLen}`)
    const key = this.masked(prefixLen, this.keyData(data))
    let parent = -1
    let bit: 0 | 1 = 0
    let node = this.root
    let m = 0
    const f = this.finger
    if (f !== null) {
      // the descent starts below the deepest node of the last write's path that the key extends: a node
      // whose prefix the key matches lies on the key's path (its ancestors' prefixes are prefixes of its own)
      let k = f.length
      while (k > 0 && this.matchLen(f.path[k - 1], key, prefixLen) !== this.plen(f.path[k - 1])) k--
      f.length = k
      if (k > 0) {
        parent = f.path[k - 1]
        bit = bitAt(key, this.plen(parent))
        node = this.child(parent, bit)
      }
    }
    while (node >= 0) {
      m = this.matchLen(node, key, prefixLen)
      const plen = this.plen(node)
      if (plen !== m || plen === prefixLen || plen === this.maxPrefixLen) break
      parent = node
      if (f !== null) f.path[f.length++] = node
      bit = bitAt(key, plen)
      node = this.child(node, bit)
    }
    if (node < 0) {
      this.checkAdd(flags)
      const fresh = this.newNode(prefixLen, false, key, value)
      this.link(parent, bit, fresh)
      this.indexAdd(prefixLen, key, fresh, value, num)
    } else if (this.plen(node) === m && m === prefixLen) {
      // the kernel allocates a replacement node and frees the old one; rewriting it in place is the same trie
      const wasIm = this.isIm(node)
      if (!wasIm) {
        if (flags === BPF_NOEXIST) this.fail('EEXIST', `prefix /${prefixLen} exists (BPF_NOEXIST)`)
      } else this.checkAdd(flags)
      if (wasIm) this.indexAdd(prefixLen, key, node, value, num)
      else if (this.index && this.numeric) {
        // the entry may be one `updateMany` has not entered in the index yet
        this.flushPending()
        this.index.setNum(prefixLen, key[0], this.words === 2 ? key[1] : 0, this.numOf(value, num))
      }
      const o = node * this.stride
      this.nodes[o + META] = prefixLen
      for (let w = 0; w < this.words; w++) this.nodes[o + DATA + w] = key[w]
      this.values[node] = value
    } else {
      this.checkAdd(flags)
      const fresh = this.newNode(prefixLen, false, key, value)
      this.indexAdd(prefixLen, key, fresh, value, num)
      if (m === prefixLen) {
        this.setChild(fresh, this.bitOfNode(node, m), node)
        this.link(parent, bit, fresh)
      } else {
        const d = this.imData
        for (let w = 0, o = node * this.stride + DATA; w < this.words; w++) d[w] = this.nodes[o + w]
        const im = this.newNode(m, true, d, undefined)
        const b = bitAt(key, m)
        this.setChild(im, b, fresh)
        this.setChild(im, b ? 0 : 1, node)
        this.link(parent, bit, im)
      }
    }
    this.version++
    this.counters.updates++
    this.countWrite(counts, origin, false)
  }

  /**
   * `update(prefixLen, bases[i], values[i], BPF_ANY, counts, 'syscall', nums[i])` for each position `i` of
   * `order`, in that order (one-word keys: a bulk write such as the initial sync's ipcache flush). The same
   * trie, errors and counts; the prefix index receives the new entries at the end, in the order of its
   * buckets (`PrefixIndex.addMany`) rather than one random bucket per write. `nums`: each value's `numeric`.
   */
  updateMany(
    prefixLen: number,
    bases: ArrayLike<number>,
    values: ArrayLike<V | undefined>,
    nums: ArrayLike<number>,
    order: ArrayLike<number>,
    counts?: Record<string, number>,
  ): void {
    // at most one new entry per write: columns sized for them at once
    const n = order.length
    this.pending = this.index
      ? { len: prefixLen, nodes: new Int32Array(n), nums: new Int32Array(n), count: 0 }
      : null
    // nodes are only added while it runs, so the last write's path stays a chain of ancestors (`finger`)
    this.finger = { path: new Int32Array(this.maxPrefixLen + 1), length: 0 }
    try {
      for (let j = 0; j < order.length; j++) {
        const i = order[j]
        this.update(prefixLen, bases[i], values[i] as V, BPF_ANY, counts, 'syscall', nums[i])
      }
    } finally {
      this.finger = null
      this.flushPending()
      this.pending = null
    }
  }

  /** Enters `updateMany`'s new entries in the prefix index. */
  private flushPending(): void {
    const p = this.pending
    const index = this.index
    if (!p || !index || p.count === 0) return
    const n = p.count
    const w0 = new Int32Array(n)
    const w1 = this.words === 2 ? new Int32Array(n) : w0
    for (let j = 0; j < n; j++) {
      const o = p.nodes[j] * this.stride + DATA
      w0[j] = this.nodes[o]
      if (this.words === 2) w1[j] = this.nodes[o + 1]
    }
    index.addMany(p.len, n, w0, w1, p.nodes, p.nums)
    p.count = 0
  }

  /**
   * Makes room for `entries` more prefixes (their nodes, intermediate ones included, and the prefix index)
   * in one allocation each, for a bulk write of a known count; not a kernel operation, and the memory figure
   * is unchanged. Growing by doubling allocated every intermediate size of a million-node trie.
   */
  reserve(entries: number): void {
    const need = (this.top + 2 * entries) * this.stride
    if (need > this.nodes.length) {
      let n = this.nodes.length
      while (n < need) n *= 2
      const grown = new Int32Array(n)
      grown.set(this.nodes)
      this.nodes = grown
    }
    // the values by node too (a JS array grown by a store past its end copied itself at every growth step)
    const nodes = this.top + 2 * entries
    if (nodes > this.values.length) {
      const values: Array<V | undefined> = new Array(nodes).fill(undefined)
      for (let i = 0; i < this.top; i++) values[i] = this.values[i]
      this.values = values
    }
    this.index?.reserve(this.count + entries)
  }

  /** `trie_delete_elem`, including its clean-up of a now useless intermediate parent. */
  delete(
    prefixLen: number,
    data: LpmData,
    counts?: Record<string, number>,
    origin: BpfUpdateOrigin = 'syscall',
  ): void {
    const key = this.keyData(data)
    let grand = -1
    let grandBit: 0 | 1 = 0
    let parent = -1
    let bit: 0 | 1 = 0
    let node = this.root
    let m = 0
    while (node >= 0) {
      m = this.matchLen(node, key, prefixLen)
      const plen = this.plen(node)
      if (plen !== m || plen === prefixLen) break
      grand = parent
      grandBit = bit
      parent = node
      bit = bitAt(key, plen)
      node = this.child(node, bit)
    }
    if (node < 0 || this.plen(node) !== prefixLen || this.plen(node) !== m || this.isIm(node))
      this.fail('ENOENT', `no entry for prefix /${prefixLen}`)
    this.count--
    if (this.index) {
      const o = node * this.stride + DATA
      this.index.remove(prefixLen, this.nodes[o], this.words === 2 ? this.nodes[o + 1] : 0)
    }
    const c0 = this.child(node, 0)
    const c1 = this.child(node, 1)
    if (c0 >= 0 && c1 >= 0) {
      this.nodes[node * this.stride + META] |= IM
      this.values[node] = undefined
    } else if (parent >= 0 && this.isIm(parent) && c0 < 0 && c1 < 0) {
      const sibling = this.child(parent, 0) === node ? this.child(parent, 1) : this.child(parent, 0)
      this.link(grand, grandBit, sibling)
      this.freeNode(parent)
      this.freeNode(node)
    } else {
      this.link(parent, bit, c0 >= 0 ? c0 : c1)
      this.freeNode(node)
    }
    this.version++
    this.counters.deletes++
    this.countWrite(counts, origin, true)
  }

  /** Entries in trie order (shorter prefixes before the longer ones under them). */
  *entries(): IterableIterator<LpmEntry<V>> {
    const stack: number[] = this.root >= 0 ? [this.root] : []
    while (stack.length) {
      const n = stack.pop() as number
      if (!this.isIm(n))
        yield { prefixLen: this.plen(n), data: Array.from(this.dataOf(n)), value: this.values[n] as V }
      const c1 = this.child(n, 1)
      const c0 = this.child(n, 0)
      if (c1 >= 0) stack.push(c1)
      if (c0 >= 0) stack.push(c0)
    }
  }

  clear(): void {
    this.version++
    this.index?.clear()
    this.root = -1
    this.count = 0
    this.top = 0
    this.freeNodes = []
    this.values = []
  }

  /** Copies the key into a scratch Uint32Array so the walk reads one array kind (monomorphic, no boxing). */
  private keyData(data: LpmData): Uint32Array {
    const k = this.scratch
    const n = this.words
    if (typeof data === 'number') {
      k[0] = data
      for (let w = 1; w < n; w++) k[w] = 0
    } else for (let w = 0; w < n; w++) k[w] = w < data.length ? data[w] : 0
    return k
  }

  /** `data` masked to `prefixLen`, in `maskedKey` (valid until the next call). */
  private masked(prefixLen: number, data: Uint32Array): Uint32Array {
    const out = this.maskedKey
    for (let w = 0; w < this.words; w++) {
      const keep = Math.max(0, Math.min(32, prefixLen - w * 32))
      const mask = keep === 0 ? 0 : keep === 32 ? 0xffffffff : (0xffffffff << (32 - keep)) >>> 0
      out[w] = data[w] & mask
    }
    return out
  }

  /** `longest_prefix_match`: leading bits equal, capped at both prefix lengths. */
  private matchLen(node: number, key: Uint32Array, keyPrefixLen: number): number {
    const o = node * this.stride
    const limit = Math.min(this.nodes[o + META] & PLEN, keyPrefixLen)
    let n = 0
    for (let w = 0; n < limit && w < this.words; w++) {
      const x = (this.nodes[o + DATA + w] ^ key[w]) >>> 0
      if (x !== 0) {
        n += Math.clz32(x)
        break
      }
      n += 32
    }
    return Math.min(n, limit)
  }

  private find(prefixLen: number, key: Uint32Array): number {
    let node = this.root
    while (node >= 0) {
      const m = this.matchLen(node, key, prefixLen)
      const plen = this.plen(node)
      if (m !== plen) return -1
      if (plen === prefixLen) return node
      node = this.child(node, bitAt(key, plen))
    }
    return -1
  }

  private plen(node: number): number {
    return this.nodes[node * this.stride + META] & PLEN
  }

  private isIm(node: number): boolean {
    return (this.nodes[node * this.stride + META] & IM) !== 0
  }

  private child(node: number, bit: 0 | 1): number {
    return this.nodes[node * this.stride + (bit ? CHILD1 : CHILD0)]
  }

  private setChild(node: number, bit: 0 | 1, child: number): void {
    this.nodes[node * this.stride + (bit ? CHILD1 : CHILD0)] = child
  }

  /** A copy of the node's data words. */
  private dataOf(node: number): Uint32Array {
    const o = node * this.stride + DATA
    return Uint32Array.from(this.nodes.subarray(o, o + this.words))
  }

  private bitOfNode(node: number, i: number): 0 | 1 {
    const w = this.nodes[node * this.stride + DATA + (i >>> 5)] >>> 0
    return ((w >>> (31 - (i & 31))) & 1) as 0 | 1
  }

  private newNode(prefixLen: number, intermediate: boolean, data: Uint32Array, value: V | undefined): number {
    let n = this.freeNodes.pop()
    if (n === undefined) {
      if ((this.top + 1) * this.stride > this.nodes.length) {
        const grown = new Int32Array(this.nodes.length * 2)
        grown.set(this.nodes)
        this.nodes = grown
      }
      n = this.top++
    }
    const o = n * this.stride
    this.nodes[o + META] = prefixLen | (intermediate ? IM : 0)
    this.nodes[o + CHILD0] = -1
    this.nodes[o + CHILD1] = -1
    for (let w = 0; w < this.words; w++) this.nodes[o + DATA + w] = data[w]
    this.values[n] = value
    return n
  }

  private indexAdd(prefixLen: number, key: Uint32Array, node: number, value: V, num: number): void {
    const p = this.pending
    if (p && this.index && prefixLen === p.len) {
      p.nodes[p.count] = node
      p.nums[p.count++] = this.numOf(value, num)
      return
    }
    this.index?.add(prefixLen, key[0], this.words === 2 ? key[1] : 0, node, this.numOf(value, num))
  }

  /** The index's number for `value`: `num` when the caller gave it (≥ 0), else `spec.numeric(value)`; 0 without one. */
  private numOf(value: V, num: number): number {
    if (!this.numeric) return 0
    return num >= 0 ? num : this.numeric(value)
  }

  private freeNode(node: number): void {
    this.values[node] = undefined
    this.freeNodes.push(node)
  }

  private checkAdd(flags: number): void {
    if (flags === BPF_EXIST) this.fail('ENOENT', 'prefix absent (BPF_EXIST)')
    if (this.count >= this.spec.maxEntries) this.fail('ENOSPC', `trie full (${this.spec.maxEntries} entries)`)
    this.count++
  }

  private link(parent: number, bit: 0 | 1, node: number): void {
    if (parent < 0) this.root = node
    else this.setChild(parent, bit, node)
  }
}

/** Records of `BpfLpmTrie.answers` (5 KiB). */
const ANSWERS = 256

/** The record of `BpfLpmTrie.answers` that key words (k0, k1) go to. */
function answerOf(k0: number, k1: number): number {
  return (Math.imul(k0 ^ Math.imul(k1, 0x85ebca6b), 0x9e3779b1) >>> 24) & (ANSWERS - 1)
}
