import { writeFileSync } from 'node:fs'
import { ipToU32 } from '@dataplane-sim/cluster'
import { run } from '../exec/run'

/** A minimal Ethernet + IPv4 + UDP frame to `dst`, as BPF_PROG_TEST_RUN input. */
export function testFrame(src: string, dst: string): Buffer {
  const b = Buffer.alloc(64)
  b.writeUInt16BE(0x0800, 12)
  b[14] = 0x45
  b.writeUInt16BE(28, 16)
  b[22] = 64
  b[23] = 17
  b.writeUInt32BE(ipToU32(src), 26)
  b.writeUInt32BE(ipToU32(dst), 30)
  return b
}

/**
 * Average nanoseconds of one run of program `progId` on `frame`, measured by the kernel itself
 * (BPF_PROG_TEST_RUN with `repeat`): the only clock fine enough for a ~30 ns map lookup, which a
 * microsecond-resolution round trip cannot see.
 */
export async function progRunNs(
  progId: number,
  framePath: string,
  frame: Buffer,
  repeat: number,
): Promise<number> {
  writeFileSync(framePath, frame)
  const r = await run([
    'bpftool',
    '-j',
    'prog',
    'run',
    'id',
    String(progId),
    'data_in',
    framePath,
    'repeat',
    String(repeat),
  ])
  return Number(JSON.parse(r.stdout).duration)
}
