import path from 'node:path';
import { z } from 'zod';
import type { DatabaseOptions } from './db/database.js';
import type { AuthOptions, JwtKeys } from './http/identity.js';

const booleanFlag = z.enum(['true', 'false', '1', '0']).transform((value) => value === 'true' || value === '1');
const optionalText = z
  .string()
  .optional()
  .transform((value) => value?.trim() || undefined);
const positiveInt = (max: number) => z.coerce.number().int().min(1).max(max);
const commaList = optionalText.transform((value) =>
  value
    ?.split(',')
    .map((item) => item.trim())
    .filter(Boolean),
);

const httpUrl = optionalText.refine(
  (value) => value === undefined || /^https?:\/\//.test(value),
  'must be an http(s):// URL',
);

const environmentSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65_535).default(4000),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgresql:// URL')
    .optional()
    .transform((value) => value || undefined),
  DATABASE_POOL_SIZE: positiveInt(200).default(10),
  DATABASE_CONNECT_TIMEOUT_MS: positiveInt(60_000).default(2_000),
  DATABASE_POOL_WAIT_TIMEOUT_MS: positiveInt(600_000).default(10_000),
  DATABASE_QUERY_TIMEOUT_MS: positiveInt(600_000).default(15_000),
  DATABASE_PREPARED_STATEMENTS: booleanFlag.default(true),
  DATA_DIR: z.string().min(1).default('./.data'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  GRAPHIQL: booleanFlag.optional(),
  INTROSPECTION: booleanFlag.optional(),
  AUTH_JWT_SECRET: optionalText.refine(
    (value) => value === undefined || Buffer.byteLength(value) >= 32,
    'must be at least 32 bytes (HS256 needs a 256-bit key)',
  ),
  AUTH_JWKS_URL: optionalText.refine(
    (value) => value === undefined || /^https?:\/\//.test(value),
    'must be an http(s):// URL',
  ),
  AUTH_JWKS_FILE: optionalText,
  AUTH_ISSUER: commaList,
  AUTH_AUDIENCE: commaList,
  AUTH_USER_CLAIM: z.string().trim().min(1).default('sub'),
  AUTH_CLOCK_TOLERANCE_SECONDS: z.coerce.number().int().min(0).max(300).default(5),
  ALLOW_USER_ID_HEADER: booleanFlag.optional(),
  MAX_REQUEST_BODY_BYTES: positiveInt(1_000_000_000).default(10 * 1024 * 1024),
  MAX_DEPTH: positiveInt(1_000).default(15),
  MAX_ALIASES: positiveInt(10_000).default(30),
  MAX_TOKENS: positiveInt(1_000_000).default(5_000),
  MAX_COST: positiveInt(1_000_000_000).default(20_000_000),
  MAX_BATCH_SIZE: z.coerce.number().int().min(0).max(1_000).default(10),
  OPERATION_TIMEOUT_MS: positiveInt(600_000).default(30_000),
  MAX_ENTITY_REPRESENTATIONS: positiveInt(100_000).default(1_000),
  MAX_RESPONSE_BYTES: positiveInt(2_000_000_000).default(64 * 1024 * 1024),
  PERSISTED_OPERATIONS_FILE: optionalText,
  METRICS: booleanFlag.default(true),
  SHUTDOWN_TIMEOUT_MS: positiveInt(600_000).default(10_000),
  REDIS_URL: optionalText.refine(
    (value) => value === undefined || /^rediss?:\/\//.test(value),
    'must be a redis:// or rediss:// URL',
  ),
  REDIS_CHANNEL_PREFIX: z.string().trim().min(1).max(100).default('agent-sessions'),
  MAX_SUBSCRIPTIONS_PER_CALLER: positiveInt(10_000).default(20),
  SUBSCRIPTION_BUFFER_SIZE: positiveInt(100_000).default(100),
  SUBSCRIPTION_KEEPALIVE_MS: positiveInt(600_000).default(12_000),
  OTEL_EXPORTER_OTLP_ENDPOINT: optionalText.refine(
    (value) => value === undefined || /^https?:\/\//.test(value),
    'must be an http(s):// URL',
  ),
  OTEL_SERVICE_NAME: z.string().trim().min(1).default('agent-sessions'),
  REFERENCE_CHECK: z.enum(['off', 'federation']).optional(),
  AGENTS_SUBGRAPH_URL: httpUrl,
  CREDENTIALS_SUBGRAPH_URL: httpUrl,
  REFERENCE_CACHE_SECONDS: z.coerce.number().int().min(0).max(3_600).default(5),
  REFERENCE_TIMEOUT_MS: positiveInt(60_000).default(2_000),
});

