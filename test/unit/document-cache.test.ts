import { describe, expect, test } from 'vitest';
import { createDocumentCache } from '../../src/http/document-cache.js';

describe('document cache', () => {
  test('bounds the total length of cached documents, dropping the least recently used', () => {
    const cache = createDocumentCache<number>({ maxEntries: 10, maxTotalLength: 10 });
    cache.set('aaaa', 1);
    cache.set('bbbb', 2);
    expect(cache.get('aaaa')).toBe(1); // now the most recently used
    cache.set('cccc', 3);
    expect(cache.get('bbbb')).toBeUndefined();
    expect(cache.get('aaaa')).toBe(1);
    expect(cache.get('cccc')).toBe(3);
    expect(cache.size).toEqual({ entries: 2, totalLength: 8 });
  });

  test('bounds the number of entries', () => {
    const cache = createDocumentCache<number>({ maxEntries: 2, maxTotalLength: 100 });
    for (const key of ['a', 'b', 'c']) cache.set(key, 0);
    expect(cache.size).toEqual({ entries: 2, totalLength: 2 });
    expect(cache.get('a')).toBeUndefined();
  });

  test('never caches a document larger than the budget, and re-setting a key does not count it twice', () => {
    const cache = createDocumentCache<number>({ maxEntries: 10, maxTotalLength: 5 });
    cache.set('x'.repeat(6), 1);
    expect(cache.size).toEqual({ entries: 0, totalLength: 0 });
    cache.set('abc', 1);
    cache.set('abc', 2);
    expect(cache.get('abc')).toBe(2);
    expect(cache.size).toEqual({ entries: 1, totalLength: 3 });
  });
});
