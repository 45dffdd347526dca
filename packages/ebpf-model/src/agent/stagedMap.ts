/**
 * A Map whose new keys can be staged: `stage(key, value)` for a key the caller knows is in neither the map nor
 * the stage (a new identity's number, a service never synced), appended in order and entered (in that order)
 * when the map is first read. Entering a new key appends it to a Map, so the map read is the same map as with
 * every key set when staged; the initial sync's ~100k such inserts (each growing a large Map) happen once, on
 * the first watch event or dump, or never.
 */
export class StagedMap<K, V> {
  private readonly entered = new Map<K, V>()
  private keys: K[] = []
  private values: V[] = []

  /** `key` (absent from the map and the stage: the caller's word) set to `value` on the map's first read. */
  stage(key: K, value: V): void {
    this.keys.push(key)
    this.values.push(value)
  }

  /** The map, every staged entry entered. */
  get map(): Map<K, V> {
    const keys = this.keys
    if (keys.length > 0) {
      const values = this.values
      for (let i = 0; i < keys.length; i++) this.entered.set(keys[i], values[i])
      this.keys = []
      this.values = []
    }
    return this.entered
  }
}
