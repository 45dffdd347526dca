import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseClusterJson, validateCluster } from '@dataplane-sim/cluster'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { runCli } from '../src/cli/program'

const FIXTURE = join(import.meta.dirname, '../../cluster/test/fixtures/kubectl-dump.yaml')
const dir = mkdtempSync(join(tmpdir(), 'dpsim-cli-'))

/** Runs the CLI in-process and captures what it writes. */
async function run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = ''
  let stderr = ''
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
    stdout += String(s)
    return true
  })
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => {
    stderr += String(s)
    return true
  })
  try {
    const code = await runCli(argv)
    return { code, stdout, stderr }
  } finally {
    out.mockRestore()
    err.mockRestore()
  }
}

afterEach(() => vi.restoreAllMocks())

describe('dpsim generate', () => {
  it('prints byte-identical JSON for the same seed, holding the services, which validation accepts', async () => {
    const a = await run('generate', '--services', '1000', '--endpoints', '3', '--seed', '7')
    const b = await run('generate', '--services', '1000', '--endpoints', '3', '--seed', '7')
    expect(a.code).toBe(0)
    expect(a.stdout).toBe(b.stdout)
    const cluster = parseClusterJson(a.stdout, 'out.json')
    expect(cluster.services).toHaveLength(1000)
    expect(validateCluster(cluster)).toBe(cluster)
  })

  it('differs between seeds', async () => {
    const a = await run('generate', '--services', '50', '--seed', '1')
    const b = await run('generate', '--services', '50', '--seed', '2')
    expect(a.stdout).not.toBe(b.stdout)
  })

  it('writes to -o FILE and honours nodes, policies and CIDRs', async () => {
    const file = join(dir, 'c.json')
    const r = await run(
      'generate',
      '--services',
      '20',
      '--nodes',
      '4',
      '--policies',
      '7',
      '--service-cidr',
      '10.100.0.0/16',
      '--pod-cidr',
      '10.32.0.0/12',
      '--endpoints',
      '1-4',
      '-o',
      file,
    )
    expect(r).toMatchObject({ code: 0, stdout: '' })
    const c = parseClusterJson(readFileSync(file, 'utf8'), file)
    expect([c.nodes.length, c.networkPolicies.length, c.serviceCIDR, c.podCIDR]).toEqual([
      4,
      7,
      '10.100.0.0/16',
      '10.32.0.0/12',
    ])
  })

  it('exits 2 on a bad option value', async () => {
    const r = await run('generate', '--services', 'many')
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/--services: expected an integer/)
    const cidr = await run('generate', '--pod-cidr', '10.0.0.0')
    expect(cidr.code).toBe(2)
    expect(cidr.stderr).toMatch(/podCIDR must be an IPv4 CIDR/)
  })
})

describe('dpsim summary', () => {
  it('summarizes a generated cluster as text and as JSON', async () => {
    const file = join(dir, 's.json')
    await run('generate', '--services', '100', '--endpoints', '3', '--seed', '7', '-o', file)
    const text = await run('summary', file)
    expect(text.code).toBe(0)
    expect(text.stdout).toMatch(/objects +.*services 100/)
    expect(text.stdout).toMatch(/endpoints\/service +min \d+ {2}median 3 {2}max 3/)
    const json = await run('summary', file, '--json')
    expect(JSON.parse(json.stdout).counts.services).toBe(100)
  })

  it('exits 2 with file:line: message on malformed JSON', async () => {
    const file = join(dir, 'bad.json')
    writeFileSync(file, '{\n  "schemaVersion": 1,\n  "nodes": [}\n')
    const r = await run('summary', file)
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(new RegExp(`^${file.replace(/[.\\]/g, '\\$&')}:3:\\d+: invalid JSON`))
  })

  it('exits 2 naming the JSON path and line of an invalid cluster', async () => {
    const file = join(dir, 'invalid.json')
    const good = (await run('generate', '--services', '3', '--seed', '1', '--policies', '0')).stdout
    const bad = good.replace(/"targetPort": \d+/, '"targetPort": 0')
    writeFileSync(file, bad)
    const r = await run('summary', file)
    expect(r.code).toBe(2)
    const line = bad.split('\n').findIndex((l) => l.includes('"targetPort": 0')) + 1
    expect(r.stderr).toContain(`${file}:${line}:`)
    expect(r.stderr).toMatch(/services\[\d+\]\.ports\[\d\]\.targetPort: expected an integer 1-65535, got 0/)
  })

  it('exits 2 naming a missing file', async () => {
    const r = await run('summary', join(dir, 'nope.json'))
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/nope\.json:1: cannot read: ENOENT/)
  })
})

describe('dpsim import', () => {
  it('converts a kubectl dump, warnings on stderr, stable JSON on stdout', async () => {
    const a = await run('import', FIXTURE)
    expect(a.code).toBe(0)
    expect(a.stderr).toMatch(/kubectl-dump\.yaml: warning: .*ConfigMap coredns/)
    const c = parseClusterJson(a.stdout, 'out.json')
    expect(c.services.map((s) => s.name)).toContain('kube-dns')
    expect((await run('import', FIXTURE)).stdout).toBe(a.stdout)
  })

  it('exits 2 with file:line: message on a bad dump', async () => {
    const file = join(dir, 'bad.yaml')
    writeFileSync(
      file,
      'apiVersion: v1\nkind: Service\nmetadata: {name: s, namespace: d}\nspec:\n  clusterIP: 10.96.0.1\n  ports:\n  - port: http\n',
    )
    const r = await run('import', file)
    expect(r.code).toBe(2)
    expect(r.stderr).toBe(
      `${file}:7:11: document 1: Service d/s: spec.ports[0].port: expected an integer 1-65535, got "http"\n`,
    )
  })

  it('shows --help for each command', async () => {
    for (const cmd of ['generate', 'import', 'summary']) {
      const r = await run(cmd, '--help')
      expect(r.code).toBe(0)
      expect(r.stdout).toMatch(new RegExp(`Usage: dpsim ${cmd}`))
    }
  })
})
