import type { ContainerPort, EndpointPort, EndpointSlice, EndpointSliceEndpoint, Pod, Service } from './types'

/** Conditions of one pod's endpoint (discovery/v1 EndpointConditions). */
export interface EndpointConditions {
  ready: boolean
  serving: boolean
  terminating: boolean
}

const ALL_READY: EndpointConditions = { ready: true, serving: true, terminating: false }

/** The EndpointSlice controller's default --max-endpoints-per-slice. */
export const MAX_ENDPOINTS_PER_SLICE = 100

/**
 * The EndpointSlices the EndpointSlice controller writes for `service` over `pods` (already selected by the
 * caller, e.g. with matchesSelector), mirroring pkg/controller/endpointslice (reconciler.go, utils.go):
 * each pod's ports are resolved per service port — a numeric targetPort as is, a named one against that
 * pod's container ports (a pod lacking the name is left out of that port) —, endpoints with the same port
 * mapping share slices of at most 100, and a selector service with no pod gets one empty placeholder slice (the controller's newPlaceholderSlice in pkg/controller/endpointslice).
 * Slice names are deterministic (`<service>-<n>`), not random as the controller's generateName is.
 */
export function endpointSlicesFor(
  service: Service,
  pods: readonly Pod[],
  conditions: (pod: Pod) => EndpointConditions = () => ALL_READY,
): EndpointSlice[] {
  const groups = new Map<string, { ports: EndpointPort[]; endpoints: EndpointSliceEndpoint[] }>()
  // Pods of one deployment usually share their container port list: resolve each list once.
  const byPortList = new Map<
    readonly ContainerPort[],
    { ports: EndpointPort[]; endpoints: EndpointSliceEndpoint[] }
  >()
  for (const pod of pods) {
    if (!pod.ip) continue
    let g = byPortList.get(pod.ports)
    if (!g) {
      const ports: EndpointPort[] = []
      for (const sp of service.ports) {
        const n = resolveTargetPort(sp.targetPort, sp.protocol, pod.ports)
        if (n !== null) ports.push({ name: sp.name, protocol: sp.protocol, port: n })
      }
      const key = ports.map((p) => `${p.name}/${p.protocol}/${p.port}`).join(',')
      g = groups.get(key)
      if (!g) groups.set(key, (g = { ports, endpoints: [] }))
      byPortList.set(pod.ports, g)
    }
    const c = conditions(pod)
    g.endpoints.push({
      address: pod.ip,
      nodeName: pod.nodeName,
      ready: c.ready,
      serving: c.serving,
      terminating: c.terminating,
      targetRef: `${pod.namespace}/${pod.name}`,
    })
  }
  const slices: EndpointSlice[] = []
  const make = (ports: EndpointPort[], endpoints: EndpointSliceEndpoint[]) =>
    slices.push({
      namespace: service.namespace,
      name: `${service.name}-${slices.length}`,
      serviceName: service.name,
      addressType: 'IPv4',
      endpoints,
      ports,
    })
  for (const g of groups.values())
    for (let i = 0; i < g.endpoints.length; i += MAX_ENDPOINTS_PER_SLICE)
      make(g.ports, g.endpoints.slice(i, i + MAX_ENDPOINTS_PER_SLICE))
  if (slices.length === 0) make([], [])
  return slices
}

/** A numeric targetPort, or the number of the pod's container port with that name and protocol. */
export function resolveTargetPort(
  target: number | string,
  protocol: ContainerPort['protocol'],
  ports: readonly ContainerPort[],
): number | null {
  if (typeof target === 'number') return target
  const cp = ports.find((p) => p.name === target && p.protocol === protocol)
  return cp ? cp.containerPort : null
}
