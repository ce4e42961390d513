/** A least-recently-used map bounded by a total weight (bytes, or 1 per entry). */
export function createLru<V>(maxWeight: number, weigh: (value: V) => number) {
  const entries = new Map<string, V>();
  let weight = 0;
  return {
    get(key: string): V | undefined {
      const value = entries.get(key);
      if (value === undefined) return undefined;
      entries.delete(key);
      entries.set(key, value);
      return value;
    },
    set(key: string, value: V): void {
      this.delete(key);
      const w = weigh(value);
      if (w > maxWeight) return;
      entries.set(key, value);
      weight += w;
      for (const [oldest, old] of entries) {
        if (weight <= maxWeight) break;
        entries.delete(oldest);
        weight -= weigh(old);
      }
    },
    delete(key: string): void {
      const old = entries.get(key);
      if (old === undefined) return;
      entries.delete(key);
      weight -= weigh(old);
    },
    clear(): void {
      entries.clear();
      weight = 0;
    },
    get weight() {
      return weight;
    },
    get size() {
      return entries.size;
    },
  };
}
export type Lru<V> = ReturnType<typeof createLru<V>>;
