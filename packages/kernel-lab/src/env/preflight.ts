import { existsSync } from 'node:fs'
import { delimiter, join } from 'node:path'

/** A command-line tool the lab runs, and the Debian package that ships it. */
export interface LabTool {
  command: string
  debianPackage: string
}

/** Every tool the lab needs (`scripts/install-kernel-tools.sh` installs the same packages). */
export const LAB_TOOLS: readonly LabTool[] = [
  { command: 'ip', debianPackage: 'iproute2' },
  { command: 'tc', debianPackage: 'iproute2' },
  { command: 'iptables-legacy-restore', debianPackage: 'iptables' },
  { command: 'iptables-legacy-save', debianPackage: 'iptables' },
  { command: 'iptables-nft-restore', debianPackage: 'iptables' },
  { command: 'iptables-nft-save', debianPackage: 'iptables' },
  { command: 'nft', debianPackage: 'nftables' },
  { command: 'bpftool', debianPackage: 'bpftool' },
  { command: 'clang', debianPackage: 'clang' },
  { command: 'llc', debianPackage: 'llvm' },
  { command: 'conntrack', debianPackage: 'conntrack' },
  { command: 'ping', debianPackage: 'iputils-ping' },
  { command: 'ipset', debianPackage: 'ipset' },
  { command: 'nfacct', debianPackage: 'nfacct' },
]

/** libbpf's headers, which the tc program includes. */
export const BPF_HELPERS_HEADER = '/usr/include/bpf/bpf_helpers.h'

/** The Debian packages the lab needs, as the refusal message names them. */
export const LAB_DEBIAN_PACKAGES = [
  'iptables',
  'nftables',
  'bpftool',
  'iproute2',
  'clang',
  'llvm',
  'libbpf-dev',
  'conntrack',
  'iputils-ping',
  'ipset',
  'nfacct',
]

export interface Preflight {
  ok: boolean
  root: boolean
  /** commands (or headers) not found */
  missing: string[]
  /** why the lab cannot run, naming what to install; empty when ok */
  reason: string
}

export interface PreflightEnv {
  uid: number
  path: string
  exists: (path: string) => boolean
}

function defaultEnv(): PreflightEnv {
  return {
    uid: typeof process.getuid === 'function' ? process.getuid() : -1,
    path: process.env.PATH ?? '',
    exists: existsSync,
  }
}

/** Looks `command` up on PATH (plus the sbin directories, which a non-login root shell may lack). */
export function findCommand(command: string, env: PreflightEnv = defaultEnv()): string | undefined {
  const dirs = [...env.path.split(delimiter), '/usr/sbin', '/sbin', '/usr/bin', '/bin'].filter(Boolean)
  for (const dir of dirs) {
    const p = join(dir, command)
    if (env.exists(p)) return p
  }
  return undefined
}

/** Whether the lab can run here: root, and every tool present. */
export function preflight(env: PreflightEnv = defaultEnv()): Preflight {
  const root = env.uid === 0
  const missing = LAB_TOOLS.filter((t) => !findCommand(t.command, env)).map((t) => t.command)
  if (!env.exists(BPF_HELPERS_HEADER)) missing.push(BPF_HELPERS_HEADER)
  const problems: string[] = []
  if (!root) problems.push('the kernel lab needs root (network namespaces, iptables, BPF)')
  if (missing.length) {
    const pkgs = new Set(
      missing.map((m) => LAB_TOOLS.find((t) => t.command === m)?.debianPackage ?? 'libbpf-dev'),
    )
    problems.push(
      `missing ${missing.join(', ')}; install the Debian packages: apt-get install -y ${[...pkgs].join(' ')} ` +
        `(all the lab uses: ${LAB_DEBIAN_PACKAGES.join(' ')})`,
    )
  }
  return { ok: problems.length === 0, root, missing, reason: problems.join('; ') }
}
