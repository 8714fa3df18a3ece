// `npm run lint:graphql`: graphql-eslint over schema.graphql (schema and Relay rules) and over the
// GraphQL documents of the tests (operation rules), checked against that schema.
import graphql from '@graphql-eslint/eslint-plugin';
import typescriptParser from '@typescript-eslint/parser';

const SCHEMA = ['./schema.graphql', './test/graphql/federation.graphql'];
const DOCUMENTS = ['test/support/documents.ts', 'test/runtime-writes.test.ts', 'test/nullability.test.ts'];
// One project for both blocks: graphql-eslint caches the first one it loads.
const graphQLConfig = { schema: SCHEMA, documents: DOCUMENTS };

export default [
  // TypeScript files only yield their GraphQL documents; nothing else in them is linted here.
  { files: DOCUMENTS, languageOptions: { parser: typescriptParser }, processor: graphql.processor },
  {
    files: ['schema.graphql'],
    languageOptions: { parser: graphql.parser, parserOptions: { graphQLConfig } },
    plugins: { '@graphql-eslint': graphql },
    rules: {
      ...graphql.configs['flat/schema-recommended'].rules,
      ...graphql.configs['flat/schema-relay'].rules,
      '@graphql-eslint/input-name': ['error', { checkInputType: true, caseSensitiveInputType: false }],
      '@graphql-eslint/require-description': ['error', { types: true, rootField: true }],
      // Session lists page forward only (newest first, then on); the history pages both ways.
      '@graphql-eslint/relay-arguments': ['error', { includeBoth: false }],
      // Lists of values (messages of a context, rules, blocks) are not connections; nodes are not
      // global `Node`s (the federation key and REST use the session's own id).
      '@graphql-eslint/relay-edge-types': ['error', { listTypeCanWrapOnlyEdgeType: false, shouldImplementNode: false }],
      // Only Session is an entity; the values inside it (state, blocks, rules) have no identity of
      // their own, and payloads, errors, edges and PageInfo never do.
      '@graphql-eslint/strict-id-in-types': 'off',
    },
  },
  {
    files: DOCUMENTS.map((file) => `${file}/*.graphql`),
    languageOptions: { parser: graphql.parser, parserOptions: { graphQLConfig } },
    plugins: { '@graphql-eslint': graphql },
    rules: {
      ...graphql.configs['flat/operations-recommended'].rules,
      // As deep as the service admits (MAX_DEPTH): a full session with its state is 9 levels.
      '@graphql-eslint/selection-set-depth': ['error', { maxDepth: 15 }],
    },
  },
];
