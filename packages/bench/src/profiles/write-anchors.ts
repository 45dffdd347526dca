// Regenerates packages/bench/profiles/anchors.json from the models' exported constants.
import { join } from 'node:path'
import { writeAtomic } from '../cli/_io'
import { composeAnchorsProfile } from './anchors-profile'
import { PROFILES_DIR } from './load'

const path = join(PROFILES_DIR, 'anchors.json')
writeAtomic(path, `${JSON.stringify(composeAnchorsProfile(), null, 2)}\n`)
console.log(`wrote ${path}`)
