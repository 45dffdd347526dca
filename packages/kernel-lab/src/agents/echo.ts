/**
 * Runs inside the server namespace: answers every UDP datagram on argv[2]'s port with the same bytes, until
 * argv[3] milliseconds have passed (a bound on its life even if the lab forgets it) or it is killed. Prints
 * `ready` once bound, so the sender never races the bind.
 */
import dgram from 'node:dgram'

const port = Number(process.argv[2])
const lifeMs = Number(process.argv[3] ?? 600_000)
const s = dgram.createSocket('udp4')
s.on('message', (msg, from) => s.send(msg, from.port, from.address))
s.bind(port, () => process.stdout.write('ready\n'))
setTimeout(() => process.exit(0), lifeMs).unref()
process.stdin.on('end', () => process.exit(0))
process.stdin.resume()
