import { createWriteStream } from 'node:fs'

/**
 * Writes a kube-proxy-shaped nat table (the shape of pkg/proxy/iptables/proxier.go's output) for the
 * benchmarks: per service one KUBE-SERVICES rule, a KUBE-SVC chain with one statistic rule per endpoint and
 * a KUBE-SEP chain per endpoint with KUBE-MARK-MASQ + DNAT. Chain declarations first, as kube-proxy writes them.
 * Returns the number of lines written.
 */
export async function writeKubeProxyDump(path: string, services: number, endpoints: number): Promise<number> {
  const out = createWriteStream(path)
  let lines = 0
  let buf = ''
  const put = async (s: string): Promise<void> => {
    buf += s
    lines++
    if (buf.length > 1 << 20) {
      const b = buf
      buf = ''
      if (!out.write(b)) await new Promise<void>((r) => out.once('drain', () => r()))
    }
  }
  const svc = (i: number): string => `KUBE-SVC-${i.toString(36).toUpperCase().padStart(16, '0')}`
  const sep = (i: number, e: number): string =>
    `KUBE-SEP-${(i * endpoints + e).toString(36).toUpperCase().padStart(16, '0')}`
  const clusterIp = (i: number): string => `10.96.${(i >> 8) & 255}.${i & 255}`
  const podIp = (i: number, e: number): string => {
    const n = i * endpoints + e
    return `10.${244 + ((n >> 16) & 7)}.${(n >> 8) & 255}.${n & 255}`
  }
  for (const l of [
    '*nat',
    ':PREROUTING ACCEPT [0:0]',
    ':INPUT ACCEPT [0:0]',
    ':OUTPUT ACCEPT [0:0]',
    ':POSTROUTING ACCEPT [0:0]',
  ])
    await put(`${l}\n`)
  for (const c of ['KUBE-MARK-MASQ', 'KUBE-NODEPORTS', 'KUBE-POSTROUTING', 'KUBE-SERVICES'])
    await put(`:${c} - [0:0]\n`)
  for (let i = 0; i < services; i++) {
    await put(`:${svc(i)} - [0:0]\n`)
    for (let e = 0; e < endpoints; e++) await put(`:${sep(i, e)} - [0:0]\n`)
  }
  await put('-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES\n')
  await put('-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES\n')
  await put('-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING\n')
  await put('-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000\n')
  await put('-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN\n')
  await put('-A KUBE-POSTROUTING -j MARK --set-xmark 0x4000/0x0\n')
  await put(
    '-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully\n',
  )
  for (let i = 0; i < services; i++) {
    const name = `ns${i % 100}/svc${i}:http`
    await put(
      `-A KUBE-SERVICES -d ${clusterIp(i)}/32 -p tcp -m comment --comment "${name} cluster IP" -m tcp --dport 80 -j ${svc(i)}\n`,
    )
    for (let e = 0; e < endpoints; e++) {
      const left = endpoints - e
      const stat = left > 1 ? ` -m statistic --mode random --probability ${(1 / left).toFixed(11)}` : ''
      await put(`-A ${svc(i)} -m comment --comment "${name} -> ${podIp(i, e)}:8080"${stat} -j ${sep(i, e)}\n`)
    }
    for (let e = 0; e < endpoints; e++) {
      await put(`-A ${sep(i, e)} -s ${podIp(i, e)}/32 -m comment --comment "${name}" -j KUBE-MARK-MASQ\n`)
      await put(
        `-A ${sep(i, e)} -p tcp -m comment --comment "${name}" -m tcp -j DNAT --to-destination ${podIp(i, e)}:8080\n`,
      )
    }
  }
  await put(
    '-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS\n',
  )
  await put('COMMIT\n')
  out.write(buf)
  await new Promise<void>((r) => out.end(r))
  return lines
}
