/**
 * Runs inside the client namespace: first packets of new UDP flows, each from its own source port (a new
 * conntrack entry, so the node walks its nat table for it), to the echo agent, timed from send to the echo's
 * arrival with process.hrtime.bigint(). Paced back to back: the next flow starts as soon as the last echo is
 * in, so the node's rules stay as warm as a node's under a steady stream of new connections (and as the
 * FORWARD sweeps' walks). Prints one JSON line {rtts (ns, in send order), lost}. Bounded by the count and a
 * deadline; argv[2] is a JSON NewFlowsRequest (see measure/newFlows.ts).
 */
import dgram from 'node:dgram'

interface Request {
  host: string
  port: number
  count: number
  firstPort: number
  deadlineMs: number
  timeoutMs: number
}

const req = JSON.parse(process.argv[2]) as Request
const deadline = Date.now() + req.deadlineMs
const payload = Buffer.from('dpsim-first-packet')

/** One new flow: bind a fresh source port, send, wait for the echo; its round trip in ns, or -1 if lost. */
async function oneFlow(sourcePort: number): Promise<number> {
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
      s.send(payload, req.port, req.host, (e) => {
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

const rtts: number[] = []
let lost = 0
for (let i = 0; i < req.count && Date.now() < deadline; i++) {
  const t = await oneFlow(req.firstPort + i)
  if (t < 0) lost++
  else rtts.push(t)
}
lost += req.count - rtts.length - lost
process.stdout.write(`${JSON.stringify({ rtts, lost })}\n`)
process.exit(0)
