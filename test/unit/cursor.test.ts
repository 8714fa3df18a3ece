import { describe, expect, test } from 'vitest';
import { decodeCursor, encodeCursor } from '../../src/graphql/schema/connection.js';

describe('cursors', () => {
  test('round-trip their values', () => {
    const values = ['2026-11-28T10:00:00.000Z', 'abc'];
    expect(decodeCursor(encodeCursor(values), 2)).toEqual(values);
  });

  test.for([
    '',
    'not base64 at all!',
    Buffer.from('{"a":1}').toString('base64url'),
    Buffer.from('["one"]').toString('base64url'),
    Buffer.from('[1,2]').toString('base64url'),
  ])('reject %j', (cursor) => {
    expect(decodeCursor(cursor, 2)).toBeNull();
  });
});
