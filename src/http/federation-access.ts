import { Kind, type DocumentNode, type SelectionSetNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { unauthenticated } from '../graphql/errors.js';

/**
 * The federation root fields answer callers only, like every other root field: `_entities` always
 * (a representation must not tell an anonymous caller anything, even that an Agent resolves), and
 * `_service { sdl }` when introspection is off, since the SDL is the whole schema. Gateways fetch
 * the SDL with a credential, or compose from the committed schema.graphql.
 */
export function useFederationAccess({ introspection }: { introspection: boolean }): Plugin {
  const guarded = new Set(introspection ? ['_entities'] : ['_entities', '_service']);
  return {
    onExecute({ args, setResultAndStopExecution }) {
      if ((args.contextValue as { caller?: unknown }).caller) return;
      if (rootFieldNames(args.document, args.operationName).some((name) => guarded.has(name))) {
        setResultAndStopExecution({ errors: [unauthenticated()] });
      }
    },
  };
}

/** The root fields an operation selects, through fragments at the root. */
function rootFieldNames(document: DocumentNode, operationName: string | null | undefined): string[] {
  const fragments = new Map(
    document.definitions.flatMap((definition) =>
      definition.kind === Kind.FRAGMENT_DEFINITION ? [[definition.name.value, definition]] : [],
    ),
  );
  const operation = document.definitions.find(
    (definition) =>
      definition.kind === Kind.OPERATION_DEFINITION && (!operationName || definition.name?.value === operationName),
  );
  const names: string[] = [];
  const seen = new Set<string>();
  const collect = (selectionSet: SelectionSetNode) => {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) names.push(selection.name.value);
      else if (selection.kind === Kind.INLINE_FRAGMENT) collect(selection.selectionSet);
      else if (!seen.has(selection.name.value)) {
        seen.add(selection.name.value);
        const fragment = fragments.get(selection.name.value);
        if (fragment) collect(fragment.selectionSet);
      }
    }
  };
  if (operation?.kind === Kind.OPERATION_DEFINITION) collect(operation.selectionSet);
  return names;
}
