/**
 * Runs inside the client namespace: sends bounded trains of UDP datagrams / TCP SYNs and prints one JSON line.
 * argv[2] is a JSON ProbeRequest (see measure/probe.ts). Every loop is bounded by a count and a deadline.
 */
import dgram from 'node:dgram'
import net from 'node:net'

interface Request {
  mode: 'rtt' | 'rtt-new-flow' | 'send'
  host: string
  port: number
  count: number
  deadlineMs: number
  /** rtt-new-flow: first destination port, incremented per packet */
  sourcePortBase?: number
  protocol?: 'udp' | 'tcp'
  /** send: several destinations, one packet each, in order */
  targets?: Array<{ host: string; port: number; protocol: 'udp' | 'tcp'; sourcePort: number }>
  timeoutMs?: number
}

const req = JSON.parse(process.argv[2]) as Request
const deadline = Date.now() + req.deadlineMs
const now = () => process.hrtime.bigint()

/**
 * Round trips from one socket, one at a time. `rtt` sends every probe to the same port (one flow, so after the
 * first packet conntrack skips the nat table); `rtt-new-flow` sends probe i to port base + i: a new 5-tuple,
 * so a new conntrack entry and a walk of the nat table every time, without the cost and jitter of a socket
 * per probe. The server namespace redirects every UDP port to its echo socket, and its conntrack un-redirects
 * the reply.
 */
async function roundTrips(portOf: (i: number) => number): Promise<{ rtts: number[]; lost: number }> {
  const s = dgram.createSocket('udp4')
  await new Promise<void>((r) => s.bind(0, r))
  const rtts: number[] = []
  let lost = 0
  const payload = Buffer.alloc(32)
  let resolveReply: (() => void) | null = null
  s.on('message', () => resolveReply?.())
  for (let i = 0; i < req.count && Date.now() < deadline; i++) {
    const got = new Promise<boolean>((res) => {
      const t = setTimeout(() => res(false), req.timeoutMs ?? 1000)
      resolveReply = () => {
        clearTimeout(t)
        res(true)
      }
    })
    const t0 = now()
    s.send(payload, portOf(i), req.host)
    if (await got) rtts.push(Number(now() - t0))
    else lost++
    resolveReply = null
  }
  s.close()
  return { rtts, lost }
}

async function sendTargets(): Promise<{ sent: number; replies: number }> {
  let sent = 0
  let replies = 0
  const timeout = req.timeoutMs ?? 300
  for (const t of req.targets ?? []) {
    if (Date.now() >= deadline) break
    sent++
    if (t.protocol === 'udp') {
      const s = dgram.createSocket('udp4')
      await new Promise<void>((r) => {
        s.once('error', () => r())
        s.bind(t.sourcePort, () => r())
      })
      const got = await new Promise<boolean>((res) => {
        const tm = setTimeout(() => res(false), timeout)
        s.once('message', () => {
          clearTimeout(tm)
          res(true)
        })
        s.send(Buffer.from('dpsim'), t.port, t.host, (e) => e && res(false))
      })
      if (got) replies++
      s.close()
    } else {
      const got = await new Promise<boolean>((res) => {
        const c = net.connect({ host: t.host, port: t.port, localPort: t.sourcePort })
        const tm = setTimeout(() => {
          c.destroy()
          res(false)
        }, timeout)
        c.once('connect', () => {
          clearTimeout(tm)
          c.destroy()
          res(true)
        })
        c.once('error', () => {
          clearTimeout(tm)
          res(false)
        })
      })
      if (got) replies++
    }
  }
  return { sent, replies }
}

const base = req.sourcePortBase ?? 20000
const result =
  req.mode === 'rtt'
    ? await roundTrips(() => req.port)
    : req.mode === 'rtt-new-flow'
      ? await roundTrips((i) => base + (i % 40000))
      : await sendTargets()
process.stdout.write(`${JSON.stringify(result)}\n`)
process.exit(0)