type Environment = z.infer<typeof environmentSchema>;

/** Limits on what one HTTP request may ask of the service. */
export interface RequestLimits {
  maxRequestBodyBytes: number;
  maxDepth: number;
  maxAliases: number;
  maxTokens: number;
  maxCost: number;
  /** Operations per batched request; 0 turns batching off. */
  maxBatchSize: number;
  operationTimeoutMs: number;
  /** Federation `_entities` representations per request, all `_entities` fields together. */
  maxEntityRepresentations: number;
  /** The largest result (as JSON) one operation may return. */
  maxResponseBytes: number;
}

/** Subscriptions: how events travel between instances, and what one caller may hold open. */
export interface SubscriptionOptions {
  /** Redis pub/sub between instances; unset: events stay in this process. */
  redisUrl: string | undefined;
  /** Namespaces the Redis channels, so services (or test runs) sharing a Redis stay apart. */
  channelPrefix: string;
  maxPerCaller: number;
  /** Distinct sessions with an undelivered event one subscriber may have waiting; older ones are dropped. */
  bufferSize: number;
  /** WebSocket ping interval; a connection that misses a pong is closed. */
  keepAliveMs: number;
}

/**
 * Whether the agent and credential a session names are checked with their owners: `off`, or by
 * asking the owning subgraphs (federation); see src/http/federated-references.ts.
 */
export type ReferenceCheckOptions =
  | { kind: 'off' }
  | { kind: 'federation'; urls: { Agent?: string; Credential?: string }; cacheSeconds: number; timeoutMs: number };

