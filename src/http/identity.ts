import { readFile } from 'node:fs/promises';
import { createLocalJWKSet, createRemoteJWKSet, errors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { LIMITS } from '../sessions/limits.js';
import type { Caller } from '../sessions/model.js';
import { isStorableText } from '../sessions/text.js';
import { AuthenticationError, ServiceUnavailableError } from '../errors.js';

export type JwtKeys =
  | { kind: 'secret'; secret: string }
  | { kind: 'jwks-url'; url: string }
  | { kind: 'jwks-file'; path: string };

export interface JwtOptions {
  keys: JwtKeys;
  /** Accepted `iss` values; unset accepts any. */
  issuer?: string[];
  /** Accepted `aud` values; unset accepts any. */
  audience?: string[];
  /** The claim naming the user. */
  userClaim: string;
  clockToleranceSeconds: number;
}

export interface AuthOptions {
  /** Bearer tokens are verified with these; null refuses every bearer token. */
  jwt: JwtOptions | null;
  /** Whether `x-user-id` may name the caller unchecked (development, or behind an authenticating gateway). */
  allowUserIdHeader: boolean;
}

/**
 * Establishes the caller of one request; GraphQL, REST and entity resolution all use it. Null means
 * anonymous (no credentials); a credential that does not hold throws AuthenticationError.
 */
export type CallerResolver = (request: Request) => Promise<Caller | null>;

// A JWKS holds public keys: accepting HS* there would let a client sign with the public key.
const ASYMMETRIC_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
];

export async function createCallerResolver(auth: AuthOptions): Promise<CallerResolver> {
  const verify = auth.jwt && (await createTokenVerifier(auth.jwt));
  return async (request): Promise<Caller | null> => {
    const authorization = request.headers.get('authorization');
    if (authorization !== null) {
      const token = /^Bearer +(\S+)$/i.exec(authorization.trim())?.[1];
      if (!token) throw new AuthenticationError('The Authorization header must be "Bearer <token>".');
      if (!verify)
        throw new AuthenticationError(
          'Bearer tokens are not accepted: this service has no JWT verification configured.',
        );
      return { ...(await verify(token)), credential: { authorization: `Bearer ${token}` } };
    }
    const userIdHeader = request.headers.get('x-user-id');
    if (userIdHeader === null) return null;
    if (!auth.allowUserIdHeader)
      throw new AuthenticationError('The x-user-id header is not accepted here: send a bearer token.');
    const userId = userIdHeader.trim();
    return userId ? { ...callerNamed(userId, 'The x-user-id header'), credential: { 'x-user-id': userId } } : null;
  };
}

/** A caller id fits the owner column and is storable text; anything else is not a caller. */
function callerNamed(userId: string, source: string): Caller {
  if (userId.length > LIMITS.idLength || !isStorableText(userId)) {
    throw new AuthenticationError(`${source} must name the user in at most ${LIMITS.idLength} characters of text.`);
  }
  return { userId };
}

async function createTokenVerifier(options: JwtOptions): Promise<(token: string) => Promise<Caller>> {
  const { key, algorithms } = await verificationKey(options.keys);
  return async (token) => {
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, key as JWTVerifyGetKey, {
        algorithms,
        issuer: options.issuer,
        audience: options.audience,
        clockTolerance: options.clockToleranceSeconds,
      }));
    } catch (error) {
      throw tokenError(error);
    }
    const userId = payload[options.userClaim];
    if (typeof userId !== 'string' || !userId.trim()) {
      throw new AuthenticationError(`The token has no "${options.userClaim}" claim naming the user.`);
    }
    return callerNamed(userId.trim(), `The token's "${options.userClaim}" claim`);
  };
}

async function verificationKey(keys: JwtKeys): Promise<{ key: Uint8Array | JWTVerifyGetKey; algorithms: string[] }> {
  switch (keys.kind) {
    case 'secret':
      return { key: new TextEncoder().encode(keys.secret), algorithms: ['HS256'] };
    case 'jwks-url':
      // Keys are cached and refetched on an unknown `kid`, at most every 30 s.
      return {
        key: createRemoteJWKSet(new URL(keys.url), { timeoutDuration: 5_000, cooldownDuration: 30_000 }),
        algorithms: ASYMMETRIC_ALGORITHMS,
      };
    case 'jwks-file':
      return {
        key: createLocalJWKSet(JSON.parse(await readFile(keys.path, 'utf8'))),
        algorithms: ASYMMETRIC_ALGORITHMS,
      };
  }
}

/** The client's token is at fault unless the key set could not be fetched. */
function tokenError(error: unknown): Error {
  if (
    !(error instanceof errors.JOSEError) ||
    error instanceof errors.JWKSTimeout ||
    error.code === 'ERR_JOSE_GENERIC'
  ) {
    return new ServiceUnavailableError('The token could not be verified now (key set unavailable); retry later.');
  }
  if (error instanceof errors.JWTExpired) return new AuthenticationError('The token has expired.');
  if (error instanceof errors.JWTClaimValidationFailed)
    return new AuthenticationError(`The token's "${error.claim}" claim is not accepted.`);
  return new AuthenticationError('The token is invalid.');
}
