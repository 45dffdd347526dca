/** `--bpf-lb-maglev-hash-seed` default (pkg/maglev DefaultHashSeed): base64 of 12 random bytes. */
export const DEFAULT_MAGLEV_HASH_SEED = 'JLfvgnHc2kaSUFaI'

/** The three seeds Cilium derives from the hash seed: murmur3 for tables, two jhash seeds for the datapath. */
export interface MaglevSeeds {
  murmur: number
  /** HASH_INIT4_SEED, used by `__hash_from_tuple_v4` */
  jhash0: number
  /** HASH_INIT6_SEED */
  jhash1: number
}

/** Decodes a seed as `maglev.Config` does: 12 bytes, three big-endian u32. Throws RangeError otherwise. */
export function decodeMaglevSeed(seed: string = DEFAULT_MAGLEV_HASH_SEED): MaglevSeeds {
  const d = Buffer.from(seed, 'base64')
  if (d.length !== 12 || d.toString('base64') !== seed)
    throw new RangeError(`Maglev hash seed must be base64 of 12 bytes, got ${JSON.stringify(seed)}`)
  return { murmur: d.readUInt32BE(0), jhash0: d.readUInt32BE(4), jhash1: d.readUInt32BE(8) }
}
