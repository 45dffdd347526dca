import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { countCpuList, machineCaches, parseCacheSize } from './machine'

describe('machineCaches', () => {
  it('reads sizes as sysfs writes them', () => {
    expect(parseCacheSize('512K\n')).toBe(512 * 1024)
    expect(parseCacheSize('32768K')).toBe(32 * 2 ** 20)
    expect(parseCacheSize('1M')).toBe(2 ** 20)
    expect(parseCacheSize('')).toBeUndefined()
  })

  it('takes the data and unified caches by level, skipping the instruction cache', () => {
    const root = mkdtempSync(join(tmpdir(), 'dpsim-cache-'))
    const index = (i: number, level: number, type: string, size: string) => {
      mkdirSync(join(root, `index${i}`))
      writeFileSync(join(root, `index${i}`, 'level'), `${level}\n`)
      writeFileSync(join(root, `index${i}`, 'type'), `${type}\n`)
      writeFileSync(join(root, `index${i}`, 'size'), `${size}\n`)
    }
    index(0, 1, 'Data', '32K')
    index(1, 1, 'Instruction', '64K')
    index(2, 2, 'Unified', '512K')
    index(3, 3, 'Unified', '32768K')
    expect(machineCaches(root)).toEqual({ l1d: 32 * 1024, l2: 512 * 1024, l3: 32 * 2 ** 20 })
    writeFileSync(join(root, 'index3', 'shared_cpu_list'), '0-1\n')
    expect(machineCaches(root).l3Shared).toBe(2)
    expect(machineCaches(root).l3Ways).toBeUndefined()
    writeFileSync(join(root, 'index3', 'ways_of_associativity'), '16\n')
    expect(machineCaches(root).l3Ways).toBe(16)
    expect(machineCaches(join(root, 'missing'))).toEqual({})
  })

  it('counts the CPUs of a sysfs cpu list', () => {
    expect(countCpuList('0-1\n')).toBe(2)
    expect(countCpuList('0-3,8-11')).toBe(8)
    expect(countCpuList('5')).toBe(1)
    expect(countCpuList('')).toBeUndefined()
    expect(countCpuList('a-b')).toBeUndefined()
  })
})
