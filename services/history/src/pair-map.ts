/**
 * A map keyed by two strings, first then second, rather than by one joined string: a joined key is a
 * new string per lookup that must be flattened and hashed, which on history's hot path (series ids,
 * metric names: several lookups per point) cost more than the work around it; the two parts are
 * strings a batch already holds, and they keep their hash.
 */
export type PairMap<A, V> = ReturnType<typeof createPairMap<A, V>>;

export function createPairMap<A, V>() {
  const byFirst = new Map<A, Map<string, V>>();
  let size = 0;
  return {
    get: (a: A, b: string) => byFirst.get(a)?.get(b),
    set(a: A, b: string, v: V) {
      let inner = byFirst.get(a);
      if (!inner) byFirst.set(a, (inner = new Map()));
      if (!inner.has(b)) size++;
      inner.set(b, v);
    },
    get size() {
      return size;
    },
    forEach(f: (a: A, b: string, v: V) => void) {
      byFirst.forEach((inner, a) => inner.forEach((v, b) => f(a, b, v)));
    },
    clear() {
      byFirst.clear();
      size = 0;
    },
  };
}
