#!/usr/bin/env node
// The dpsim command without tsx at run time: tsx transpiles every workspace file at each start (~3.6 s CPU
// before a command does anything), so the CLI is bundled once with esbuild into a cache file and rebuilt
// only when one of the files it was built from (listed beside it) is newer than the bundle. Workspace
// packages are inlined; third-party packages stay external, imported by the absolute path esbuild resolves
// from the importing package, so pnpm's strict node_modules layout still applies. No manual build step:
// the first run after a clone or an edit builds (a second or two), every later run just imports.
// The bundle is split (esbuild splitting): cli.mjs holds commander and the command list, each command's
// code sits in chunks it imports on demand, so `dpsim lint` does not compile the report or eBPF code.
import {
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { pathToFileURL } from 'node:url'

const root = join(import.meta.dirname, '..')
const entry = join(root, 'packages/bench/src/cli/main.ts')
const cacheDir = join(root, 'node_modules/.cache/dpsim')
const bundle = join(cacheDir, 'cli.mjs')
const chunkDir = join(cacheDir, 'chunks')
const inputsFile = join(cacheDir, 'cli.inputs.json')

function fresh() {
  let built
  try {
    built = statSync(bundle).mtimeMs
  } catch {
    return false
  }
  let inputs
  try {
    inputs = JSON.parse(readFileSync(inputsFile, 'utf8'))
  } catch {
    return false
  }
  for (const f of [...inputs, import.meta.filename]) {
    try {
      if (statSync(f).mtimeMs > built) return false
    } catch {
      return false
    }
  }
  return true
}

/** import.meta.url / dirname / filename of each source file as it would see them unbundled. */
function ownMeta(file, text) {
  if (!text.includes('import.meta')) return text
  return text
    .replaceAll('import.meta.url', JSON.stringify(pathToFileURL(file).href))
    .replaceAll('import.meta.dirname', JSON.stringify(dirname(file)))
    .replaceAll('import.meta.filename', JSON.stringify(file))
}

async function build() {
  // esbuild comes with tsx (a root devDependency), so it is resolved through tsx rather than added again
  const esbuild = createRequire(createRequire(import.meta.url).resolve('tsx/package.json'))('esbuild')
  const lazy = new Set(['d3-node', 'yaml'])
  // small CommonJS packages every command loads: inlined, they skip Node's CommonJS loader and its export
  // scanner at start-up (~30 ms CPU of the ~150 ms a command pays before it runs)
  const inline = new Set(['commander', 'ipaddr.js'])
  const workspace = {
    name: 'dpsim-workspace',
    setup(b) {
      b.onResolve({ filter: /^[^./]/ }, async (args) => {
        if (args.path.startsWith('node:') || args.path.startsWith('@dataplane-sim/') || args.pluginData)
          return undefined
        const r = await b.resolve(args.path, {
          kind: args.kind,
          resolveDir: args.resolveDir,
          pluginData: true,
        })
        if (r.errors.length) return { errors: r.errors }
        if (lazy.has(args.path)) return { path: r.path, namespace: 'lazy' }
        return { path: r.path, external: !inline.has(args.path) }
      })
      // d3-node pulls in jsdom (~0.9 s CPU to load) for the report's charts only, yaml (~60 ms) is for
      // cluster files only: each is loaded on first use (Node >= 20.19 can require an ES module), so a
      // command that does not need them (lint, trace on a dump) starts without them. The stand-in exports
      // every function of the package (classes too: a call with new constructs the real class); an import
      // of a non-function export fails the build, so such a name would have to be added here.
      b.onLoad({ filter: /.*/, namespace: 'lazy' }, (args) => {
        const mod = createRequire(import.meta.url)(args.path)
        const names = Object.keys(mod).filter(
          (k) => typeof mod[k] === 'function' && /^[A-Za-z_$][\w$]*$/.test(k) && k !== 'default',
        )
        const fns = names.map(
          (k) => `export function ${k}(...a) {
  const f = load().${k}
  return new.target ? new f(...a) : f(...a)
}`,
        )
        return {
          contents: `import { createRequire } from 'node:module'
let real
const load = () => (real ??= createRequire(import.meta.url)(${JSON.stringify(args.path)}))
${fns.join('\n')}`,
          loader: 'js',
        }
      })
      b.onLoad({ filter: /\.ts$/ }, (args) => ({
        contents: ownMeta(args.path, readFileSync(args.path, 'utf8')),
        loader: 'ts',
      }))
    },
  }
  const result = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    write: false,
    metafile: true,
    splitting: true,
    // the inlined CommonJS packages require Node's built-ins (node:events …): give the chunks a require
    banner: {
      js: "import { createRequire as __dpsimRequire } from 'node:module'\nconst require = __dpsimRequire(import.meta.url)",
    },
    outdir: cacheDir,
    entryNames: 'cli',
    // content-hashed names: a chunk file never changes once written, so a process still running an older
    // cli.mjs keeps importing the chunks it was built with
    chunkNames: 'chunks/[name]-[hash]',
    outExtension: { '.js': '.mjs' },
    logLevel: 'error',
    absWorkingDir: root,
    conditions: ['import', 'node'],
    plugins: [workspace],
  })
  mkdirSync(cacheDir, { recursive: true })
  const inputs = Object.keys(result.metafile.inputs)
    .filter((p) => !p.includes(':'))
    .map((p) => join(root, p))
  mkdirSync(chunkDir, { recursive: true })
  // write beside and rename, chunks before the entry that imports them: two dpsim processes starting
  // together never see half a bundle
  const written = new Set()
  let main
  for (const out of result.outputFiles) {
    if (out.path === bundle) {
      main = out
      continue
    }
    const tmp = `${out.path}.${process.pid}.tmp`
    writeFileSync(tmp, out.contents)
    renameSync(tmp, out.path)
    written.add(out.path)
  }
  const tmp = `${bundle}.${process.pid}.tmp`
  writeFileSync(tmp, main.contents)
  writeFileSync(`${inputsFile}.${process.pid}.tmp`, JSON.stringify(inputs))
  renameSync(`${inputsFile}.${process.pid}.tmp`, inputsFile)
  renameSync(tmp, bundle)
  // chunks of earlier builds: drop those over an hour old (no process still starting from them)
  for (const name of readdirSync(chunkDir)) {
    const f = join(chunkDir, name)
    try {
      if (!written.has(f) && statSync(f).mtimeMs < Date.now() - 3_600_000) unlinkSync(f)
    } catch {}
  }
}

if (!fresh()) await build()
await import(pathToFileURL(bundle).href)
