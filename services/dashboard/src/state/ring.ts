/** A bounded buffer: once full, each push drops the oldest item. */
export interface Ring<T> {
  push(item: T): void;
  /** Newest first, at most `limit` items. */
  newest(limit?: number): T[];
  readonly size: number;
  readonly capacity: number;
}

export function createRing<T>(capacity: number): Ring<T> {
  const items: Array<T | undefined> = new Array(capacity);
  let next = 0;
  let size = 0;
  return {
    push(item) {
      items[next] = item;
      next = (next + 1) % capacity;
      size = Math.min(size + 1, capacity);
    },
    newest(limit = capacity) {
      const out: T[] = [];
      for (let i = 1; i <= Math.min(limit, size); i++) out.push(items[(next - i + capacity) % capacity] as T);
      return out;
    },
    get size() {
      return size;
    },
    capacity,
  };
}
