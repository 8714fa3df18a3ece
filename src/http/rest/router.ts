import type { Plugin } from 'graphql-yoga';
import type { Logger } from '../../logger.js';
import type { Caller } from '../../sessions/model.js';
import type { SessionService } from '../../sessions/service.js';
import { classifyError } from '../../errors.js';
import type { CallerResolver } from '../identity.js';
import { echoed, HttpError, NOT_AN_OBJECT, validationFailed, validationIssues, valueError } from './errors.js';
import { openApiDocument } from './openapi.js';
import { routes, type RestResponse, type Route } from './routes.js';
import { CallerHeaders, SessionPathParams, type ValidationErrorJson } from './schemas.js';

const OPENAPI_PATH = '/openapi.json';

/** Upstream's largest version column value; a larger If-Match can never match. */
const MAX_VERSION = 2_147_483_647;

interface CompiledRoute {
  route: Route;
  pattern: RegExp;
}

const compiled: CompiledRoute[] = routes.map((route) => ({
  route,
  pattern: new RegExp(`^${route.path.replace('{session_id}', '(?<session_id>[^/]+)')}$`),
}));

function routesMatching(pathname: string) {
  return compiled.flatMap(({ route, pattern }) => {
    const match = pattern.exec(pathname);
    return match ? [{ route, sessionId: match.groups?.session_id }] : [];
  });
}

/** The path with its trailing slash toggled, when that one is a route: upstream (Starlette) redirects there with a 307. */
function slashVariant(pathname: string): string | null {
  const variant = pathname.endsWith('/') ? pathname.replace(/\/+$/, '') : `${pathname}/`;
  return routesMatching(variant).length > 0 ? variant : null;
}

function isRestPath(pathname: string): boolean {
  return pathname === '/sessions' || pathname.startsWith('/sessions/');
}

/**
 * The upstream REST endpoints beside /graphql: each request is validated with the upstream shapes,
 * translated into one SessionService call (the same the GraphQL resolvers make) and answered with
 * upstream's statuses and bodies.
 */
export interface RestRouterOptions {
  sessions: SessionService;
  logger: Logger;
  /** The same caller resolution GraphQL uses (bearer token or, where allowed, x-user-id). */
  resolveCaller: CallerResolver;
}

function createRestRouter({ sessions, logger, resolveCaller }: RestRouterOptions) {
  return async function handle(request: Request, url: URL): Promise<RestResponse | null> {
    if (url.pathname === OPENAPI_PATH && request.method === 'GET') return { status: 200, body: openApiDocument() };
    if (!isRestPath(url.pathname)) return null;
    const matches = routesMatching(url.pathname);
    if (matches.length === 0) {
      const variant = slashVariant(url.pathname);
      if (variant === null) return { status: 404, body: { detail: 'Not Found' } };
      const location = new URL(url);
      location.pathname = variant;
      return { status: 307, headers: { location: location.toString() } };
    }
    const matched = matches.find(({ route }) => route.method === request.method);
    if (!matched) {
      return {
        status: 405,
        body: { detail: 'Method Not Allowed' },
        headers: { allow: matches.map(({ route }) => route.method).join(', ') },
      };
    }
    try {
      return await dispatch(matched.route, request, url, matched.sessionId, sessions, resolveCaller);
    } catch (error) {
      return errorResponse(error, logger);
    }
  };
}

async function dispatch(
  route: Route,
  request: Request,
  url: URL,
  rawSessionId: string | undefined,
  sessions: SessionService,
  resolveCaller: CallerResolver,
): Promise<RestResponse> {
  const issues: ValidationErrorJson[] = [];
  const caller = await callerOf(request, resolveCaller, issues);

  let sessionId = '';
  if (rawSessionId !== undefined) {
    const params = { session_id: decodePathSegment(rawSessionId) };
    const parsed = SessionPathParams.safeParse(params);
    if (parsed.success) sessionId = parsed.data.session_id;
    else issues.push(...validationIssues('path', parsed.error, params));
  }

  const rawQuery = Object.fromEntries(url.searchParams);
  const query = route.query.safeParse(rawQuery);
  if (!query.success) issues.push(...validationIssues('query', query.error, rawQuery));

  let body: unknown;
  if (route.body) {
    const raw = await readJson(request, issues);
    if (raw.ok) {
      const parsed = route.body.safeParse(raw.value);
      if (parsed.success) body = parsed.data;
      else issues.push(...validationIssues('body', parsed.error, raw.value));
    }
  }

  if (issues.length > 0 || !caller || !query.success) throw validationFailed(issues);
  const expectedVersion = route.ifMatch ? expectedVersionOf(request.headers) : undefined;
  const idempotencyKey = request.headers.get('idempotency-key') ?? undefined;
  return route.handle({ caller, sessionId, query: query.data, body, expectedVersion, idempotencyKey }, sessions);
}

