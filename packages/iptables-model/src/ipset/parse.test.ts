import { InputError } from '@dataplane-sim/cluster'
import { describe, expect, it } from 'vitest'
import { parseIp } from '../codec/values'
import { compileIpsets } from './lookup'
import { parseIpsetSave, serializeIpsets } from './parse'

const SAVE = [
  'create KUBE-A hash:ip family inet hashsize 1024 maxelem 65536',
  'add KUBE-A 10.0.0.1',
  'create NETS hash:net family inet hashsize 1024 maxelem 65536',
  'add NETS 10.0.0.0/8',
  'add NETS 10.1.0.0/16 nomatch',
  'create EPS hash:ip,port family inet hashsize 1024 maxelem 65536',
  'add EPS 10.0.0.1,tcp:80',
  'add EPS 10.0.0.1,udp:53',
  'create NP hash:net,port family inet hashsize 1024 maxelem 65536',
  'add NP 192.168.0.0/24,tcp:30080',
  'create ALL list:set size 8',
  'add ALL KUBE-A',
  'add ALL NP',
  '',
].join('\n')

const probe = (src: string, dst: string, proto: number, sport: number, dport: number) => ({
  srcAddr: parseIp(src),
  dstAddr: parseIp(dst),
  proto,
  sport,
  dport,
})

describe('ipset save codec', () => {
  it('reads every supported type and writes it back unchanged', () => {
    const sets = parseIpsetSave(SAVE)
    expect([...sets.keys()]).toEqual(['KUBE-A', 'NETS', 'EPS', 'NP', 'ALL'])
    expect(serializeIpsets(sets)).toBe(SAVE)
  })

  it('looks members up as the kernel does: nets by prefix with nomatch exceptions, ports by flag side', () => {
    const sets = compileIpsets(parseIpsetSave(SAVE))
    const t = (name: string, p: ReturnType<typeof probe>, flags: Array<'src' | 'dst'>): boolean =>
      sets.get(name)!.test(p, flags)
    expect(t('KUBE-A', probe('10.0.0.1', '1.1.1.1', 6, 1, 2), ['src'])).toBe(true)
    expect(t('KUBE-A', probe('10.0.0.1', '1.1.1.1', 6, 1, 2), ['dst'])).toBe(false)
    expect(t('NETS', probe('10.2.3.4', '1.1.1.1', 6, 1, 2), ['src'])).toBe(true)
    expect(t('NETS', probe('10.1.3.4', '1.1.1.1', 6, 1, 2), ['src'])).toBe(false)
    expect(t('EPS', probe('9.9.9.9', '10.0.0.1', 6, 1, 80), ['dst', 'dst'])).toBe(true)
    expect(t('EPS', probe('9.9.9.9', '10.0.0.1', 17, 1, 80), ['dst', 'dst'])).toBe(false)
    expect(t('EPS', probe('9.9.9.9', '10.0.0.1', 17, 1, 53), ['dst', 'dst'])).toBe(true)
    expect(t('NP', probe('192.168.0.9', '10.0.0.1', 6, 30080, 1), ['src', 'src'])).toBe(true)
    expect(t('ALL', probe('192.168.0.9', '10.0.0.1', 6, 30080, 1), ['src', 'src'])).toBe(true)
    expect(t('ALL', probe('10.0.0.1', '10.0.0.1', 6, 1, 1), ['src'])).toBe(true)
  })

  it.each([
    ['create X hash:mac\n', 1, /unsupported set type/],
    ['add X 10.0.0.1\n', 1, /not created before/],
    ['create X hash:ip\nadd X 10.0.0.0/24\n', 2, /single addresses/],
    ['create X hash:ip,port\nadd X 10.0.0.1\n', 2, /IP,proto:PORT/],
    ['create X hash:ip\ncreate X hash:ip\n', 2, /created twice/],
    ['create L list:set\nadd L NOPE\n', 2, /does not exist/],
    ['create X hash:ip family inet6\n', 1, /family inet/],
  ])('refuses %j at line %i', (text, line, message) => {
    try {
      parseIpsetSave(text, 'sets.txt')
      throw new Error('accepted')
    } catch (e) {
      expect(e).toBeInstanceOf(InputError)
      expect((e as InputError).line).toBe(line)
      expect((e as InputError).message).toMatch(message)
    }
  })
})
