import type { Cluster, ClusterChange } from '@dataplane-sim/cluster'
import {
  collectServicePorts,
  countEndpoints,
  findNode,
  type KubeProxyRender,
  renderKubeProxy,
  renderServicePorts,
} from '../render/kubeProxy/kubeProxy'
import type { KubeProxyOptions } from '../render/kubeProxy/options'
import { kubeProxyRestoreText } from '../render/kubeProxy/restoreText'
import type { ServicePortInfo } from '../render/kubeProxy/servicePorts'
import { servicePortsForService } from '../render/kubeProxy/servicePorts'

export interface KubeProxySyncOptions extends KubeProxyOptions {
  /** KEP-3453 partial syncs (MinimizeIPTablesRestore, on by default since v1.27); false: every sync is full */
  partialSync?: boolean
}

/** What one kube-proxy sync sends to iptables-restore (empty input when nothing kube-proxy watches changed). */
export interface KubeProxySyncResult {
  input: string
  fullSync: boolean
  /** services whose chains were re-rendered and written */
  changedServices: string[]
  /** stale service chains flushed and deleted */
  deletedChains: string[]
}

/** A computed but not yet installed sync. */
export interface KubeProxySyncPlan {
  cluster: Cluster
  render: KubeProxyRender
  totalEndpoints: number
  /** all service ports anew (full re-render), or null to patch with portChanges */
  ports: Map<string, ServicePortInfo[]> | null
  portChanges: Map<string, ServicePortInfo[] | null>
  result: KubeProxySyncResult
}

/**
 * kube-proxy's sync loop, one event at a time (pkg/proxy/iptables/proxier.go syncProxyRules with the
 * ServiceChangeTracker / EndpointsChangeTracker results). The rendered chunk of every service is cached, so a
 * change re-renders only the services it touches. A partial sync still writes every filter chain and the whole
 * of KUBE-SERVICES, KUBE-NODEPORTS, KUBE-POSTROUTING and KUBE-MARK-MASQ, so one changed service at N services
 * sends O(N) lines; only the unchanged services' KUBE-SVC/SVL/EXT/FW/SEP chains are left out.
 *
 * Deviations, on purpose: stale chains are deleted on every sync (kube-proxy waits for the next cleanup period
 * in large-cluster mode), and a switch into or out of large-cluster mode forces a full sync so the chains'
 * comments always match what a fresh render would write (kube-proxy leaves unchanged chains as they were).
 */
export class KubeProxySync {
  private cluster: Cluster
  private render: KubeProxyRender
  private ports: Map<string, ServicePortInfo[]>
  private totalEndpoints: number
  private readonly partial: boolean

  constructor(
    cluster: Cluster,
    readonly nodeName: string,
    private readonly options: KubeProxySyncOptions = {},
  ) {
    this.partial = options.partialSync ?? true
    this.cluster = cluster
    this.ports = collectServicePorts(cluster, nodeName)
    this.totalEndpoints = countEndpoints(this.ports)
    this.render = renderKubeProxy(cluster, nodeName, options)
  }

  get current(): KubeProxyRender {
    return this.render
  }

  /** The restore input of a full sync of the current state. */
  fullInput(): string {
    return kubeProxyRestoreText(this.render)
  }

  /** Applies `change` (which turned the previous cluster into `next`) and returns the sync it triggers. */
  apply(change: ClusterChange, next: Cluster): KubeProxySyncResult {
    const plan = this.prepare(change, next)
    this.commit(plan)
    return plan.result
  }

  /** Installs a prepared sync (after its restore succeeded). */
  commit(plan: KubeProxySyncPlan): void {
    this.cluster = plan.cluster
    this.render = plan.render
    this.totalEndpoints = plan.totalEndpoints
    if (plan.ports) this.ports = plan.ports
    for (const [key, list] of plan.portChanges) {
      if (list) this.ports.set(key, list)
      else this.ports.delete(key)
    }
  }

