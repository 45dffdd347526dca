#!/usr/bin/env node
// The dpsim command: runs the CLI bundled by scripts/dpsim.mjs (rebuilt when a source changed; no tsx at
// run time, which would transpile every workspace file at each start).
await import('../../../scripts/dpsim.mjs')
