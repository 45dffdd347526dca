import type { LabelSelector, Labels } from '../scenario/types'

/**
 * metav1.LabelSelector semantics (k8s.io/apimachinery/pkg/apis/meta/v1/helpers.go
 * LabelSelectorAsSelector): matchLabels and matchExpressions are ANDed; an empty selector matches
 * everything; NotIn and DoesNotExist match objects that lack the key.
 */
export function matchesSelector(selector: LabelSelector, labels: Labels): boolean {
  const ml = selector.matchLabels
  if (ml) for (const k in ml) if (labels[k] !== ml[k]) return false
  const me = selector.matchExpressions
  if (me)
    for (const r of me) {
      const has = Object.hasOwn(labels, r.key)
      switch (r.operator) {
        case 'In':
          if (!has || !(r.values ?? []).includes(labels[r.key])) return false
          break
        case 'NotIn':
          if (has && (r.values ?? []).includes(labels[r.key])) return false
          break
        case 'Exists':
          if (!has) return false
          break
        case 'DoesNotExist':
          if (has) return false
          break
      }
    }
  return true
}

/** True for `{}` (selects every object), the selector most policies use for "all pods". */
export function isEmptySelector(selector: LabelSelector): boolean {
  return (
    Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0
  )
}

/** A canonical string for a selector (sorted), usable as a cache key or an ipset/identity name seed. */
export function selectorKey(selector: LabelSelector): string {
  const ml = Object.entries(selector.matchLabels ?? {})
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}==${v}`)
  const me = (selector.matchExpressions ?? [])
    .map((r) => `${r.key} ${r.operator} (${[...(r.values ?? [])].sort().join(',')})`)
    .sort()
  return [...ml, ...me].join(' && ')
}