  /** The sync `change` triggers, without changing this object (commit it once its restore succeeded). */
  prepare(change: ClusterChange, next: Cluster): KubeProxySyncPlan {
    const prev = this.cluster
    const none = (): KubeProxySyncPlan => ({
      cluster: next,
      render: this.render,
      totalEndpoints: this.totalEndpoints,
      ports: null,
      portChanges: new Map(),
      result: { input: '', fullSync: false, changedServices: [], deletedChains: [] },
    })
    const affected = new Set<string>()
    let full = !this.partial
    switch (change.kind) {
      case 'Service':
        affected.add(
          change.op === 'upsert'
            ? `${change.object.namespace}/${change.object.name}`
            : `${change.namespace}/${change.name}`,
        )
        break
      case 'EndpointSlice': {
        const ns = change.op === 'upsert' ? change.object.namespace : change.namespace
        const name = change.op === 'upsert' ? change.object.name : change.name
        const old = prev.endpointSlices.find((s) => s.namespace === ns && s.name === name)
        if (old) affected.add(`${old.namespace}/${old.serviceName}`)
        if (change.op === 'upsert') affected.add(`${change.object.namespace}/${change.object.serviceName}`)
        break
      }
      case 'Node': {
        const name = change.op === 'upsert' ? change.object.name : change.name
        if (name !== this.nodeName) return none()
        // the node's own address or topology changed: kube-proxy resyncs everything
        full = true
        break
      }
      default:
        return none()
    }
    if (full && change.kind === 'Node') {
      const ports = collectServicePorts(next, this.nodeName)
      const render = renderKubeProxy(next, this.nodeName, this.options)
      return this.plan(
        next,
        render,
        countEndpoints(ports),
        ports,
        new Map(),
        [...render.services.keys()],
        true,
      )
    }

    const oldRender = this.render
    const newPorts = new Map<string, ServicePortInfo[] | null>()
    for (const key of affected) {
      const [ns, name] = key.split('/')
      const svc = next.services.find((s) => s.namespace === ns && s.name === name)
      const slices = svc
        ? next.endpointSlices.filter((s) => s.namespace === ns && s.serviceName === name)
        : []
      newPorts.set(key, svc ? servicePortsForService(svc, slices, this.nodeName) : null)
    }
    let total = this.totalEndpoints
    for (const [key, list] of newPorts) {
      for (const sp of this.ports.get(key) ?? []) total -= sp.endpoints.length
      for (const sp of list ?? []) total += sp.endpoints.length
    }
    const large = total > oldRender.options.largeClusterThreshold
    if (large !== oldRender.largeClusterMode) {
      const render = renderKubeProxy(next, this.nodeName, this.options)
      return this.plan(next, render, total, null, newPorts, [...render.services.keys()], true)
    }
    const services = new Map(oldRender.services)
    const render: KubeProxyRender = {
      ...oldRender,
      nodeIP: findNode(next, this.nodeName)?.internalIP ?? null,
      services,
      totalEndpoints: total,
    }
    for (const [key, list] of newPorts) {
      if (list) services.set(key, renderServicePorts(render, list))
      else services.delete(key)
    }
    return this.plan(next, render, total, null, newPorts, [...affected], full)
  }

  private plan(
    cluster: Cluster,
    render: KubeProxyRender,
    totalEndpoints: number,
    ports: Map<string, ServicePortInfo[]> | null,
    portChanges: Map<string, ServicePortInfo[] | null>,
    changed: string[],
    full: boolean,
  ): KubeProxySyncPlan {
    // chain names hash the service port name, so a service's chains can only go stale with that service:
    // a partial sync compares the changed services alone (kube-proxy diffs iptables-save against all chains)
    const scope = full ? null : changed
    const chainsOf = (r: KubeProxyRender): Set<string> => {
      const set = new Set<string>()
      const lists = scope ? scope.map((k) => r.services.get(k) ?? []) : r.services.values()
      for (const chunks of lists) for (const ch of chunks) for (const c of ch.natChains) set.add(c)
      return set
    }
    const live = chainsOf(render)
    const deletedChains = [...chainsOf(this.render)].filter((c) => !live.has(c))
    const changedServices = full ? [...render.services.keys()] : changed.filter((k) => render.services.has(k))
    const input = kubeProxyRestoreText(render, {
      changedServices: full ? null : new Set(changedServices),
      deletedNatChains: deletedChains,
    })
    return {
      cluster,
      render,
      totalEndpoints,
      ports,
      portChanges,
      result: { input, fullSync: full, changedServices, deletedChains },
    }
  }
}
