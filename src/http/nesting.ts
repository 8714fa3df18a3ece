import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/**
 * graphql-js parses and validates recursively: a document nesting brackets thousands deep (well
 * within the token limit) overflows the stack. Such a document is refused before parsing, by a
 * linear scan that counts `{ ( [` outside strings and comments.
 */
export function useNestingLimit(maxNesting: number): Plugin {
  return {
    onParse({ parseFn, setParseFn }) {
      setParseFn((source, options) => {
        const text = typeof source === 'string' ? source : source.body;
        if (nestingDepth(text) > maxNesting) {
          throw new GraphQLError(`Syntax Error: The document nests deeper than ${maxNesting} levels.`, {
            extensions: { code: 'GRAPHQL_PARSE_FAILED' },
          });
        }
        return parseFn(source, options);
      });
    },
  };
}

export function nestingDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  for (let at = 0; at < text.length; at++) {
    const char = text[at];
    if (char === '#') {
      while (at < text.length && text[at] !== '\n' && text[at] !== '\r') at++;
    } else if (text.startsWith('"""', at)) {
      // Block string: only \""" escapes its closing quotes.
      at += 3;
      while (at < text.length && !text.startsWith('"""', at)) at += text.startsWith('\\"""', at) ? 4 : 1;
      at += 2;
    } else if (char === '"') {
      at++;
      while (at < text.length && text[at] !== '"' && text[at] !== '\n') at += text[at] === '\\' ? 2 : 1;
    } else if (char === '{' || char === '(' || char === '[') {
      deepest = Math.max(deepest, ++depth);
    } else if (char === '}' || char === ')' || char === ']') {
      depth--;
    }
  }
  return deepest;
}
