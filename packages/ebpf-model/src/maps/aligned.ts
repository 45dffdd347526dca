/**
 * Typed arrays whose element 0 starts a cache line, for tables of 64-byte cells read at random.
 *
 * An ArrayBuffer's memory comes from the C allocator (Node's ArrayBuffer allocator calls calloc), which
 * aligns it to 16 bytes only: glibc 2.36 hands a block of 1 MiB or more out 16 bytes past a page boundary
 * (checked on this machine), so every 64-byte cell of a table on it spans two cache lines, two memory reads
 * where one would do. A WebAssembly.Memory is mapped by V8 on its own pages: a view on its buffer starts on a
 * page (and so a line) boundary. JavaScript cannot see an address, so the page-aligned memory is the one way
 * to be sure of the alignment. Measured at 100k services (pipelineLoop, six alternating pairs, session 16):
 * the services map's master cells on it, a first packet took 8-10 % less CPU than on an ordinary array.
 *
 * Simulator speed only. Small arrays (under `ALIGNED_MIN_BYTES`: in the caches anyway, and every node's maps
 * start small) stay ordinary ones, as do arrays where WebAssembly is not there (`--jitless`) or its memory
 * cannot be had.
 */
export function lineAlignedInt32(length: number): Int32Array {
  const bytes = length * 4
  const wasm = (globalThis as { WebAssembly?: Wasm }).WebAssembly
  if (bytes >= ALIGNED_MIN_BYTES && wasm !== undefined) {
    try {
      const memory = new wasm.Memory({ initial: Math.ceil(bytes / WASM_PAGE) })
      return new Int32Array(memory.buffer, 0, length)
    } catch {
      // no memory to be had: an ordinary array below (the same contents, unaligned)
    }
  }
  return new Int32Array(length)
}

/** Size from which `lineAlignedInt32` takes a page-aligned memory: 1 MiB. */
export const ALIGNED_MIN_BYTES = 1 << 20

/** What `lineAlignedInt32` uses of the WebAssembly global (not in the project's TypeScript libs). */
interface Wasm {
  Memory: new (descriptor: { initial: number }) => { buffer: ArrayBuffer }
}

/** Bytes of a WebAssembly memory page. */
const WASM_PAGE = 65536
