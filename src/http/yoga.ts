import { createYoga, useReadinessCheck } from 'graphql-yoga';
import { createContext } from '../graphql/context.js';
import { createErrorMask } from '../graphql/errors.js';
import { schema } from '../graphql/schema/index.js';
import type { Logger } from '../logger.js';
import type { SessionService } from '../sessions/service.js';
import { callerFromHeaders } from './identity.js';
import { useRestRoutes } from './rest/router.js';

export interface YogaOptions {
  sessions: SessionService;
  logger: Logger;
  graphiql: boolean;
  /** Resolves when the database answers; /ready fails otherwise. */
  checkDatabase: () => Promise<void>;
}

export function createYogaServer({ sessions, logger, graphiql, checkDatabase }: YogaOptions) {
  return createYoga({
    schema,
    graphqlEndpoint: '/graphql',
    healthCheckEndpoint: '/health',
    graphiql: graphiql && { title: 'Agent sessions' },
    landingPage: false,
    context: ({ request }) => createContext(callerFromHeaders(request.headers), sessions),
    maskedErrors: { maskError: createErrorMask(logger) },
    logging: {
      debug: (...args) => logger.debug({ args }, 'yoga'),
      info: (...args) => logger.info({ args }, 'yoga'),
      warn: (...args) => logger.warn({ args }, 'yoga'),
      error: (...args) => logger.error({ args }, 'yoga'),
    },
    plugins: [
      useRestRoutes(sessions, logger),
      useReadinessCheck({
        endpoint: '/ready',
        check: async () => {
          try {
            await checkDatabase();
            return true;
          } catch (error) {
            logger.warn({ err: error }, 'readiness check failed: database unreachable');
            return false;
          }
        },
      }),
    ],
  });
}

export type YogaServer = ReturnType<typeof createYogaServer>;
