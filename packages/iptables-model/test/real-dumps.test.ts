import { execFileSync, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseIptablesSave } from '../src/codec/parse'
import { serializeRuleset } from '../src/codec/serialize'

/**
 * Real dumps: hand-written rules (every module and target the codec knows, in the shapes kube-proxy and
 * Calico write them) loaded into a throw-away network namespace with iptables-{legacy,nft}-restore, saved back
 * with and without -c, and read by the parser; the serializer must reproduce the kernel's dump line for line.
 * Addresses stay inside 198.18.0.0/15 (RFC 2544 benchmarking space).
 */
const has = (tool: string): boolean => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0
const root = process.getuid?.() === 0
const ns = `dpsim-${randomBytes(4).toString('hex')}`

const RULES = `*raw
:PREROUTING ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A PREROUTING -s 198.18.0.0/16 -j CT --notrack
-A PREROUTING -d 198.18.1.1 -j NOTRACK
-A PREROUTING -p tcp -j CT --zone 5
-A PREROUTING -j TRACE
COMMIT
*mangle
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A PREROUTING -j MARK --set-xmark 0x4000/0x4000
-A PREROUTING -j MARK --set-mark 0x10
-A PREROUTING -j MARK --or-mark 0x20
-A PREROUTING -j MARK --and-mark 0x20
-A PREROUTING -j MARK --xor-mark 0x20
-A PREROUTING -j CONNMARK --save-mark
-A PREROUTING -j CONNMARK --restore-mark --nfmask 0xff --ctmask 0xff
-A PREROUTING -j CONNMARK --set-xmark 0x1/0xff
-A PREROUTING -j CONNMARK --set-mark 0x1
-A PREROUTING -m mark --mark 0x4000/0x4000 -j RETURN
-A PREROUTING -m mark ! --mark 0x1 -j RETURN
-A PREROUTING -m connmark --mark 0x1 -j RETURN
COMMIT
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:KUBE-SERVICES - [0:0]
:KUBE-SVC-X - [0:0]
:KUBE-SEP-A - [0:0]
:KUBE-MARK-MASQ - [0:0]
:KUBE-NODEPORTS - [0:0]
:KUBE-POSTROUTING - [0:0]
-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING
-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000
-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN
-A KUBE-POSTROUTING -j MARK --xor-mark 0x4000
-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully
-A KUBE-SERVICES -d 198.18.0.10/32 -p tcp -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp --dport 80 -j KUBE-SVC-X
-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS
-A KUBE-SVC-X ! -s 198.19.0.0/16 -d 198.18.0.10/32 -p tcp -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp --dport 80 -j KUBE-MARK-MASQ
-A KUBE-SVC-X -m comment --comment "ns1/svc1:p80 -> 198.19.1.2:80" -m statistic --mode random --probability 0.50000000000 -j KUBE-SEP-A
-A KUBE-SVC-X -m statistic --mode nth --every 3 --packet 0 -j KUBE-SEP-A
-A KUBE-SEP-A -s 198.19.1.2/32 -m comment --comment "ns1/svc1:p80" -j KUBE-MARK-MASQ
-A KUBE-SEP-A -p tcp -m comment --comment "ns1/svc1:p80" -m recent --set --name KUBE-SEP-A --mask 255.255.255.255 --rsource -m tcp -j DNAT --to-destination 198.19.1.2:80
-A KUBE-SEP-A -p tcp -m recent --rcheck --seconds 10800 --reap --name KUBE-SEP-A --mask 255.255.255.255 --rsource -j KUBE-MARK-MASQ
-A POSTROUTING -s 198.18.5.0/24 -j SNAT --to-source 198.18.0.1
-A POSTROUTING -s 198.18.6.0/24 -p tcp -j SNAT --to-source 198.18.0.1-198.18.0.4:1000-2000 --random --persistent
-A PREROUTING -p tcp -m tcp --dport 81 -j REDIRECT --to-ports 8080
-A POSTROUTING -p tcp -j MASQUERADE --to-ports 1000-2000
-A KUBE-SEP-A -p tcp -j DNAT --to-destination 198.19.1.2
COMMIT
*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
:KUBE-FORWARD - [0:0]
-A INPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-FORWARD
-A INPUT -m conntrack --ctstate INVALID -j DROP
-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A INPUT -m state --state RELATED,ESTABLISHED -j ACCEPT
-A INPUT -m conntrack --ctorigdst 198.18.0.1 --ctorigdstport 80 -j ACCEPT
-A INPUT -p tcp -m tcp --sport 1000:2000 --dport 80 --tcp-flags SYN,RST,ACK SYN -j ACCEPT
-A INPUT -p tcp -m tcp --syn -j ACCEPT
-A INPUT -p tcp -m tcp ! --dport 22 -j ACCEPT
-A INPUT -p udp -m udp --dport 53 -j ACCEPT
-A INPUT -p sctp -m sctp --dport 53 -j ACCEPT
-A INPUT -p icmp -m icmp --icmp-type 8 -j ACCEPT
-A INPUT -p icmp -m icmp --icmp-type echo-request -j ACCEPT
-A INPUT -p tcp -m multiport --dports 80,443,1000:2000 -j ACCEPT
-A INPUT -p tcp -m multiport --sports 80 -j ACCEPT
-A INPUT -p tcp -m multiport ! --ports 80 -j ACCEPT
-A INPUT -m addrtype --src-type LOCAL --limit-iface-in -j ACCEPT
-A INPUT -m addrtype ! --dst-type LOCAL,BROADCAST -j ACCEPT
-A INPUT -m iprange --src-range 198.18.0.1-198.18.0.9 -j ACCEPT
-A INPUT -m iprange ! --dst-range 198.18.0.1-198.18.0.9 -j ACCEPT
-A INPUT -m limit --limit 5/min --limit-burst 10 -j LOG --log-prefix "dropped: " --log-level 4
-A INPUT -m limit --limit 5/sec -j NFLOG --nflog-group 5 --nflog-prefix "x"
-A INPUT -m limit --limit 3/hour -j LOG
-A INPUT -m physdev --physdev-in eth0 --physdev-is-bridged -j ACCEPT
-A FORWARD -i eth+ -o cali+ -j ACCEPT
-A INPUT ! -i lo -j REJECT --reject-with icmp-port-unreachable
-A INPUT -p tcp -j REJECT --reject-with tcp-reset
-A INPUT -j REJECT
-A INPUT -p tcp -m conntrack --ctstate NEW,UNTRACKED -m tcp --dport 80 -g KUBE-FORWARD
-A FORWARD -m comment --comment "a \\"quoted\\" comment" -j ACCEPT
-A FORWARD -m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD
COMMIT
`

