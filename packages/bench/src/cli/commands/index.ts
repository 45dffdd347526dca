import type { Command } from 'commander'
import { register as calibrate } from './calibrate'
import { register as lint } from './lint'
import { register as renderIptables } from './render-iptables'
import { register as traceRuleset } from './trace-ruleset'

/** Each command module registers itself on the program; add new commands to this list. */
export const commands: Array<(program: Command) => void> = [calibrate, lint, renderIptables, traceRuleset]
