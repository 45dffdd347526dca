#!/usr/bin/env node
// The dpsim command without tsx at run time: tsx transpiles every workspace file at each start (~3.6 s CPU
// before a command does anything), so the CLI is bundled once with esbuild into a cache file and rebuilt
// only when one of the files it was built from (listed beside it) is newer than the bundle. Workspace
// packages are inlined; third-party packages stay external, imported by the absolute path esbuild resolves
// from the importing package, so pnpm's strict node_modules layout still applies. No manual build step:
// the first run after a clone or an edit builds (a second or two), every later run just imports.
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { pathToFileURL } from 'node:url'

const root = join(import.meta.dirname, '..')
const entry = join(root, 'packages/bench/src/cli/main.ts')
const cacheDir = join(root, 'node_modules/.cache/dpsim')
const bundle = join(cacheDir, 'cli.mjs')
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
        if (args.path === 'd3-node') return { path: r.path, namespace: 'lazy' }
        return { path: r.path, external: true }
      })
      // d3-node pulls in jsdom (~0.9 s CPU to load) for the report's charts only: load it on first use
      // (Node >= 20.19 can require an ES module), so every other command starts without it
      b.onLoad({ filter: /.*/, namespace: 'lazy' }, (args) => ({
        contents: `import { createRequire } from 'node:module'
let real
export function D3Node(...a) {
  real ??= createRequire(import.meta.url)(${JSON.stringify(args.path)}).D3Node
  return new real(...a)
}`,
        loader: 'js',
      }))
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
    logLevel: 'error',
    absWorkingDir: root,
    conditions: ['import', 'node'],
    plugins: [workspace],
  })
  mkdirSync(cacheDir, { recursive: true })
  const inputs = Object.keys(result.metafile.inputs)
    .filter((p) => !p.includes(':'))
    .map((p) => join(root, p))
  // write beside and rename: two dpsim processes starting together never see half a bundle
  const tmp = `${bundle}.${process.pid}.tmp`
  writeFileSync(tmp, result.outputFiles[0].contents)
  writeFileSync(`${inputsFile}.${process.pid}.tmp`, JSON.stringify(inputs))
  renameSync(`${inputsFile}.${process.pid}.tmp`, inputsFile)
  renameSync(tmp, bundle)
}

if (!fresh()) await build()
await import(pathToFileURL(bundle).href)
