/**
 * SHA-256 (FIPS 180-4) of a short string, in place over preallocated words: kube-proxy hashes one name per
 * chain (600k at 100k services × 5 endpoints), and node's crypto.hash spends more on the call and the
 * Buffer than on the hash itself for inputs this small. Returns the first 10 digest bytes (what the 16 base32
 * characters of a chain name use) in `out`. Strings are encoded as UTF-8.
 */
const K = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
  0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
  0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
  0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
  0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
  0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
  0xc67178f2,
])
const W = new Uint32Array(64)
const H = new Uint32Array(8)
let buf = new Uint8Array(256)
const encoder = new TextEncoder()

export function sha256Prefix10(text: string, out: Uint8Array): void {
  let n = text.length
  let ascii = true
  for (let i = 0; i < n; i++) if (text.charCodeAt(i) > 127) ascii = false
  let bytes: Uint8Array
  if (ascii) {
    const need = ((n + 9 + 63) >> 6) << 6
    if (buf.length < need) buf = new Uint8Array(need * 2)
    for (let i = 0; i < n; i++) buf[i] = text.charCodeAt(i)
    bytes = buf
  } else {
    const enc = encoder.encode(text)
    n = enc.length
    const need = ((n + 9 + 63) >> 6) << 6
    if (buf.length < need) buf = new Uint8Array(need * 2)
    buf.set(enc)
    bytes = buf
  }
  const total = ((n + 9 + 63) >> 6) << 6
  bytes[n] = 0x80
  bytes.fill(0, n + 1, total)
  const bits = n * 8
  bytes[total - 4] = (bits >>> 24) & 255
  bytes[total - 3] = (bits >>> 16) & 255
  bytes[total - 2] = (bits >>> 8) & 255
  bytes[total - 1] = bits & 255
  H[0] = 0x6a09e667
  H[1] = 0xbb67ae85
  H[2] = 0x3c6ef372
  H[3] = 0xa54ff53a
  H[4] = 0x510e527f
  H[5] = 0x9b05688c
  H[6] = 0x1f83d9ab
  H[7] = 0x5be0cd19
  for (let off = 0; off < total; off += 64) {
    for (let t = 0; t < 16; t++) {
      const j = off + t * 4
      W[t] = (bytes[j] << 24) | (bytes[j + 1] << 16) | (bytes[j + 2] << 8) | bytes[j + 3]
    }
    for (let t = 16; t < 64; t++) {
      const x = W[t - 15]
      const y = W[t - 2]
      const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3)
      const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10)
      W[t] = (W[t - 16] + s0 + W[t - 7] + s1) | 0
    }
    let a = H[0]
    let b = H[1]
    let c = H[2]
    let d = H[3]
    let e = H[4]
    let f = H[5]
    let g = H[6]
    let h = H[7]
    for (let t = 0; t < 64; t++) {
      const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7))
      const ch = (e & f) ^ (~e & g)
      const t1 = (h + S1 + ch + K[t] + W[t]) | 0
      const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10))
      const maj = (a & b) ^ (a & c) ^ (b & c)
      const t2 = (S0 + maj) | 0
      h = g
      g = f
      f = e
      e = (d + t1) | 0
      d = c
      c = b
      b = a
      a = (t1 + t2) | 0
    }
    H[0] = (H[0] + a) | 0
    H[1] = (H[1] + b) | 0
    H[2] = (H[2] + c) | 0
    H[3] = (H[3] + d) | 0
    H[4] = (H[4] + e) | 0
    H[5] = (H[5] + f) | 0
    H[6] = (H[6] + g) | 0
    H[7] = (H[7] + h) | 0
  }
  for (let i = 0; i < 10; i++) out[i] = (H[i >> 2] >>> (24 - 8 * (i & 3))) & 255
}
