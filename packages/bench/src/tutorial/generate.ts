import { runDpsim } from './capture'
import type { TutorialSizes, TutorialStep } from './steps'
import { tutorialSteps } from './steps'

export interface TutorialResult {
  markdown: string
  /** every command run, with its exit code (the test checks they all succeed) */
  runs: Array<{ argv: string[]; exitCode: number; stderr: string }>
}

/** Runs every step's commands and writes the tutorial with their real output. */
export async function generateTutorial(
  sizes: TutorialSizes,
  steps: TutorialStep[] = tutorialSteps(sizes),
): Promise<TutorialResult> {
  const out: string[] = []
  const runs: TutorialResult['runs'] = []
  // a step may show another part of a command an earlier step ran: run each distinct command once
  const done = new Map<string, Awaited<ReturnType<typeof runDpsim>>>()
  out.push('# Tutorial: why iptables slows down and eBPF does not\n\n')
  out.push(
    'Every command below was run by `npx tsx packages/bench/src/tutorial/main.ts`, which wrote this file with the ' +
      'output the commands printed (shortened where marked). Run any of them yourself with ' +
      '`npx --yes pnpm@10 dpsim <command>`. Figures marked "model" are modeled kernel time from the default cost ' +
      "profile (`packages/bench/profiles/anchors.json`); JS times are this machine's and will differ on yours.\n\n",
  )
  for (const step of steps) {
    out.push(`## ${step.title}\n\n${step.intro}\n\n`)
    for (const cmd of step.commands) {
      const key = JSON.stringify(cmd.argv)
      const r = done.get(key) ?? (await runDpsim(cmd.argv))
      if (!done.has(key)) runs.push({ argv: cmd.argv, exitCode: r.exitCode, stderr: r.stderr })
      done.set(key, r)
      const shown = cmd.show ? cmd.show(r.stdout) : r.stdout
      const trimmed = shown.trimEnd()
      const note = cmd.show && trimmed !== r.stdout.trimEnd() ? ' (output shortened)' : ''
      out.push(`\`\`\`console\n$ dpsim ${cmd.argv.join(' ')}${note}\n${trimmed}\n\`\`\`\n\n`)
      if (r.exitCode !== 0) out.push(`> the command exited with ${r.exitCode}: ${r.stderr.trim()}\n\n`)
    }
    out.push(`${step.outro}\n\n`)
  }
  return { markdown: out.join(''), runs }
}
