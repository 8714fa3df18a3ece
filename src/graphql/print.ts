import { printSubgraphSchema } from '@apollo/subgraph';
import { Kind, parse, print, visit, type ASTNode } from 'graphql';
import { schema } from './schema/index.js';

/**
 * The schema as committed in schema.graphql: the subgraph SDL as gateways and registries consume it
 * (federation `@link` and directives included), sorted.
 */
export function printSortedSchema(): string {
  return `${sortSdl(printSubgraphSchema(schema))}\n`;
}

/** The lists in a type or field definition that sorting orders; applied directives keep their order. */
const SORTED_LISTS = ['fields', 'values', 'types', 'interfaces', 'arguments'];

function nameOf(node: object): string {
  return 'name' in node && typeof node.name === 'object' && node.name !== null && 'value' in node.name
    ? String(node.name.value)
    : '';
}

/** Stable, so unnamed definitions (the schema extension with the `@link`) stay first. */
function sortByName<Node extends object>(nodes: readonly Node[]): Node[] {
  return [...nodes].sort((a, b) => (nameOf(a) < nameOf(b) ? -1 : nameOf(a) > nameOf(b) ? 1 : 0));
}

/**
 * Sorts SDL as lexicographicSortSchema sorts a schema: definitions, fields, arguments, enum values and
 * union members by name. printSubgraphSchema keeps the order of the code, which would make
 * schema.graphql churn whenever code moves.
 */
export function sortSdl(sdl: string): string {
  const sorted = visit(parse(sdl), {
    leave(node: ASTNode) {
      if (node.kind === Kind.DOCUMENT) return { ...node, definitions: sortByName(node.definitions) };
      if (!/(Definition|Extension)$/.test(node.kind)) return undefined;
      const lists = Object.entries(node).filter(([key, value]) => SORTED_LISTS.includes(key) && Array.isArray(value));
      return { ...node, ...Object.fromEntries(lists.map(([key, value]) => [key, sortByName(value as object[])])) };
    },
  });
  return print(sorted);
}
