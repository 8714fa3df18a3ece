import { z } from 'zod';
import { LIMITS } from '../../sessions/limits.js';
import { routes, type Route } from './routes.js';
import { CallerHeaders, components, ErrorResponse, HTTPValidationError, SessionPathParams } from './schemas.js';

type JsonSchema = {
  [key: string]: unknown;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  description?: string;
};

const COMPONENT_PREFIX = '#/components/schemas/';

/** A standalone schema as an OpenAPI 3.1 component: no dialect or id of its own. */
function bare(schema: JsonSchema): JsonSchema {
  const { $schema: _dialect, $id: _id, ...rest } = schema;
  return rest;
}

function ref(schema: z.ZodType): JsonSchema {
  const id = components.get(schema)?.id;
  if (!id) throw new Error('Only registered schemas can be referenced from /openapi.json.');
  return { $ref: `${COMPONENT_PREFIX}${id}` };
}

/** Each property of an object schema as an OpenAPI parameter in `location`. */
function parameters(location: 'query' | 'path' | 'header', schema: z.ZodObject) {
  const json = z.toJSONSchema(schema, { io: 'input' }) as JsonSchema;
  return Object.entries(json.properties ?? {}).map(([name, property]) => ({
    name,
    in: location,
    required: location === 'path' || (json.required ?? []).includes(name),
    ...(property.description && { description: property.description }),
    schema: property,
  }));
}

function jsonContent(schema: z.ZodType) {
  return { 'application/json': { schema: ref(schema) } };
}

const etagHeader = {
  ETag: { description: 'The session version, e.g. "3"; send it as If-Match.', schema: { type: 'string' } },
};

function operation(route: Route) {
  const { success } = route;
  const responses: Record<string, unknown> = {
    [success.status]: {
      description: success.description,
      ...(success.schema && { content: jsonContent(success.schema) }),
      ...(success.etag && { headers: etagHeader }),
    },
    401: { description: 'The x-user-id header is empty.', content: jsonContent(ErrorResponse) },
    422: { description: 'Validation Error', content: jsonContent(HTTPValidationError) },
  };
  responses[404] = { description: route.notFound, content: jsonContent(ErrorResponse) };
  if (route.ifMatch)
    responses[412] = {
      description: 'If-Match is not the current version; nothing changed.',
      content: jsonContent(ErrorResponse),
    };
  return {
    summary: route.summary,
    parameters: [
      ...(route.path.includes('{session_id}') ? parameters('path', SessionPathParams) : []),
      ...parameters('query', route.query),
      ...parameters('header', CallerHeaders),
      ...(route.ifMatch
        ? [
            {
              name: 'If-Match',
              in: 'header',
              required: false,
              description: 'Apply only at this version (an ETag), or "*".',
              schema: { type: 'string' },
            },
          ]
        : []),
      ...(route.method !== 'GET' ? [IDEMPOTENCY_KEY_HEADER] : []),
    ],
    ...(route.body && { requestBody: { required: true, content: jsonContent(route.body) } }),
    responses,
  };
}

const IDEMPOTENCY_KEY_HEADER = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  description: `Makes a retry safe: the same key with the same request within ${LIMITS.idempotencyKeyLifetimeHours} h answers as the first time without applying again; with another request, 422.`,
  schema: { type: 'string', minLength: 1, maxLength: LIMITS.idLength },
};

function buildDocument() {
  const { schemas } = z.toJSONSchema(components, {
    uri: (id) => `${COMPONENT_PREFIX}${id}`,
    unrepresentable: 'any',
  }) as {
    schemas: Record<string, JsonSchema>;
  };
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) (paths[route.path] ??= {})[route.method.toLowerCase()] = operation(route);
  return {
    openapi: '3.1.0',
    info: {
      title: 'Agent sessions (upstream REST endpoints)',
      version: '2.0.0',
      description: 'The AgentScope v2.0.0 session endpoints, served from the same core as /graphql.',
    },
    paths,
    components: { schemas: Object.fromEntries(Object.entries(schemas).map(([id, schema]) => [id, bare(schema)])) },
  };
}

let document: ReturnType<typeof buildDocument> | undefined;

/** Generated from the routes and the zod schemas that validate them, once. */
export function openApiDocument() {
  document ??= buildDocument();
  return document;
}
