// `npm run lint:graphql`: graphql-eslint over schema.graphql (schema and Relay rules) and over the
// GraphQL documents of the tests (operation rules), checked against that schema.
import graphql from '@graphql-eslint/eslint-plugin';
import typescriptParser from '@typescript-eslint/parser';

// federation.graphql adds what a served subgraph has beyond schema.graphql (`_service`, `_entities`).
const SCHEMA = ['./schema.graphql', './test/graphql/federation.graphql'];
/** Every test file's GraphQL documents (`graphql(...)`, `federationDocument(...)`, `/* GraphQL *\/` text). */
const DOCUMENTS = ['test/**/*.ts'];
const NOT_DOCUMENTS_OF_THIS_SCHEMA = [
  // Sent to a gateway: they select fields of the other subgraphs (Agent.name, Query.agent), which only
  // the supergraph composed at run time has.
  'test/support/gateway-documents.ts',
  'test/supergraph.test.ts',
  'test/gateway-hive.test.ts',
  // Schemas, not operations: the other subgraphs' SDL and a sorting fixture.
  'test/support/agents-subgraph.ts',
  'test/support/credentials-subgraph.ts',
  'test/support/workflows-subgraph.ts',
  'test/unit/sort-sdl.test.ts',
  // Generated from schema.graphql.
  'test/graphql/graphql-env.d.ts',
];
// One project for both blocks: graphql-eslint caches the first one it loads.
const graphQLConfig = {
  schema: SCHEMA,
  documents: [...DOCUMENTS, ...NOT_DOCUMENTS_OF_THIS_SCHEMA.map((file) => `!${file}`)],
};
/** Files with federation documents: `_entities`, `_service` and `_Any` are the federation spec's names. */
const FEDERATION_DOCUMENTS = [
  'test/auth.test.ts',
  'test/federation.test.ts',
  'test/hardening-data.test.ts',
  'test/hardening-federation.test.ts',
];
const OPERATION_NAMING = graphql.configs['flat/operations-recommended'].rules['@graphql-eslint/naming-convention'];

export default [
  { ignores: NOT_DOCUMENTS_OF_THIS_SCHEMA },
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
    files: DOCUMENTS.map((pattern) => `${pattern}/*.graphql`),
    languageOptions: { parser: graphql.parser, parserOptions: { graphQLConfig } },
    plugins: { '@graphql-eslint': graphql },
    rules: {
      ...graphql.configs['flat/operations-recommended'].rules,
      // As deep as the service admits (MAX_DEPTH): a full session with its state is 9 levels.
      '@graphql-eslint/selection-set-depth': ['error', { maxDepth: 15 }],
    },
  },
  {
    files: FEDERATION_DOCUMENTS.map((file) => `${file}/*.graphql`),
    rules: {
      '@graphql-eslint/naming-convention': [
        OPERATION_NAMING[0],
        { ...OPERATION_NAMING[1], allowLeadingUnderscore: true },
      ],
    },
  },
];
