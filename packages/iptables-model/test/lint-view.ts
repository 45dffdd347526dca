import type { LintResult } from '../src/lint/lint'

/** Everything lint reports, as the CLI would print it (what the fast and full paths must agree on). */
export const lintView = (r: LintResult) => ({
  ok: r.ok,
  error: r.error?.format(),
  findings: r.findings,
  lines: r.lines,
  rules: r.rules,
})
