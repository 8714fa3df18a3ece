import { readFile } from 'node:fs/promises';
import { defaultExtractPersistedOperationId, usePersistedOperations } from '@graphql-yoga/plugin-persisted-operations';
import type { Plugin } from 'graphql-yoga';

/**
 * Only the operations of an allow-list run: a JSON object of id → document (the format of
 * graphql-codegen's `persisted-documents.json`, ids usually sha256 hashes). Clients send the id as
 * `documentId` or as Apollo's `extensions.persistedQuery.sha256Hash`; a request carrying a document
 * instead is refused.
 */
export async function useAllowListedOperations(file: string): Promise<Plugin> {
  const operations = await readAllowList(file);
  return usePersistedOperations({
    getPersistedOperation: (id) => operations.get(id) ?? null,
    extractPersistedOperationId: (params, request, context) => {
      const { documentId } = params as { documentId?: unknown };
      return typeof documentId === 'string' ? documentId : defaultExtractPersistedOperationId(params, request, context);
    },
    allowArbitraryOperations: false,
    customErrors: {
      notFound: {
        message: 'PersistedQueryNotFound',
        extensions: { code: 'PERSISTED_QUERY_NOT_FOUND', http: { status: 400 } },
      },
      persistedQueryOnly: {
        message: 'Only persisted operations are accepted: send documentId.',
        extensions: { code: 'PERSISTED_QUERY_ONLY', http: { status: 400 } },
      },
      keyNotFound: {
        message: 'Only persisted operations are accepted: send documentId.',
        extensions: { code: 'PERSISTED_QUERY_ONLY', http: { status: 400 } },
      },
    },
  });
}

async function readAllowList(file: string): Promise<Map<string, string>> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new Error(`PERSISTED_OPERATIONS_FILE ${file}: cannot read it as JSON (${(error as Error).message})`);
  }
  const entries = parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? Object.entries(parsed) : [];
  if (entries.length === 0 || entries.some(([, document]) => typeof document !== 'string')) {
    throw new Error(`PERSISTED_OPERATIONS_FILE ${file}: expected a non-empty JSON object of id → GraphQL document`);
  }
  return new Map(entries as Array<[string, string]>);
}
