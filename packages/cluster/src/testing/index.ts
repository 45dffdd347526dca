export { tinyCluster, tinyService } from './tiny'
