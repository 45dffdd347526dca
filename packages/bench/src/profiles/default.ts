import type { CostProfile } from '@dataplane-sim/cluster'
import { loadProfile } from './load'

/**
 * The profile reports and plans use unless told otherwise: `anchors` (the models' constants from
 * shared/anchors.md). The kernel lab's `calibrated` profile is selectable with `--profile calibrated`; it is not
 * the default because it was fitted on one machine under shared load (see the report's anchors section).
 */
export const DEFAULT_PROFILE_NAME = 'anchors'

let cached: CostProfile | null = null

/** `packages/bench/profiles/anchors.json`, loaded once. */
export function defaultProfile(): CostProfile {
  cached ??= loadProfile(DEFAULT_PROFILE_NAME)
  return cached
}

/** The default profile as a value (read from `packages/bench/profiles/anchors.json` when this module loads). */
export const DEFAULT_PROFILE: CostProfile = defaultProfile()
