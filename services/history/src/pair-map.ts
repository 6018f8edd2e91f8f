/**
 * A map keyed by two strings, first then second, rather than by one joined string: a joined key is a
 * new string per lookup that must be flattened and hashed, which on history's hot path (series ids,
 * metric names: several lookups per point) cost more than the work around it; the two parts are
 * strings a batch already holds, and they keep their hash. Lookups come in runs of one first key (a
 * message's points share their device, a group's measurements their parent): the last first key's
 * inner map is kept, so a run looks the first key up once.
 */
export type PairMap<A, V> = ReturnType<typeof createPairMap<A, V>>;

export function createPairMap<A, V>() {
  const byFirst = new Map<A, Map<string, V>>();
  let size = 0;
  let lastFirst: A | undefined;
  let lastInner: Map<string, V> | undefined;
  const innerOf = (a: A) => {
    if (a !== lastFirst || lastInner === undefined) {
      lastFirst = a;
      lastInner = byFirst.get(a);
    }
    return lastInner;
  };
  return {
    get: (a: A, b: string) => innerOf(a)?.get(b),
    set(a: A, b: string, v: V) {
      let inner = innerOf(a);
      if (!inner) byFirst.set(a, (lastInner = inner = new Map()));
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
      lastInner = undefined;
      size = 0;
    },
  };
}
