import type { Rng } from '../rng/rng'
import type { Namespace, NetworkPolicy, Service } from '../scenario/types'

/** The policy shapes the generator draws, with their weights (a rough picture of real clusters). */
export const POLICY_SHAPES = {
  'default-deny-ingress': 3,
  'default-deny-egress': 1,
  'namespace-isolation': 2,
  'allow-from-label': 4,
  'allow-from-namespace': 2,
  'namespace-and-pod': 1,
  'ip-block': 2,
  'egress-ip-block': 1,
  'port-range': 1,
  'match-expressions': 1,
  'allow-all': 1,
  'egress-to-label': 1,
} as const

export type PolicyShape = keyof typeof POLICY_SHAPES

const SHAPES = Object.keys(POLICY_SHAPES) as PolicyShape[]
const TOTAL = SHAPES.reduce((a, s) => a + POLICY_SHAPES[s], 0)

/** `n` NetworkPolicies of the shapes above, in random namespaces, selecting the generated apps. */
export function generatePolicies(
  n: number,
  namespaces: readonly Namespace[],
  services: readonly Service[],
  rng: Rng,
  only?: readonly PolicyShape[],
): NetworkPolicy[] {
  const out: NetworkPolicy[] = []
  const appsByNs = new Map<string, string[]>()
  for (const s of services) {
    const app = s.selector?.app
    if (!app) continue
    const list = appsByNs.get(s.namespace)
    if (list) list.push(app)
    else appsByNs.set(s.namespace, [app])
  }
  const width = String(Math.max(n - 1, 1)).length
  for (let i = 0; i < n; i++) {
    const shape = only ? rng.pick(only) : drawShape(rng)
    const ns = rng.pick(namespaces).name
    const apps = appsByNs.get(ns) ?? []
    const app = apps.length ? rng.pick(apps) : 'client'
    const np = build(shape, ns, app, rng)
    np.name = `${shape}-${String(i).padStart(width, '0')}`
    out.push(np)
  }
  return out
}

function drawShape(rng: Rng): PolicyShape {
  let x = rng.float() * TOTAL
  for (const s of SHAPES) {
    x -= POLICY_SHAPES[s]
    if (x < 0) return s
  }
  return SHAPES[SHAPES.length - 1]
}

function build(shape: PolicyShape, namespace: string, app: string, rng: Rng): NetworkPolicy {
  const base = (over: Partial<NetworkPolicy>): NetworkPolicy => ({
    namespace,
    name: '',
    podSelector: { matchLabels: { app } },
    policyTypes: ['Ingress'],
    ingress: [],
    egress: [],
    ...over,
  })
  const tier = rng.pick(['frontend', 'backend', 'db'])
  const team = rng.pick(['payments', 'search', 'platform'])
  const port = rng.chance(0.5)
    ? { port: 'http' }
    : { protocol: 'TCP' as const, port: rng.pick([8080, 5432, 6379]) }
  switch (shape) {
    case 'default-deny-ingress':
      return base({ podSelector: {} })
    case 'default-deny-egress':
      return base({ podSelector: {}, policyTypes: ['Egress'] })
    case 'namespace-isolation':
      return base({ podSelector: {}, ingress: [{ from: [{ podSelector: {} }] }] })
    case 'allow-from-label':
      return base({ ingress: [{ from: [{ podSelector: { matchLabels: { tier } } }], ports: [port] }] })
    case 'allow-from-namespace':
      return base({
        ingress: [
          {
            from: [
              { namespaceSelector: { matchLabels: { team } } },
              { podSelector: { matchLabels: { tier } } },
            ],
          },
        ],
      })
    case 'namespace-and-pod':
      return base({
        ingress: [
          {
            from: [{ namespaceSelector: { matchLabels: { team } }, podSelector: { matchLabels: { tier } } }],
          },
        ],
      })
    case 'ip-block':
      return base({
        ingress: [
          {
            from: [
              { ipBlock: { cidr: '203.0.113.0/24', except: ['203.0.113.128/25'] } },
              { ipBlock: { cidr: '10.244.0.0/16', except: ['10.244.0.0/24'] } },
            ],
          },
        ],
      })
    case 'egress-ip-block':
      return base({
        policyTypes: ['Egress'],
        egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.96.0.0/12', '192.168.0.0/16'] } }] }],
      })
    case 'port-range':
      return base({
        ingress: [
          {
            ports: [
              { protocol: 'TCP', port: 8000, endPort: 8443 },
              { protocol: 'UDP', port: 5000, endPort: 6000 },
            ],
          },
        ],
      })
    case 'match-expressions':
      return base({
        podSelector: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['backend', 'db'] }] },
        ingress: [
          {
            from: [
              {
                podSelector: {
                  matchExpressions: [
                    { key: 'tier', operator: 'NotIn', values: ['db'] },
                    { key: 'app', operator: 'Exists' },
                  ],
                },
              },
            ],
          },
        ],
      })
    case 'allow-all':
      return base({ ingress: [{}] })
    case 'egress-to-label':
      return base({
        policyTypes: ['Ingress', 'Egress'],
        ingress: [{ from: [{ podSelector: {} }] }],
        egress: [
          {
            to: [{ podSelector: { matchLabels: { tier: 'db' } } }],
            ports: [{ protocol: 'TCP', port: 5432 }],
          },
          { to: [{ namespaceSelector: {} }], ports: [{ protocol: 'UDP', port: 53 }, { port: 'http' }] },
        ],
      })
  }
}
