import type { Rng } from '@dataplane-sim/cluster'

const ALPHABET = [
  '-',
  '!',
  ' ',
  '"',
  '\\',
  ':',
  '/',
  ',',
  '.',
  '[',
  ']',
  '*',
  '#',
  '0',
  '9',
  'x',
  'A',
  '\t',
  '+',
  "'",
]

/** One random edit of a dump: a character, a word or a whole line dropped, duplicated, swapped or changed. */
export function mutate(text: string, rng: Rng): string {
  const lines = text.split('\n')
  const li = rng.int(lines.length)
  const line = lines[li]
  const words = line.split(' ')
  switch (rng.int(8)) {
    case 0:
      lines.splice(li, 1)
      break
    case 1:
      lines.splice(li, 0, line)
      break
    case 2: {
      const at = rng.int(line.length + 1)
      lines[li] = line.slice(0, at) + rng.pick(ALPHABET) + line.slice(at)
      break
    }
    case 3: {
      const at = rng.int(Math.max(1, line.length))
      lines[li] = line.slice(0, at) + line.slice(at + 1)
      break
    }
    case 4:
      words.splice(rng.int(words.length), 1)
      lines[li] = words.join(' ')
      break
    case 5: {
      const other = rng.pick(lines).split(' ')
      words[rng.int(words.length)] = rng.pick(other)
      lines[li] = words.join(' ')
      break
    }
    case 6: {
      const a = rng.int(words.length)
      const b = rng.int(words.length)
      ;[words[a], words[b]] = [words[b], words[a]]
      lines[li] = words.join(' ')
      break
    }
    default: {
      const lj = rng.int(lines.length)
      ;[lines[li], lines[lj]] = [lines[lj], lines[li]]
    }
  }
  return lines.join('\n')
}
