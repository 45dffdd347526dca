import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ipToU32 } from '@dataplane-sim/cluster'
import { run, runTimed } from '../exec/run'
import type { Lab } from '../topology/lab'

export const BPF_SOURCE = join(dirname(fileURLToPath(import.meta.url)), 'lookup.bpf.c')
export const BPF_MAP_NAME = 'dpsim_frontends'

/** Compiles lookup.bpf.c for `maxEntries` (the map size is a compile-time constant, as in Cilium's maps). */
export async function compileLookupProgram(
  maxEntries: number,
): Promise<{ object: string; dispose: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), 'dpsim-bpf-'))
  const object = join(dir, 'lookup.bpf.o')
  const arch = process.arch === 'arm64' ? 'aarch64' : 'x86_64'
  await run([
    'clang',
    '-O2',
    '-g',
    '-target',
    'bpf',
    `-DMAX_ENTRIES=${maxEntries}`,
    `-I/usr/include/${arch}-linux-gnu`,
    '-c',
    BPF_SOURCE,
    '-o',
    object,
  ])
  return { object, dispose: () => rmSync(dir, { recursive: true, force: true }) }
}

export interface AttachedLookup {
  progId: number
  mapId: number
  statsMapId: number
  detach(): Promise<void>
}

/** Attaches the program on the node's client-facing link (clsact ingress, direct action), as Cilium's tc hooks. */
export async function attachLookup(lab: Lab, object: string, dev = 'c0'): Promise<AttachedLookup> {
  await lab.exec('node', ['tc', 'qdisc', 'replace', 'dev', dev, 'clsact'])
  await lab.exec('node', [
    'tc',
    'filter',
    'replace',
    'dev',
    dev,
    'ingress',
    'bpf',
    'da',
    'obj',
    object,
    'sec',
    'tc',
  ])
  const filters = JSON.parse(
    (await lab.exec('node', ['tc', '-j', 'filter', 'show', 'dev', dev, 'ingress'])).stdout,
  )
  const progId: number | undefined = filters.find(
    (f: { options?: { prog?: { id: number } } }) => f.options?.prog,
  )?.options.prog.id
  if (progId === undefined) throw new Error('tc shows no BPF program after attaching')
  const prog = JSON.parse((await run(['bpftool', '-j', 'prog', 'show', 'id', String(progId)])).stdout)
  const maps = await Promise.all(
    (prog.map_ids as number[]).map(async (id) =>
      JSON.parse((await run(['bpftool', '-j', 'map', 'show', 'id', String(id)])).stdout),
    ),
  )
  const mapId = maps.find((m) => m.name === BPF_MAP_NAME)?.id
  const statsMapId = maps.find((m) => m.name === 'dpsim_stats')?.id
  if (mapId === undefined || statsMapId === undefined)
    throw new Error(`program ${progId} has no ${BPF_MAP_NAME} map`)
  return {
    progId,
    mapId,
    statsMapId,
    detach: async () => {
      await lab.exec('node', ['tc', 'qdisc', 'del', 'dev', dev, 'clsact'], { allowFail: true })
    },
  }
}

/** Key bytes as bpftool takes them: the address as it sits in the IP header (network order). */
function keyBytes(ip: string): string {
  const n = ipToU32(ip)
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(' ')
}

/** bpftool batch input that updates `ips` (value = index) in map `mapId`. */
export function bpftoolBatch(
  mapId: number,
  ips: readonly string[],
  op: 'update' | 'delete' = 'update',
): string {
  const lines: string[] = []
  for (let i = 0; i < ips.length; i++) {
    if (op === 'delete') lines.push(`map delete id ${mapId} key ${keyBytes(ips[i])}`)
    else
      lines.push(
        `map update id ${mapId} key ${keyBytes(ips[i])} value ${i & 255} ${(i >>> 8) & 255} ${(i >>> 16) & 255} 0`,
      )
  }
  return `${lines.join('\n')}\n`
}

/** Loads entries through `bpftool batch file -` and returns the command's wall-clock seconds (runTimed). */
export async function loadEntries(mapId: number, ips: readonly string[]): Promise<number> {
  if (ips.length === 0) return 0
  const r = await runTimed(['bpftool', 'batch', 'file', '-'], { input: bpftoolBatch(mapId, ips) })
  return r.seconds
}

/** One `bpftool map update` (a process per update, as an agent without a persistent map fd would do). */
export async function updateOne(mapId: number, ip: string, value = 1): Promise<number> {
  const r = await runTimed([
    'bpftool',
    'map',
    'update',
    'id',
    String(mapId),
    'key',
    ...keyBytes(ip).split(' '),
    'value',
    String(value),
    '0',
    '0',
    '0',
  ])
  return r.seconds
}

/** The program's own counters: packets seen and lookups that hit. */
export async function readStats(statsMapId: number): Promise<{ packets: number; hits: number }> {
  // with BTF (the object is built with -g) bpftool adds a `formatted` view of each entry
  const dump = JSON.parse(
    (await run(['bpftool', '-j', 'map', 'dump', 'id', String(statsMapId)])).stdout,
  ) as Array<{
    formatted: { key: number; value: number }
  }>
  const get = (k: number) => Number(dump.find((e) => e.formatted?.key === k)?.formatted.value ?? 0)
  return { packets: get(0), hits: get(1) }
}
