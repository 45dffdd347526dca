import type { Command } from 'commander'

/** A command module: registers its command (name, options, action) on the program. */
export interface CommandModule {
  register(program: Command): void
}

/**
 * Every command by the name it registers, loaded on demand: `dpsim lint` imports only the lint module (and
 * what it imports), so the bundled CLI (scripts/dpsim.mjs splits it into chunks) does not compile the
 * report, bench or eBPF code first. Add new commands to this list; its order is the order `--help` shows.
 */
export const commands: ReadonlyArray<{ name: string; load: () => Promise<CommandModule> }> = [
  { name: 'generate', load: () => import('./generate') },
  { name: 'import', load: () => import('./import') },
  { name: 'summary', load: () => import('./summary') },
  { name: 'calibrate', load: () => import('./calibrate') },
  { name: 'lint', load: () => import('./lint') },
  { name: 'render', load: () => import('./render-iptables') },
  { name: 'render', load: () => import('./render-ebpf') },
  { name: 'trace', load: () => import('./trace-ruleset') },
  { name: 'report', load: () => import('./report') },
  { name: 'plan', load: () => import('./plan') },
  { name: 'bench', load: () => import('./bench') },
]
