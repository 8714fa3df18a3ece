import type { Plugin } from 'graphql-yoga';

/**
 * GET `endpoint`: 200 when `isReady` resolves true, 503 otherwise. Matched by path alone: Yoga's own
 * readiness plugin tests a URLPattern on every request, which showed in profiles of GraphQL requests.
 */
export function useReadinessProbe({
  endpoint,
  isReady,
}: {
  endpoint: string;
  isReady: () => Promise<boolean>;
}): Plugin {
  return {
    async onRequest({ url, endResponse, fetchAPI }) {
      if (url.pathname !== endpoint) return;
      endResponse(new fetchAPI.Response(null, { status: (await isReady()) ? 200 : 503 }));
    },
  };
}
