import fc from 'fast-check'
import { OpCounts } from './packages/ebpf-model/src/maps/opCounts'

// Property tests draw from one fixed seed so that CI is reproducible; set FC_SEED to explore other cases
// (a failure prints the seed and path to replay it). At fast-check's default size ('small') an array
// arbitrary never grows past 10 elements whatever its maxLength: 'medium' lets them reach 100.
fc.configureGlobal({ seed: Number(process.env.FC_SEED ?? 20261128), baseSize: 'medium' })

// Every add a muted packet makes (the eBPF model's lean fast path, `OpCounts.mute`) is checked against the
// sequence it promised: a path that strays from it throws instead of leaving counts that only look right.
OpCounts.checkMuted = true
