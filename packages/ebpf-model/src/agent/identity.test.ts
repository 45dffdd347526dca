import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { namespaceIdentityLabels, podIdentityLabels } from './identity'

describe('podIdentityLabels', () => {
  it('gives the pod’s k8s labels and its namespace’s identity labels in the default sort order', () => {
    // short keys and values over a few characters (some past ASCII) so labels share prefixes and interleave
    const text = fc.string({
      unit: fc.constantFrom('a', 'b', 'i', 'o', 'z', '.', '-', 'é', 'Z'),
      maxLength: 6,
    })
    const labels = fc.dictionary(text, text, { maxKeys: 6 })
    fc.assert(
      fc.property(labels, labels, text, (podLabels, nsLabels, ns) => {
        const pod = { namespace: ns, name: 'p', labels: podLabels, ip: '10.0.0.1', nodeName: 'a', ports: [] }
        const namespace = { name: ns, labels: nsLabels }
        const expected = [
          ...Object.entries(podLabels).map(([k, v]) => `k8s:${k}=${v}`),
          `k8s:io.kubernetes.pod.namespace=${ns}`,
          ...Object.entries(nsLabels).map(([k, v]) => `k8s:io.cilium.k8s.namespace.labels.${k}=${v}`),
          'k8s:io.cilium.k8s.policy.cluster=default',
        ].sort()
        expect(podIdentityLabels(pod, namespace)).toEqual(expected)
        expect(podIdentityLabels(pod, undefined, namespaceIdentityLabels(ns, namespace))).toEqual(expected)
      }),
      { numRuns: 300 },
    )
  })
})
