import {
  getOperationAST,
  isUnionType,
  Kind,
  valueFromASTUntyped,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { InvalidInputError, type InputIssue } from '../sessions/errors.js';
import { LIMITS } from '../sessions/limits.js';
import { isStorableText, UNSTORABLE_TEXT_MESSAGE } from '../sessions/text.js';
import { builder } from './builder.js';
import { badUserInput } from './errors.js';

/** `@key(fields: "id")`: how every entity of this subgraph (own or referenced) is keyed. */
export const idKey = builder.selection<{ id: string }>('id');

/**
 * The id of an entity representation. `_entities` takes representations as `_Any`, unchecked, so
 * this is what stops a malformed id from reaching the database.
 */
export function referencedId(reference: { id: unknown }): string {
  const { id } = reference;
  if (typeof id !== 'string' || id.length === 0 || id.length > LIMITS.idLength) {
    throw new InvalidInputError([
      { path: ['representations', 'id'], message: `Must be a string of 1 to ${LIMITS.idLength} characters.` },
    ]);
  }
  if (!isStorableText(id))
    throw new InvalidInputError([{ path: ['representations', 'id'], message: UNSTORABLE_TEXT_MESSAGE }]);
  return id;
}

/**
 * Checks every `_entities` field of an operation before it executes: at most `maxRepresentations`
 * representations in the whole request (aliases add up), each an object whose `__typename` names
 * an entity type this subgraph resolves. Federation's own resolver would look an arbitrary
 * `__typename` up in the schema's type map (`__proto__` included) and fail without a code.
 */
export function useEntityRepresentationChecks(maxRepresentations: number): Plugin {
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const fields = entitiesFields(args.document, args.operationName ?? undefined);
      if (fields.length === 0) return;
      const variables = (args.variableValues ?? {}) as Record<string, unknown>;
      const representations = fields.flatMap((field) => representationsOf(field, variables));
      const issues = representationIssues(args.schema, representations, maxRepresentations);
      if (issues.length > 0) setResultAndStopExecution({ errors: [badUserInput(issues)] });
    },
  };
}

function representationIssues(schema: GraphQLSchema, representations: unknown[], max: number): InputIssue[] {
  if (representations.length > max) {
    return [
      {
        path: ['representations'],
        message: `At most ${max} representations per request (got ${representations.length}).`,
      },
    ];
  }
  const entity = schema.getType('_Entity');
  const typeNames = new Set(isUnionType(entity) ? entity.getTypes().map((type) => type.name) : []);
  return representations.flatMap((representation, index): InputIssue[] => {
    const typename =
      representation !== null && typeof representation === 'object'
        ? (representation as { __typename?: unknown }).__typename
        : undefined;
    if (typeof typename === 'string' && typeNames.has(typename)) return [];
    return [
      {
        path: ['representations', index, '__typename'],
        message: `Must name an entity type of this subgraph: ${[...typeNames].join(', ')}.`,
      },
    ];
  });
}

/** The values of a field's `representations` argument, from a literal or from the variables. */
function representationsOf(field: FieldNode, variables: Record<string, unknown>): unknown[] {
  const argument = field.arguments?.find((candidate) => candidate.name.value === 'representations');
  if (!argument) return [];
  const value: unknown = valueFromASTUntyped(argument.value, variables);
  // A single value where a list is expected is coerced to a list of one.
  return Array.isArray(value) ? value : [value];
}

/** The operation's root fields named `_entities`, through fragments and inline fragments. */
function entitiesFields(document: DocumentNode, operationName: string | undefined): FieldNode[] {
  const operation = getOperationAST(document, operationName);
  if (operation?.operation !== 'query') return [];
  const fragments = new Map(
    document.definitions
      .filter((definition): definition is FragmentDefinitionNode => definition.kind === Kind.FRAGMENT_DEFINITION)
      .map((fragment) => [fragment.name.value, fragment]),
  );
  const found: FieldNode[] = [];
  const visited = new Set<string>();
  const visit = (selectionSet: SelectionSetNode) => {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value === '_entities') found.push(selection);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        visit(selection.selectionSet);
      } else if (!visited.has(selection.name.value)) {
        visited.add(selection.name.value);
        const fragment = fragments.get(selection.name.value);
        if (fragment) visit(fragment.selectionSet);
      }
    }
  };
  visit(operation.selectionSet);
  return found;
}
