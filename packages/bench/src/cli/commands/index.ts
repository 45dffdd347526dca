import type { Command } from 'commander'
import { register as bench } from './bench'
import { register as calibrate } from './calibrate'
import { register as generate } from './generate'
import { register as importDump } from './import'
import { register as lint } from './lint'
import { register as plan } from './plan'
import { register as renderEbpf } from './render-ebpf'
import { register as renderIptables } from './render-iptables'
import { register as report } from './report'
import { register as summary } from './summary'
import { register as traceRuleset } from './trace-ruleset'

/** Each command module registers itself on the program; add new commands to this list. */
export const commands: Array<(program: Command) => void> = [
  generate,
  importDump,
  summary,
  calibrate,
  lint,
  renderIptables,
  renderEbpf,
  traceRuleset,
  report,
  plan,
  bench,
]
