/**
 * Runs inside the server namespace (`ip netns exec ... node --import tsx udpEcho.ts <port>...`): echoes every
 * UDP datagram back to its sender on each port and accepts TCP connections on them. Prints "ready" once bound,
 * exits when stdin closes (its parent went away) or after 15 minutes, so it can never outlive the lab.
 */
import dgram from 'node:dgram'
import net from 'node:net'

const ports = process.argv.slice(2).map(Number)
let pendingBinds = ports.length * 2
const servers: Array<{ close: () => void }> = []
const bound = () => {
  if (--pendingBinds === 0) process.stdout.write('ready\n')
}
for (const port of ports) {
  const s = dgram.createSocket('udp4')
  s.on('message', (m, r) => s.send(m, r.port, r.address))
  s.bind(port, bound)
  servers.push(s)
  const t = net.createServer((c) => c.on('error', () => {}).end())
  t.listen(port, bound)
  servers.push(t)
}
const stop = () => process.exit(0)
process.stdin.on('end', stop)
process.stdin.on('close', stop)
process.stdin.resume()
setTimeout(stop, 15 * 60_000).unref()
