import type { Command } from 'commander'

/** Each command module registers itself on the program; add new commands to this list. */
export const commands: Array<(program: Command) => void> = []
