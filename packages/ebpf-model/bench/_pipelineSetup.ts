import { benchCluster } from './_cluster'

/**
 * The pipeline benchmarks' cluster (`benchCluster` with 2 endpoints per service), the node timed (the first),
 * up to 16 of its pods as clients (app=client first, so a batch's flows are distinct at any size) and every
 * ClusterIP service's first port.
 */
export function pipelineSetup(services: number) {
  const cluster = benchCluster(services, 2)
  const nodeName = cluster.nodes[0].name
  const local = cluster.pods.filter((p) => p.nodeName === nodeName && !p.hostNetwork)
  const clients = [
    ...local.filter((p) => p.labels.app === 'client'),
    ...local.filter((p) => p.labels.app !== 'client'),
  ]
    .slice(0, 16)
    .map((p) => p.ip)
  if (clients.length === 0) throw new Error('no local pod')
  const vips = cluster.services
    .filter((s) => s.clusterIP !== 'None')
    .map((s) => ({ ip: s.clusterIP, port: s.ports[0].port, proto: s.ports[0].protocol }))
  return { cluster, nodeName, clients, vips }
}

export type PipelineSetup = ReturnType<typeof pipelineSetup>

/** The maxima the pipeline benchmarks build with: every frontend programmed, no CT eviction. */
export const PIPELINE_MAXIMA = {
  bpfLbMapMax: 2 ** 20,
  bpfCtGlobalTcpMax: 2 ** 22,
  bpfCtGlobalAnyMax: 2 ** 21,
}
