export type { ArbClusterOptions, PacketAim, PacketCase, PacketFrom } from './arbitraries'
export {
  arbChange,
  arbChanges,
  arbCluster,
  arbClusterAndPacket,
  arbGenerateOptions,
  arbPacket,
  OUTSIDE_SOURCES,
  RICH_MIX,
} from './arbitraries'
export { inputErrorOf } from './inputErrorOf'
export { tinyCluster, tinyService } from './tiny'
