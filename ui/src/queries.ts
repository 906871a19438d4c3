// Query keys and the hooks every screen shares. All backend data goes through
// TanStack Query; these hooks call backend.ts only.

import { QueryClient, useQuery } from '@tanstack/react-query';
import * as backend from './backend';

export const queryKeys = {
  profiles: ['profiles'] as const,
  environmentOffer: ['environment-offer'] as const,
  overview: ['overview'] as const,
};

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      // Backend errors are typed and deterministic: retrying a refused
      // password or a read-only write only delays the message.
      queries: { retry: false, refetchOnWindowFocus: false },
      mutations: { retry: false },
    },
  });
}

export function useProfiles() {
  return useQuery({ queryKey: queryKeys.profiles, queryFn: () => backend.listProfiles() });
}

export function useEnvironmentOffer() {
  return useQuery({ queryKey: queryKeys.environmentOffer, queryFn: () => backend.environmentOffer(), staleTime: Infinity });
}

/**
 * The active connection's overview. `connect` seeds it, so it is not fetched
 * again on mount; the refresh button and writes refetch it.
 */
export function useOverview(enabled = true) {
  return useQuery({ queryKey: queryKeys.overview, queryFn: () => backend.overview(), staleTime: Infinity, enabled });
}
