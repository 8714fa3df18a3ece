import { z } from 'zod';
import { SessionNotFoundError } from '../../sessions/errors.js';
import type { Caller, JsonObject, SessionRecord } from '../../sessions/model.js';
import type { ChatModelConfigDraft } from '../../sessions/patch.js';
import type { SessionOrder, SessionService } from '../../sessions/service.js';
import { messageDocument, sessionDocument } from './documents.js';
import {
  type ChatModelConfigInput,
  CreateSessionRequest,
  CreateSessionResponse,
  ListMessagesQuery,
  ListMessagesResponse,
  ListSessionsQuery,
  ListSessionsResponse,
  SessionQuery,
  SessionRecord as SessionRecordSchema,
  UpdateSessionRequest,
  type SessionRecordJson,
} from './schemas.js';

export interface RestResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface RouteInput<Query, Body> {
  caller: Caller;
  /** The `{session_id}` of the path; empty on routes without one. */
  sessionId: string;
  query: Query;
  body: Body;
  /** From If-Match, on routes that accept it. */
  expectedVersion: number | undefined;
  /** From the Idempotency-Key header, passed to the write as is. */
  idempotencyKey: string | undefined;
}

/**
 * One upstream endpoint: what it accepts (validated, and documented in /openapi.json) and how it
 * translates to one SessionService call.
 */
export interface Route<Query extends z.ZodObject = z.ZodObject, Body extends z.ZodType = z.ZodType> {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** OpenAPI path template; `{session_id}` is the only parameter. */
  path: string;
  summary: string;
  query: Query;
  body?: Body;
  /** What a 404 means here, for /openapi.json. */
  notFound: string;
  /** Accepts If-Match with an ETag from a session response (412 when stale). */
  ifMatch?: boolean;
  success: { status: number; description: string; schema?: z.ZodType; etag?: boolean };
  handle(input: RouteInput<z.output<Query>, z.output<Body>>, sessions: SessionService): Promise<RestResponse>;
}

function route<Query extends z.ZodObject, Body extends z.ZodType = z.ZodNever>(definition: Route<Query, Body>): Route {
  return definition as unknown as Route;
}

/** The version in a session's ETag: strong, so that If-Match can compare it. */
export function etag(version: number): Record<string, string> {
  return { etag: `"${version}"` };
}

function chatModelConfigDraft(input: z.output<typeof ChatModelConfigInput>): ChatModelConfigDraft {
  return {
    type: input.type,
    credentialId: input.credential_id,
    model: input.model,
    parameters: input.parameters as JsonObject | null | undefined,
  };
}

/** Sessions with their whole state, in three statements whatever their number. */
async function sessionDocuments(sessions: SessionService, records: SessionRecord[]): Promise<SessionRecordJson[]> {
  const ids = records.map((record) => record.id);
  const [states, contexts, tasks] = await Promise.all([
    sessions.statesOf(ids),
    sessions.contextsOf(ids),
    sessions.tasksOf(ids),
  ]);
  // A session deleted between the two reads has no state any more: it is gone, not broken.
  return records.flatMap((record) => {
    const state = states.get(record.id);
    return state
      ? [sessionDocument(record, { state, context: contexts.get(record.id) ?? [], tasks: tasks.get(record.id) ?? [] })]
      : [];
  });
}

const noQuery = z.object({});

const SESSION_NOT_FOUND = "No such session for this user and agent: `Session '<id>' not found.`";
// Only when a reference check is configured (see the README).
const AGENT_NOT_FOUND = "The agent is unknown or not the caller's: `Agent '<id>' not found.`";
const CREDENTIAL_NOT_FOUND =
  "the chat_model_config's credential is unknown or not the caller's: `Credential '<id>' not found.`";

/** Upstream lists newest created first, so a rename does not reorder a client's list (GraphQL keeps its own default). */
const UPSTREAM_ORDER: SessionOrder = { field: 'createdAt', direction: 'desc' };

