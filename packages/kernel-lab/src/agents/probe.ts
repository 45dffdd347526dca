/**
 * Runs inside the client namespace: sends one UDP datagram or TCP SYN per target and prints one JSON line
 * {sent, replies}. argv[2] is a JSON ProbeRequest (see measure/probe.ts); the loop is bounded by the target
 * list and a deadline.
 */
import dgram from 'node:dgram'
import net from 'node:net'

interface Request {
  deadlineMs: number
  /** one packet (UDP datagram, or TCP SYN by connect) to each, in order, from the given source port */
  targets: Array<{ host: string; port: number; protocol: 'udp' | 'tcp'; sourcePort: number }>
  /** how long to wait for each answer */
  timeoutMs?: number
}

const req = JSON.parse(process.argv[2]) as Request
const deadline = Date.now() + req.deadlineMs

/** One packet to `t`: a datagram, or a SYN (connect, abandoned after `timeout` ms). Resolves true on an answer. */
async function sendOne(t: Request['targets'][number], timeout: number): Promise<boolean> {
  if (t.protocol === 'udp') {
    const s = dgram.createSocket('udp4')
    const bound = await new Promise<boolean>((r) => {
      s.once('error', () => r(false))
      s.bind(t.sourcePort, () => r(true))
    })
    if (!bound) return false
    const got = await new Promise<boolean>((res) => {
      const tm = setTimeout(() => res(false), timeout)
      s.once('message', () => {
        clearTimeout(tm)
        res(true)
      })
      s.send(Buffer.from('dpsim'), t.port, t.host, (e) => e && res(false))
    })
    s.close()
    return got
  }
  return new Promise<boolean>((res) => {
    const c = net.connect({ host: t.host, port: t.port, localPort: t.sourcePort })
    const done = (ok: boolean) => {
      clearTimeout(tm)
      c.destroy()
      res(ok)
    }
    const tm = setTimeout(() => done(false), timeout)
    c.once('connect', () => done(true))
    c.once('error', () => done(false))
  })
}

/** Sends to every target, `parallel` at a time (the kernel sees each as a new flow: distinct source ports). */
async function sendTargets(): Promise<{ sent: number; replies: number }> {
  let sent = 0
  let replies = 0
  const timeout = req.timeoutMs ?? 50
  const parallel = 32
  for (let i = 0; i < req.targets.length && Date.now() < deadline; i += parallel) {
    const batch = req.targets.slice(i, i + parallel)
    sent += batch.length
    const answers = await Promise.all(batch.map((t) => sendOne(t, timeout)))
    replies += answers.filter(Boolean).length
  }
  return { sent, replies }
}

const result = await sendTargets()
process.stdout.write(`${JSON.stringify(result)}\n`)
process.exit(0)
