// Query keys and the hooks every screen shares. All backend data goes through
// TanStack Query; these hooks call backend.ts only.

import { notifications } from '@mantine/notifications';
import { MutationCache, QueryCache, QueryClient, useQuery } from '@tanstack/react-query';
import * as backend from './backend';
import type { AuditQuery, ChartId, FeedQuery, FindingKind, FixScope, Health, PlatformDatabase, QueryInput, UserQuery } from './backend';
import { describeFailure, isBackendError, type ErrorCode } from './errors';

/** What a mutation tells the client-wide handlers in `meta`. */
export type WriteMeta = {
  /**
   * Failures the screen shows itself (a field error, a conflict dialog, an
   * alert in its modal), so no toast repeats them: `true` for every
   * failure, or the error codes it handles.
   */
  showsErrors?: true | readonly ErrorCode[];
};

declare module '@tanstack/react-query' {
  interface Register {
    mutationMeta: WriteMeta;
  }
}

export const queryKeys = {
  profiles: ['profiles'] as const,
  environmentOffer: ['environment-offer'] as const,
  overview: ['overview'] as const,
  /** Whether the connected server answers (the header's dot). */
  health: ['health'] as const,
  /**
   * Everything read from the connected database lives under `db`, so one
   * `removeQueries({ queryKey: queryKeys.db })` forgets it when the
   * connection changes.
   */
  db: ['db'] as const,
  users: (query: UserQuery) => ['db', 'users', query] as const,
  /** The total for a list query's filters (its cursor and page size left out). */
  userCount: (query: UserQuery) => ['db', 'users', 'count', { ...query, after: null, page_size: 0 }] as const,
  userSearch: (text: string) => ['db', 'user-search', text] as const,
  /** Every section of one user's 360 view. */
  user: (id: string) => ['db', 'user', id] as const,
  userDetail: (id: string) => ['db', 'user', id, 'detail'] as const,
  userSettings: (id: string) => ['db', 'user', id, 'settings'] as const,
  userNotifications: (id: string, page: number) => ['db', 'user', id, 'notifications', page] as const,
  userPluginData: (id: string, collection: string) => ['db', 'user', id, 'plugin-data', collection] as const,
  erasePlan: (id: string) => ['db', 'user', id, 'erase-plan'] as const,
  pluginCollections: ['db', 'plugin-collections'] as const,
  /** The feed, the chart and the TTL status: every write to notifications makes them stale. */
  notifications: ['db', 'notifications'] as const,
  notificationFeed: (query: FeedQuery) => ['db', 'notifications', 'feed', query] as const,
  notificationChart: ['db', 'notifications', 'chart'] as const,
  notificationTtl: ['db', 'notifications', 'ttl'] as const,
  /** The replica set's members, or the cluster's routers and shards. */
  deployment: ['db', 'deployment'] as const,
  pluginOverview: ['db', 'plugins', 'overview'] as const,
  pluginSchema: (collection: string) => ['db', 'plugins', collection, 'schema'] as const,
  pluginFindings: (collection: string) => ['db', 'plugins', collection, 'findings'] as const,
  findingDocuments: (collection: string, kind: FindingKind) => ['db', 'plugins', collection, 'findings', kind] as const,
  /** A collection's documents with one status, across users (a dashboard drill-down). */
  pluginStatusDocuments: (collection: string, status: string, userId: string | null) =>
    ['db', 'plugins', collection, 'status', status, userId] as const,
  /** The index health report and every fix plan: an index change makes them all stale. */
  indexes: ['db', 'indexes'] as const,
  indexHealth: ['db', 'indexes', 'health'] as const,
  indexFixPlan: (scope: FixScope) => ['db', 'indexes', 'plan', scope] as const,
  /** Every dashboard chart. */
  dashboard: ['db', 'dashboard'] as const,
  dashboardChart: (id: ChartId) => ['db', 'dashboard', id] as const,
  userPluginStatus: (id: string) => ['db', 'user', id, 'plugin-status'] as const,
  /** The collection browser: the three databases, a query's page and its count. */
  browseDatabases: ['db', 'browse', 'databases'] as const,
  browseQuery: (database: PlatformDatabase, collection: string, query: QueryInput) =>
    ['db', 'browse', database, collection, query] as const,
  browseCount: (database: PlatformDatabase, collection: string, query: QueryInput) =>
    ['db', 'browse', database, collection, 'count', { ...query, limit: 0, skip: 0 }] as const,
  /** Every audit query, whatever its filters. */
  auditLog: ['audit'] as const,
  audit: (query: AuditQuery) => ['audit', query] as const,
};