export const routes: Route[] = [
  route({
    method: 'GET',
    path: '/sessions/',
    summary: 'List sessions for an agent, newest created first',
    query: ListSessionsQuery,
    notFound: AGENT_NOT_FOUND,
    success: {
      status: 200,
      description: 'The sessions in the window, and how many there are in all.',
      schema: ListSessionsResponse,
    },
    async handle({ caller, query }, sessions) {
      const [page, total] = await Promise.all([
        sessions.list(caller, {
          agentId: query.agent_id,
          first: query.limit,
          offset: query.offset,
          order: UPSTREAM_ORDER,
        }),
        sessions.count(caller, query.agent_id),
        // Upstream answers 404 for an agent that is not the caller's, even one without sessions.
        sessions.references.assertOwned(caller, [{ type: 'Agent', id: query.agent_id }]),
      ]);
      return { status: 200, body: { sessions: await sessionDocuments(sessions, page.sessions), total } };
    },
  }),
  route({
    method: 'POST',
    path: '/sessions/',
    summary: 'Create a new session',
    query: noQuery,
    body: CreateSessionRequest,
    notFound: `${AGENT_NOT_FOUND} Or ${CREDENTIAL_NOT_FOUND}`,
    success: {
      status: 201,
      description: 'The new session id; the ETag carries its version.',
      schema: CreateSessionResponse,
      etag: true,
    },
    async handle({ caller, body, idempotencyKey }, sessions) {
      const session = await sessions.create(
        caller,
        {
          agentId: body.agent_id,
          workspaceId: body.workspace_id,
          name: body.name,
          chatModelConfig: body.chat_model_config && chatModelConfigDraft(body.chat_model_config),
        },
        { idempotencyKey },
      );
      return { status: 201, body: { session_id: session.id }, headers: etag(session.version) };
    },
  }),
  route({
    method: 'PATCH',
    path: '/sessions/{session_id}',
    summary: 'Update a session',
    query: SessionQuery,
    body: UpdateSessionRequest,
    notFound: `${SESSION_NOT_FOUND} Or ${CREDENTIAL_NOT_FOUND}`,
    ifMatch: true,
    success: {
      status: 200,
      description: 'The full session record after the update.',
      schema: SessionRecordSchema,
      etag: true,
    },
    async handle({ caller, sessionId, query, body, expectedVersion, idempotencyKey }, sessions) {
      const ref = { id: sessionId, agentId: query.agent_id };
      const session = await sessions.update(
        caller,
        ref,
        // Absent (undefined) keeps, null clears: the distinction passes through untouched.
        {
          name: body.name,
          chatModelConfig: body.chat_model_config && chatModelConfigDraft(body.chat_model_config),
          permissionMode: body.permission_mode,
        },
        { expectedVersion, idempotencyKey },
      );
      const [document] = await sessionDocuments(sessions, [session]);
      if (!document) throw new SessionNotFoundError(sessionId);
      return { status: 200, body: document, headers: etag(session.version) };
    },
  }),
  route({
    method: 'DELETE',
    path: '/sessions/{session_id}',
    summary: 'Delete a session',
    query: SessionQuery,
    notFound: SESSION_NOT_FOUND,
    ifMatch: true,
    success: { status: 204, description: 'Deleted.' },
    async handle({ caller, sessionId, query, expectedVersion, idempotencyKey }, sessions) {
      await sessions.delete(caller, { id: sessionId, agentId: query.agent_id }, { expectedVersion, idempotencyKey });
      // Upstream's empty 204 still names JSON as its content type; a client may check it.
      return { status: 204, headers: { 'content-type': 'application/json' } };
    },
  }),
  route({
    method: 'GET',
    path: '/sessions/{session_id}/messages',
    summary: 'List messages for a session',
    query: ListMessagesQuery,
    notFound: SESSION_NOT_FOUND,
    success: {
      status: 200,
      description: 'A window of the messages, oldest first, and the run status.',
      schema: ListMessagesResponse,
    },
    async handle({ caller, sessionId, query }, sessions) {
      const page = await sessions.messagesPage(
        caller,
        { id: sessionId, agentId: query.agent_id },
        { offset: query.offset, limit: query.limit },
      );
      return { status: 200, body: { messages: page.messages.map(messageDocument), is_running: page.isRunning } };
    },
  }),
];
