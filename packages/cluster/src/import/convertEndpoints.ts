import type { EndpointPort, EndpointSlice, EndpointSliceEndpoint } from '../scenario/types'
import { type ConvertContext, protocol } from './convert'

export function convertEndpointSlice(
  c: ConvertContext,
  o: Record<string, unknown>,
  ns: string,
  name: string,
): EndpointSlice | null {
  const { f } = c
  const meta = f.optObj(o.metadata, ['metadata'])
  const serviceName = f.labels(meta.labels, ['metadata', 'labels'])['kubernetes.io/service-name']
  if (!serviceName) {
    c.warn(`EndpointSlice ${ns}/${name}: no kubernetes.io/service-name label; skipped`)
    return null
  }
  const addressType = f.optStr(o.addressType, ['addressType']) ?? 'IPv4'
  if (addressType !== 'IPv4') {
    c.warn(
      `EndpointSlice ${ns}/${name}: addressType ${addressType} is not modeled (IPv4 only for now); skipped`,
    )
    return null
  }
  const endpoints: EndpointSliceEndpoint[] = []
  f.arr(o.endpoints, ['endpoints']).forEach((ev, i) => {
    const path = ['endpoints', i]
    const eo = f.obj(ev, path)
    const addresses = f.arr(eo.addresses, [...path, 'addresses'])
    if (addresses.length === 0) return
    const cond = f.optObj(eo.conditions, [...path, 'conditions'])
    // kube-proxy: a nil ready means ready, serving defaults to ready, terminating to false.
    const ready = f.optBool(cond.ready, [...path, 'conditions', 'ready']) ?? true
    const ep: EndpointSliceEndpoint = {
      address: f.str(addresses[0], [...path, 'addresses', 0]),
      ready,
      serving: f.optBool(cond.serving, [...path, 'conditions', 'serving']) ?? ready,
      terminating: f.optBool(cond.terminating, [...path, 'conditions', 'terminating']) ?? false,
    }
    const nodeName = f.optStr(eo.nodeName, [...path, 'nodeName'])
    if (nodeName) ep.nodeName = nodeName
    const ref = f.optObj(eo.targetRef, [...path, 'targetRef'])
    if (ref.kind === 'Pod' && typeof ref.name === 'string')
      ep.targetRef = `${typeof ref.namespace === 'string' ? ref.namespace : ns}/${ref.name}`
    endpoints.push(ep)
  })
  const ports: EndpointPort[] = []
  f.arr(o.ports, ['ports']).forEach((pv, i) => {
    const po = f.obj(pv, ['ports', i])
    const port = f.optInt(po.port, ['ports', i, 'port'], 1, 65535)
    if (port === undefined) {
      c.warn(`EndpointSlice ${ns}/${name}: port ${i} without a number (all ports) is not modeled; skipped`)
      return
    }
    ports.push({
      name: f.optStr(po.name, ['ports', i, 'name']) ?? '',
      protocol: protocol(c, po.protocol, ['ports', i, 'protocol']),
      port,
    })
  })
  return { namespace: ns, name, serviceName, addressType, endpoints, ports }
}

/** core/v1 Endpoints as the EndpointSlice mirroring controller would turn them into slices (one per subset). */
export function convertEndpoints(
  c: ConvertContext,
  o: Record<string, unknown>,
  ns: string,
  name: string,
): EndpointSlice[] {
  const { f } = c
  return f.arr(o.subsets, ['subsets']).map((sv, s) => {
    const path = ['subsets', s]
    const so = f.obj(sv, path)
    const endpoints: EndpointSliceEndpoint[] = []
    for (const [key, ready] of [
      ['addresses', true],
      ['notReadyAddresses', false],
    ] as const)
      f.arr(so[key], [...path, key]).forEach((av, i) => {
        const ao = f.obj(av, [...path, key, i])
        const ep: EndpointSliceEndpoint = {
          address: f.str(ao.ip, [...path, key, i, 'ip']),
          ready,
          serving: ready,
          terminating: false,
        }
        const nodeName = f.optStr(ao.nodeName, [...path, key, i, 'nodeName'])
        if (nodeName) ep.nodeName = nodeName
        const ref = f.optObj(ao.targetRef, [...path, key, i, 'targetRef'])
        if (ref.kind === 'Pod' && typeof ref.name === 'string') ep.targetRef = `${ns}/${ref.name}`
        endpoints.push(ep)
      })
    const ports = f.arr(so.ports, [...path, 'ports']).map((pv, i) => {
      const po = f.obj(pv, [...path, 'ports', i])
      return {
        name: f.optStr(po.name, [...path, 'ports', i, 'name']) ?? '',
        protocol: protocol(c, po.protocol, [...path, 'ports', i, 'protocol']),
        port: f.int(po.port, [...path, 'ports', i, 'port'], 1, 65535),
      }
    })
    return {
      namespace: ns,
      name: `${name}-${s}`,
      serviceName: name,
      addressType: 'IPv4' as const,
      endpoints,
      ports,
    }
  })
}
