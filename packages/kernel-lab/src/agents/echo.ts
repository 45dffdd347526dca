/**
 * Runs inside the server namespace: answers every UDP datagram on the ports of argv[2] (comma-separated) with
 * the same bytes, until argv[3] milliseconds have passed (a bound on its life even if the lab forgets it) or
 * it is killed. Prints `ready` once all are bound, so the sender never races a bind.
 */
import dgram from 'node:dgram'

const ports = process.argv[2].split(',').map(Number)
const lifeMs = Number(process.argv[3] ?? 600_000)
let bound = 0
for (const port of ports) {
  const s = dgram.createSocket('udp4')
  s.on('message', (msg, from) => s.send(msg, from.port, from.address))
  s.bind(port, () => {
    if (++bound === ports.length) process.stdout.write('ready\n')
  })
}
setTimeout(() => process.exit(0), lifeMs).unref()
process.stdin.on('end', () => process.exit(0))
process.stdin.resume()