/** A malformed escape cannot name a session: keep it as sent, which then matches none. */
function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/**
 * The caller, from the shared resolution; without credentials, a 422 issue (no x-user-id) or a 401
 * (an empty one), as upstream.
 */
async function callerOf(
  request: Request,
  resolveCaller: CallerResolver,
  issues: ValidationErrorJson[],
): Promise<Caller | null> {
  const caller = await resolveCaller(request);
  if (caller) return caller;
  const sent = { 'x-user-id': request.headers.get('x-user-id') ?? undefined };
  const parsed = CallerHeaders.safeParse(sent);
  if (parsed.success) throw new HttpError(401, 'X-User-ID header is required.');
  issues.push(...validationIssues('header', parsed.error, sent));
  return null;
}

/** `application/json` or `application/<anything>+json`, whatever its parameters (upstream's rule). */
function isJsonMediaType(contentType: string): boolean {
  const essence = contentType.split(';', 1)[0]!.trim().toLowerCase();
  return essence === 'application/json' || /^application\/[^/]+\+json$/.test(essence);
}

/**
 * The body as upstream (FastAPI) reads it: JSON when the content type says so or there is none;
 * other content is taken as text, which is not an object, so a 422 however JSON-like it is.
 */
async function readJson(
  request: Request,
  issues: ValidationErrorJson[],
): Promise<{ ok: true; value: unknown } | { ok: false }> {
  const text = await request.text();
  if (text === '') {
    issues.push({ type: 'missing', loc: ['body'], msg: 'Field required', input: null });
    return { ok: false };
  }
  const contentType = request.headers.get('content-type');
  if (contentType !== null && !isJsonMediaType(contentType)) {
    issues.push({ ...NOT_AN_OBJECT, loc: ['body'], input: echoed(text) });
    return { ok: false };
  }
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    // Where parsing failed, as upstream reports it; "unexpected end" fails at the end.
    const position = /position (\d+)/.exec((error as Error).message)?.[1];
    issues.push({
      type: 'json_invalid',
      loc: ['body', position === undefined ? text.length : Number(position)],
      msg: 'JSON decode error',
      input: {},
      ctx: { error: (error as Error).message },
    });
    return { ok: false };
  }
}

/** If-Match: `*` (any version) or an ETag this service sent; anything else cannot match. */
function expectedVersionOf(headers: Headers): number | undefined {
  const value = headers.get('if-match')?.trim();
  if (!value || value === '*') return undefined;
  const version = /^"(\d{1,10})"$/.exec(value)?.[1];
  if (version === undefined || Number(version) > MAX_VERSION) {
    throw new HttpError(
      412,
      `If-Match ${value} matches no version of this session; send the ETag of a session response, such as "3".`,
    );
  }
  return Number(version);
}

function errorResponse(error: unknown, logger: Logger): RestResponse {
  if (error instanceof HttpError) return { status: error.status, body: { detail: error.detail } };
  const failure = classifyError(error);
  if (failure.log === 'warn') logger.warn({ err: error }, 'a dependency is unavailable');
  if (failure.log === 'error') logger.error({ err: error }, 'unexpected error while serving a REST request');
  if (failure.issues) {
    return {
      status: 422,
      body: {
        detail: failure.issues.map((issue) => ({
          ...valueError(issue.message),
          loc: ['body', ...issue.path],
          input: null,
        })),
      },
    };
  }
  // Upstream's words for a failure it would not explain either.
  const detail = failure.code === 'INTERNAL_SERVER_ERROR' ? 'Internal Server Error' : failure.message;
  return { status: failure.status, body: { detail }, headers: failure.headers };
}

/** Serves the REST routes and /openapi.json ahead of Yoga, which keeps /graphql, /health and /ready. */
export function useRestRoutes(options: RestRouterOptions): Plugin {
  const handle = createRestRouter(options);
  return {
    async onRequest({ request, url, endResponse, fetchAPI }) {
      const response = await handle(request, url);
      if (!response) return;
      const headers = new fetchAPI.Headers(response.headers);
      if (response.body === undefined)
        return endResponse(new fetchAPI.Response(null, { status: response.status, headers }));
      headers.set('content-type', 'application/json');
      endResponse(new fetchAPI.Response(JSON.stringify(response.body), { status: response.status, headers }));
    },
  };
}
