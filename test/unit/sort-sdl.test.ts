import { describe, expect, test } from 'vitest';
import { sortSdl } from '../../src/graphql/print.js';

describe('sortSdl', () => {
  test('orders definitions, fields, arguments, enum values and union members by name; keeps applied directives as written', () => {
    const sdl = /* GraphQL */ `
      extend schema @link(url: "https://specs.apollo.dev/federation/v2.6", import: ["@key"])
      union Thing = Zebra | Apple
      type Zebra @key(fields: "id", resolvable: false) { stripes(width: Int, count: Int): Int id: ID! }
      enum Colour { RED BLUE }
      type Apple implements Node & Fruit { id: ID! colour: Colour }
    `;
    expect(sortSdl(sdl)).toBe(
      [
        'extend schema @link(url: "https://specs.apollo.dev/federation/v2.6", import: ["@key"])',
        '',
        'type Apple implements Fruit & Node {\n  colour: Colour\n  id: ID!\n}',
        '',
        'enum Colour {\n  BLUE\n  RED\n}',
        '',
        'union Thing = Apple | Zebra',
        '',
        'type Zebra @key(fields: "id", resolvable: false) {\n  id: ID!\n  stripes(count: Int, width: Int): Int\n}',
      ].join('\n'),
    );
  });
});
