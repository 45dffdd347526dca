import cliProgress from 'cli-progress'

/** Progress of a long run: a bar with an ETA on a terminal, nothing at all otherwise. */
export interface Progress {
  /** one unit of work done; `label` names the next one */
  tick(label?: string): void
  stop(): void
}

export interface ProgressOptions {
  /** default: only when stderr is a TTY */
  enabled?: boolean
  stream?: NodeJS.WriteStream
}

/** A cli-progress bar over `total` units on stderr (quiet when stderr is not a TTY). */
export function createProgress(total: number, opts: ProgressOptions = {}): Progress {
  const stream = opts.stream ?? process.stderr
  const enabled = opts.enabled ?? Boolean(stream.isTTY)
  if (!enabled) return { tick() {}, stop() {} }
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: '{bar} {percentage}% | {value}/{total} | ETA {eta_formatted} | {label}',
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 20,
    },
    cliProgress.Presets.shades_classic,
  )
  bar.start(total, 0, { label: '' })
  return {
    tick(label = '') {
      bar.increment(1, { label })
    },
    stop() {
      bar.stop()
    },
  }
}
