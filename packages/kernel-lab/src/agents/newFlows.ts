/**
 * Runs inside the client namespace: first packets of new UDP flows, each from its own source port (a new
 * conntrack entry, so the node walks its nat table for it), to the echo agent, timed from send to the echo's
 * arrival with process.hrtime.bigint(). Paced back to back: the next flow starts as soon as the last echo is
 * in, so the node's rules stay as warm as a node's under a steady stream of new connections (and as the
 * FORWARD sweeps' walks). Flow i goes to ports[i % ports.length], so the destinations are interleaved and
 * share whatever the machine does meanwhile. Prints one JSON line {rtts: per port, ns in send order; lost}.
 * Bounded by the count and a deadline; argv[2] is the JSON request udpNewFlows (measure/probe.ts) writes.
 */
import dgram from 'node:dgram'

interface Request {
  host: string
  ports: number[]
  /** flows per port */
  count: number
  firstPort: number
  deadlineMs: number
  timeoutMs: number
}

const req = JSON.parse(process.argv[2]) as Request
const deadline = Date.now() + req.deadlineMs
const payload = Buffer.from('dpsim-first-packet')

/** One new flow: bind a fresh source port, send, wait for the echo; its round trip in ns, or -1 if lost. */
async function oneFlow(sourcePort: number, port: number): Promise<number> {
  const s = dgram.createSocket('udp4')
  try {
    const bound = await new Promise<boolean>((r) => {
      s.once('error', () => r(false))
      s.bind(sourcePort, () => r(true))
    })
    if (!bound) return -1
    return await new Promise<number>((res) => {
      let start = 0n
      const tm = setTimeout(() => res(-1), req.timeoutMs)
      s.once('message', () => {
        const t = process.hrtime.bigint()
        clearTimeout(tm)
        res(Number(t - start))
      })
      start = process.hrtime.bigint()
      s.send(payload, port, req.host, (e) => {
        if (e) {
          clearTimeout(tm)
          res(-1)
        }
      })
    })
  } finally {
    s.close()
  }
}

const rtts: number[][] = req.ports.map(() => [])
let lost = 0
const total = req.count * req.ports.length
for (let i = 0; i < total && Date.now() < deadline; i++) {
  const k = i % req.ports.length
  const t = await oneFlow(req.firstPort + i, req.ports[k])
  if (t < 0) lost++
  else rtts[k].push(t)
}
lost = total - rtts.reduce((a, r) => a + r.length, 0)
process.stdout.write(`${JSON.stringify({ rtts, lost })}\n`)
process.exit(0)