function run(args: string[], input?: string): string {
  const r = spawnSync('ip', ['netns', 'exec', ns, ...args], { input, encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed: ${r.stderr}`)
  return r.stdout
}

/** The dump without iptables-save's `# Generated by` / `# Completed on` lines and nft's legacy warning. */
const body = (dump: string): string =>
  dump
    .split('\n')
    .filter((l) => !l.startsWith('#'))
    .join('\n')

for (const backend of ['legacy', 'nft'] as const) {
  const restore = `iptables-${backend}-restore`
  const save = `iptables-${backend}-save`
  describe.skipIf(!root || !has('ip') || !has(restore) || !has(save))(
    `real ${backend} dumps (skipped unless root with ip, ${restore} and ${save})`,
    () => {
      beforeAll(() => {
        execFileSync('ip', ['netns', 'add', ns])
        run(['ip', 'link', 'set', 'lo', 'up'])
        run([restore], RULES)
        // some traffic over lo so that -c has counters to show
        spawnSync('ip', ['netns', 'exec', ns, 'ping', '-c', '2', '-i', '0.2', '-W', '1', '127.0.0.1'])
      })
      afterAll(() => {
        spawnSync('ip', ['netns', 'del', ns])
      })

      it('reads the dump and reproduces it line for line', () => {
        const dump = body(run([save]))
        const rs = parseIptablesSave(dump, save)
        expect(rs.tables.map((t) => t.name).sort()).toEqual(['filter', 'mangle', 'nat', 'raw'])
        expect(serializeRuleset(rs)).toBe(dump)
      })

      it('reads the -c dump with its counters and reproduces it', () => {
        const dump = body(run([save, '-c']))
        const rs = parseIptablesSave(dump, save)
        expect(serializeRuleset(rs, { counters: true })).toBe(dump)
        const filter = rs.tables.find((t) => t.name === 'filter')!
        const input = filter.chains.find((c) => c.name === 'INPUT')!
        // the pings crossed INPUT: some counter there is above zero
        const total = input.counters.packets + input.rules.reduce((n, r) => n + (r.counters?.packets ?? 0), 0)
        expect(total).toBeGreaterThan(0)
      })

      it('normalises what we feed it exactly as iptables-save does (/32, option order, MARK forms)', () => {
        const dump = body(run([save]))
        const ours = serializeRuleset(parseIptablesSave(RULES, 'rules'))
        const byTable = (text: string): Map<string, string> => {
          const m = new Map<string, string>()
          for (const block of text.split('COMMIT\n')) {
            const name = /^\*(\w+)/m.exec(block)?.[1]
            if (name) m.set(name, block.slice(block.indexOf('*')))
          }
          return m
        }
        // built-in chains show live counters even without -c
        const kernel = byTable(dump.replace(/^(:\S+ \S+) \[\d+:\d+\]$/gm, '$1 [0:0]'))
        for (const [name, block] of byTable(ours)) expect(block, name).toBe(kernel.get(name))
      })
    },
  )
}
