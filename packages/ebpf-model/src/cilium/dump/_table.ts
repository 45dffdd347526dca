/**
 * Columns as Go's `text/tabwriter.NewWriter(w, 5, 0, 3, ' ', 0)` lays them out (cilium-dbg's TablePrinter):
 * each column as wide as its widest cell + 3, at least 5. Trailing blanks are trimmed.
 */
export function tabwrite(rows: readonly (readonly string[])[]): string {
  const widths: number[] = []
  for (const r of rows)
    r.forEach((c, i) => {
      widths[i] = Math.max(widths[i] ?? 0, Math.max(5, c.length + 3))
    })
  return (
    rows
      .map((r) =>
        r
          .map((c, i) => c.padEnd(widths[i]))
          .join('')
          .trimEnd(),
      )
      .join('\n') + '\n'
  )
}

/** cilium-dbg `TablePrinter(first, second, map[string][]string)`: keys sorted, one row per value. */
export function tablePrinter(
  first: string,
  second: string,
  data: ReadonlyMap<string, readonly string[]>,
): string {
  const rows: string[][] = [[first, second]]
  for (const key of [...data.keys()].sort()) {
    const values = data.get(key)!
    for (let i = 0; i < values.length; i++) rows.push([i === 0 ? key : '', values[i]])
  }
  return tabwrite(rows)
}
