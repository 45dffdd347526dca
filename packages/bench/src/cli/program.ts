import { Command } from 'commander'
import { reportError } from './_run'
import { commands } from './commands/index'

export function buildProgram(): Command {
  const program = new Command('dpsim')
    .description("Models a Kubernetes node's iptables (kube-proxy) and eBPF (Cilium) dataplanes side by side")
    .showHelpAfterError()
    .exitOverride()
  for (const register of commands) register(program)
  return program
}

/** Runs the CLI on `argv` (without node and script) and returns the exit code. */
export async function runCli(argv: string[]): Promise<number> {
  const program = buildProgram()
  for (const c of program.commands) c.exitOverride()
  try {
    await program.parseAsync(argv, { from: 'user' })
    return 0
  } catch (e) {
    return reportError(e, (s) => process.stderr.write(s))
  }
}
