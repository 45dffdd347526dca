import { lintFile, parseIpsetSave } from '@dataplane-sim/iptables-model'
import type { Command } from 'commander'
import { readInput } from '../_io'
import { UsageError } from '../_run'

interface LintOptions {
  ruleset?: string
  ipsets?: string
}

/**
 * `dpsim lint --ruleset DUMP [--ipsets FILE]`: the checks iptables-restore makes (exit 2 with FILE:LINE when
 * it would refuse the input) plus findings for a reader (unreachable rules, chains nothing jumps to), which
 * are printed and leave the exit code 0. Reads the dump streaming, so multi-million-line dumps are fine.
 */
export function lintCommand(
  opts: LintOptions,
  write: (s: string) => void = (s) => process.stdout.write(s),
): void {
  if (!opts.ruleset) throw new UsageError('lint: give --ruleset DUMP (iptables-save output, - for stdin)')
  const ipsets = opts.ipsets ? parseIpsetSave(readInput(opts.ipsets), opts.ipsets) : undefined
  const result = lintFile(opts.ruleset, ipsets)
  if (!result.ok) throw result.error
  let out = ''
  for (const f of result.findings) out += `${opts.ruleset}:${f.line}: warning: ${f.message}\n`
  out += `${opts.ruleset}: iptables-restore would accept it: ${result.lines} lines, ${result.rules} rules, ${result.findings.length} finding(s)\n`
  write(out)
}

export function register(program: Command): void {
  program
    .command('lint')
    .description(
      'check an iptables-save dump as iptables-restore would, and point out dead rules and unused chains',
    )
    .option('--ruleset <file>', 'iptables-save output (- for stdin)')
    .option('--ipsets <file>', 'ipset save output the rules refer to')
    .action((opts: LintOptions) => lintCommand(opts))
}
