import { Command } from 'commander'
import { reportError } from './_run'
import { commands } from './commands/index'

/**
 * The program with the commands `argv` can reach: when its first word names a command, only that command's
 * modules are loaded (start-up of `dpsim lint` does not pay for the others); otherwise (help, no command,
 * an unknown word) all of them, so help lists everything and commander's errors stay as they were.
 */
export async function buildProgram(argv: readonly string[] = []): Promise<Command> {
  const program = new Command('dpsim')
    .description("Models a Kubernetes node's iptables (kube-proxy) and eBPF (Cilium) dataplanes side by side")
    .showHelpAfterError()
    .exitOverride()
  const first = argv.find((a) => !a.startsWith('-'))
  const named = commands.filter((c) => c.name === first)
  const chosen = named.length > 0 ? named : commands
  const modules = await Promise.all(chosen.map((c) => c.load()))
  for (const m of modules) m.register(program)
  return program
}

/** Runs the CLI on `argv` (without node and script) and returns the exit code. */
export async function runCli(argv: string[]): Promise<number> {
  try {
    const program = await buildProgram(argv)
    for (const c of program.commands) c.exitOverride()
    await program.parseAsync(argv, { from: 'user' })
    return 0
  } catch (e) {
    return reportError(e, (s) => process.stderr.write(s))
  }
}
