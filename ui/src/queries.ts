// Query keys and the hooks every screen shares. All backend data goes through
// TanStack Query; these hooks call backend.ts only.

import { QueryClient, useQuery } from '@tanstack/react-query';
import * as backend from './backend';
import type { AuditQuery, UserQuery } from './backend';

export const queryKeys = {
  profiles: ['profiles'] as const,
  environmentOffer: ['environment-offer'] as const,
  overview: ['overview'] as const,
  /**
   * Everything read from the connected database lives under `db`, so one
   * `removeQueries({ queryKey: queryKeys.db })` forgets it when the
   * connection changes.
   */
  db: ['db'] as const,
  users: (query: UserQuery) => ['db', 'users', query] as const,
  userSearch: (text: string) => ['db', 'user-search', text] as const,
  /** Every section of one user's 360 view. */
  user: (id: string) => ['db', 'user', id] as const,
  userDetail: (id: string) => ['db', 'user', id, 'detail'] as const,
  userSettings: (id: string) => ['db', 'user', id, 'settings'] as const,
  userNotifications: (id: string, page: number) => ['db', 'user', id, 'notifications', page] as const,
  userPluginData: (id: string, collection: string) => ['db', 'user', id, 'plugin-data', collection] as const,
  erasePlan: (id: string) => ['db', 'user', id, 'erase-plan'] as const,
  pluginCollections: ['db', 'plugin-collections'] as const,
  audit: (query: AuditQuery) => ['audit', query] as const,
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

/** Whether the active connection refuses writes (true while unknown: fail safe). */
export function useReadOnly(): boolean {
  const overview = useOverview(false).data;
  return overview?.read_only ?? true;
}
