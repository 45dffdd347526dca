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

async function sendTargets(): Promise<{ sent: number; replies: number }> {
  let sent = 0
  let replies = 0
  const timeout = req.timeoutMs ?? 300
  for (const t of req.targets) {
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

const result = await sendTargets()
process.stdout.write(`${JSON.stringify(result)}\n`)
process.exit(0)
