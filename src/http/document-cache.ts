/**
 * Yoga caches parsed documents (and parse errors) keyed by the document text, 1,024 of each for
 * an hour, whatever their size: a client sending large distinct documents would pin gigabytes.
 * This cache bounds the total length of the documents it holds; the least recently used go first,
 * and a document larger than the whole budget is not cached at all.
 */
export function createDocumentCache<Value>({ maxEntries = 1_024, maxTotalLength = 4 * 1024 * 1024 } = {}) {
  // A Map iterates in insertion order: re-inserting on use keeps the least recently used first.
  const entries = new Map<string, Value>();
  let totalLength = 0;
  const remove = (key: string) => {
    entries.delete(key);
    totalLength -= key.length;
  };
  return {
    get(key: string): Value | undefined {
      const value = entries.get(key);
      if (value !== undefined) {
        entries.delete(key);
        entries.set(key, value);
      }
      return value;
    },
    set(key: string, value: Value): void {
      if (key.length > maxTotalLength) return;
      if (entries.has(key)) remove(key);
      entries.set(key, value);
      totalLength += key.length;
      for (const oldest of entries.keys()) {
        if (entries.size <= maxEntries && totalLength <= maxTotalLength) break;
        remove(oldest);
      }
    },
    get size() {
      return { entries: entries.size, totalLength };
    },
  };
}
