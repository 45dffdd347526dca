import fc from 'fast-check'

// Property tests draw from one fixed seed so that CI is reproducible; set FC_SEED to explore other cases
// (a failure prints the seed and path to replay it).
fc.configureGlobal({ seed: Number(process.env.FC_SEED ?? 20261128) })
