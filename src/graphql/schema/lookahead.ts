import { getDirectiveValues, GraphQLIncludeDirective, GraphQLSkipDirective, Kind, valueFromASTUntyped } from 'graphql';
import type { FieldNode, GraphQLResolveInfo, SelectionSetNode } from 'graphql';

/*
 * Reading ahead in the operation from a resolver, so that what its selection will ask for next can
 * be read in the same statement (see history-window.ts and session-parts.ts).
 */

/** The fields named `name` selected under `fields`, through fragments, as execution applies @skip and @include. */
export function selectedFields(info: GraphQLResolveInfo, fields: readonly FieldNode[], name: string): FieldNode[] {
  const found: FieldNode[] = [];
  const visited = new Set<string>();
  const visit = (selectionSet: SelectionSetNode | undefined) => {
    for (const selection of selectionSet?.selections ?? []) {
      if (!isIncluded(selection, info.variableValues)) continue;
      if (selection.kind === Kind.INLINE_FRAGMENT) visit(selection.selectionSet);
      else if (selection.kind === Kind.FRAGMENT_SPREAD) {
        if (visited.has(selection.name.value)) continue;
        visited.add(selection.name.value);
        visit(info.fragments[selection.name.value]?.selectionSet);
      } else if (selection.name.value === name) found.push(selection);
    }
  };
  for (const field of fields) visit(field.selectionSet);
  return found;
}

/** A selected field's arguments, with the operation's variables in place (not yet validated). */
export function argumentsOf(info: GraphQLResolveInfo, field: FieldNode): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  for (const argument of field.arguments ?? [])
    args[argument.name.value] = valueFromASTUntyped(argument.value, info.variableValues);
  return args;
}

/** @skip and @include, as execution applies them. */
function isIncluded(
  node: Parameters<typeof getDirectiveValues>[1],
  variables: GraphQLResolveInfo['variableValues'],
): boolean {
  if (getDirectiveValues(GraphQLSkipDirective, node, variables)?.if === true) return false;
  return getDirectiveValues(GraphQLIncludeDirective, node, variables)?.if !== false;
}