/** A failure as a red toast, worded by `describeFailure`. */
export function showFailure(e: unknown) {
  const { title, message } = describeFailure(e);
  notifications.show({ color: 'red', title, message, autoClose: 8000 });
}

/**
 * A failure with `connection_lost` turns the header's dot red at once, without
 * waiting for the next health poll.
 */
function markLostOn(client: QueryClient, error: unknown) {
  const lost = (message: string) => {
    const health: Health = { state: 'lost', message };
    client.setQueryData(queryKeys.health, health);
  };
  if (isBackendError(error, 'connection_lost')) lost(error.error.data.message);
  // A bulk change cut short by the lost server says so in its cause.
  if (isBackendError(error, 'partly_applied') && error.error.data.cause === 'connection_lost') lost(error.error.data.message);
}

export function createQueryClient(): QueryClient {
  const queryCache = new QueryCache({
    onError: (error, query) => {
      if (query.queryKey[0] !== queryKeys.health[0]) markLostOn(client, error);
    },
  });
  // The write path in one place: screens keep only what is theirs (a form
  // error, a dialog); every failure they do not show is toasted here.
  const mutationCache = new MutationCache({
    onError: (error, _vars, _result, mutation) => {
      markLostOn(client, error);
      const shown = mutation.meta?.showsErrors;
      if (shown === true || (shown && isBackendError(error) && shown.includes(error.code))) return;
      showFailure(error);
    },
    // The backend audits its writes: any open audit view is now out of date.
    // Not awaited, so the mutation does not wait for that refetch.
    onSuccess: (_data, _vars, _result, _mutation, { client }) => {
      void client.invalidateQueries({ queryKey: queryKeys.auditLog });
    },
  });
  const client: QueryClient = new QueryClient({
    queryCache,
    mutationCache,
    defaultOptions: {
      // Backend errors are typed and deterministic: retrying a refused
      // password or a read-only write only delays the message.
      queries: { retry: false, refetchOnWindowFocus: false },
      mutations: { retry: false },
    },
  });
  return client;
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

/**
 * Polls whether the connected server answers: every 5 s while it does, every
 * second while it does not.
 */
export function useConnectionHealth(connected: boolean) {
  return useQuery({
    queryKey: queryKeys.health,
    queryFn: () => backend.connectionHealth(),
    enabled: connected,
    refetchInterval: (query) => (query.state.data?.state === 'lost' ? 1000 : 5000),
  });
}

/**
 * Charts are aggregations over whole collections: computed once, then only
 * when asked (the Refresh buttons), not on every visit.
 */
const CHART_STALE_MS = 5 * 60_000;

export function useDashboardChart(id: ChartId) {
  return useQuery({ queryKey: queryKeys.dashboardChart(id), queryFn: () => backend.dashboardChart(id), staleTime: CHART_STALE_MS });
}

export function useUserPluginStatus(userId: string) {
  return useQuery({
    queryKey: queryKeys.userPluginStatus(userId),
    queryFn: () => backend.userPluginStatus(userId),
    staleTime: CHART_STALE_MS,
  });
}

/** Whether the active connection refuses writes (true while unknown: fail safe). */
export function useReadOnly(): boolean {
  const overview = useOverview(false).data;
  return overview?.read_only ?? true;
}