export interface Config {
  production: boolean;
  port: number;
  host: string;
  database: DatabaseOptions;
  logLevel: Environment['LOG_LEVEL'];
  graphiql: boolean;
  introspection: boolean;
  auth: AuthOptions;
  limits: RequestLimits;
  /** An allow-list of operations (JSON: hash → document); when set, only those run. */
  persistedOperationsFile: string | undefined;
  metrics: boolean;
  shutdownTimeoutMs: number;
  subscriptions: SubscriptionOptions;
  /** OpenTelemetry traces exported over OTLP (the exporter reads the OTEL_EXPORTER_OTLP_* variables); null: off. */
  tracing: { serviceName: string } | null;
  references: ReferenceCheckOptions;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Reads and checks the environment once, at start-up, with one message naming every bad variable. */
export function loadConfig(environment: NodeJS.ProcessEnv = process.env): Config {
  const parsed = environmentSchema.superRefine(checkCombinations).safeParse(environment);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`).join('\n');
    throw new ConfigError(`Invalid configuration:\n${problems}`);
  }
  const env = parsed.data;
  const production = env.NODE_ENV === 'production';
  return {
    production,
    port: env.PORT,
    host: env.HOST,
    database: env.DATABASE_URL
      ? {
          kind: 'postgres',
          url: env.DATABASE_URL,
          poolSize: env.DATABASE_POOL_SIZE,
          connectTimeoutMs: env.DATABASE_CONNECT_TIMEOUT_MS,
          poolWaitTimeoutMs: env.DATABASE_POOL_WAIT_TIMEOUT_MS,
          queryTimeoutMs: env.DATABASE_QUERY_TIMEOUT_MS,
          preparedStatements: env.DATABASE_PREPARED_STATEMENTS,
        }
      : { kind: 'pglite', dataDir: path.resolve(env.DATA_DIR) },
    logLevel: env.LOG_LEVEL,
    graphiql: env.GRAPHIQL ?? !production,
    introspection: env.INTROSPECTION ?? !production,
    auth: {
      jwt: jwtOptions(env),
      allowUserIdHeader: allowUserIdHeader(env),
    },
    limits: {
      maxRequestBodyBytes: env.MAX_REQUEST_BODY_BYTES,
      maxDepth: env.MAX_DEPTH,
      maxAliases: env.MAX_ALIASES,
      maxTokens: env.MAX_TOKENS,
      maxCost: env.MAX_COST,
      maxBatchSize: env.MAX_BATCH_SIZE,
      operationTimeoutMs: env.OPERATION_TIMEOUT_MS,
      maxEntityRepresentations: env.MAX_ENTITY_REPRESENTATIONS,
      maxResponseBytes: env.MAX_RESPONSE_BYTES,
    },
    persistedOperationsFile: env.PERSISTED_OPERATIONS_FILE && path.resolve(env.PERSISTED_OPERATIONS_FILE),
    metrics: env.METRICS,
    shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
    subscriptions: {
      redisUrl: env.REDIS_URL,
      channelPrefix: env.REDIS_CHANNEL_PREFIX,
      maxPerCaller: env.MAX_SUBSCRIPTIONS_PER_CALLER,
      bufferSize: env.SUBSCRIPTION_BUFFER_SIZE,
      keepAliveMs: env.SUBSCRIPTION_KEEPALIVE_MS,
    },
    tracing: env.OTEL_EXPORTER_OTLP_ENDPOINT ? { serviceName: env.OTEL_SERVICE_NAME } : null,
    references: referenceCheck(env),
  };
}

/** Off unless asked for or an owner's URL is given: then the owners are asked. */
function referenceCheck(env: Environment): ReferenceCheckOptions {
  const urls = {
    ...(env.AGENTS_SUBGRAPH_URL && { Agent: env.AGENTS_SUBGRAPH_URL }),
    ...(env.CREDENTIALS_SUBGRAPH_URL && { Credential: env.CREDENTIALS_SUBGRAPH_URL }),
  };
  const kind = env.REFERENCE_CHECK ?? (Object.keys(urls).length > 0 ? 'federation' : 'off');
  if (kind === 'off') return { kind };
  return { kind, urls, cacheSeconds: env.REFERENCE_CACHE_SECONDS, timeoutMs: env.REFERENCE_TIMEOUT_MS };
}

/** The x-user-id header names the caller unchecked: a development aid, or behind a gateway that authenticates. */
function allowUserIdHeader(env: Environment): boolean {
  return env.ALLOW_USER_ID_HEADER ?? env.NODE_ENV !== 'production';
}

function jwtOptions(env: Environment): AuthOptions['jwt'] {
  const keys: JwtKeys | undefined = env.AUTH_JWT_SECRET
    ? { kind: 'secret', secret: env.AUTH_JWT_SECRET }
    : env.AUTH_JWKS_URL
      ? { kind: 'jwks-url', url: env.AUTH_JWKS_URL }
      : env.AUTH_JWKS_FILE
        ? { kind: 'jwks-file', path: path.resolve(env.AUTH_JWKS_FILE) }
        : undefined;
  if (!keys) return null;
  return {
    keys,
    issuer: env.AUTH_ISSUER,
    audience: env.AUTH_AUDIENCE,
    userClaim: env.AUTH_USER_CLAIM,
    clockToleranceSeconds: env.AUTH_CLOCK_TOLERANCE_SECONDS,
  };
}

function checkCombinations(env: Environment, context: z.RefinementCtx) {
  const keySources = (['AUTH_JWT_SECRET', 'AUTH_JWKS_URL', 'AUTH_JWKS_FILE'] as const).filter(
    (name) => env[name] !== undefined,
  );
  if (keySources.length > 1) {
    context.addIssue({
      code: 'custom',
      path: [keySources[1]!],
      message: `set only one of AUTH_JWT_SECRET, AUTH_JWKS_URL, AUTH_JWKS_FILE (also set: ${keySources[0]})`,
    });
  }
  if (keySources.length === 0 && (env.AUTH_ISSUER || env.AUTH_AUDIENCE)) {
    context.addIssue({
      code: 'custom',
      path: ['AUTH_ISSUER'],
      message: 'AUTH_ISSUER/AUTH_AUDIENCE need a key: set AUTH_JWT_SECRET, AUTH_JWKS_URL or AUTH_JWKS_FILE',
    });
  }
  if (env.REFERENCE_CHECK === 'federation' && !env.AGENTS_SUBGRAPH_URL && !env.CREDENTIALS_SUBGRAPH_URL) {
    context.addIssue({
      code: 'custom',
      path: ['REFERENCE_CHECK'],
      message: 'federation needs the owners: set AGENTS_SUBGRAPH_URL and/or CREDENTIALS_SUBGRAPH_URL',
    });
  }
  if (env.NODE_ENV === 'production' && keySources.length === 0 && !allowUserIdHeader(env)) {
    context.addIssue({
      code: 'custom',
      path: ['AUTH_JWT_SECRET'],
      message:
        'production needs a way to authenticate: set AUTH_JWT_SECRET, AUTH_JWKS_URL or AUTH_JWKS_FILE (or ALLOW_USER_ID_HEADER=true behind a gateway that authenticates)',
    });
  }
}
