// The main area's views as routes of TanStack Router: each screen a path,
// a user's 360 view `/users/<id>`, the collection browsed and a plugin's
// focus in the search. The router keeps them in the webview's history (a
// hash URL: the app is one page), so Back and Forward (the header's arrows,
// Alt+←/→, a mouse's side buttons) walk the screens, collections and users
// the admin opened, as in a browser.

import {
  createHashHistory,
  createRootRoute,
  createRoute,
  createRouter,
  useMatches,
  useRouter,
  useRouterState,
  type RouteComponent,
  type RouterHistory,
} from '@tanstack/react-router';
import { useCallback } from 'react';
import type { PluginsFocus } from './screens/plugins/PluginsScreen';

export type Screen = 'connections' | 'overview' | 'dashboard' | 'users' | 'notifications' | 'plugins' | 'collections' | 'indexes' | 'audit';

/** The screens that open a user's 360 view. */
export const USER_SOURCES = ['users', 'notifications', 'collections', 'audit'] as const;
export type UserSource = (typeof USER_SOURCES)[number];

/** A collection browsed, as its route names it. */
export interface Place {
  /** Which of the platform's databases (`core`, `ai`, `shared`), as the backend lists them. */
  database: string;
  collection: string;
  /** The filter the query bar opens with (canonical Extended JSON). */
  filter?: string;
}

/** What the main area shows. */
export type View =
  | { screen: Exclude<Screen, 'plugins' | 'collections'> }
  | { screen: 'plugins'; focus?: PluginsFocus }
  | { screen: 'collections'; place?: Place }
  | { screen: 'user360'; userId: string; from: UserSource };

/** A search parameter as text; absent when not a non-empty string. */
const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/** The screens whose route is their name alone. */
const PLAIN = ['overview', 'dashboard', 'users', 'notifications', 'indexes', 'audit'] as const;

/** The route tree, with `App` as the root that lays every view out. */
export function createAppRouter(App: RouteComponent, history: RouterHistory = createHashHistory()) {
  const root = createRootRoute({ component: App });
  const connections = createRoute({ getParentRoute: () => root, path: '/' });
  const plain = PLAIN.map((screen) => createRoute({ getParentRoute: () => root, path: `/${screen}` }));
  const user360 = createRoute({
    getParentRoute: () => root,
    path: '/users/$userId',
    validateSearch: (s: Record<string, unknown>): { from?: UserSource } => ({
      from: USER_SOURCES.find((x) => x === s.from),
    }),
  });
  const plugins = createRoute({
    getParentRoute: () => root,
    path: '/plugins',
    validateSearch: (s: Record<string, unknown>): { collection?: string; status?: string; user?: string } => ({
      collection: text(s.collection),
      status: text(s.status),
      user: text(s.user),
    }),
  });
  const collections = createRoute({
    getParentRoute: () => root,
    path: '/collections',
    validateSearch: (s: Record<string, unknown>): { db?: string; collection?: string; filter?: string } => ({
      db: text(s.db),
      collection: text(s.collection),
      filter: text(s.filter),
    }),
  });
  return createRouter({
    routeTree: root.addChildren([connections, ...plain, user360, plugins, collections]),
    history,
  });
}

/** The route of a view, as `navigate` takes it. */
function routeOf(view: View): { to: string; params?: Record<string, string>; search?: Record<string, string | undefined> } {
  switch (view.screen) {
    case 'connections':
      return { to: '/' };
    case 'user360':
      return { to: '/users/$userId', params: { userId: view.userId }, search: { from: view.from } };
    case 'plugins':
      return {
        to: '/plugins',
        search: view.focus
          ? { collection: view.focus.collection, status: view.focus.status ?? undefined, user: view.focus.userId ?? undefined }
          : {},
      };
    case 'collections':
      return {
        to: '/collections',
        search: view.place ? { db: view.place.database, collection: view.place.collection, filter: view.place.filter } : {},
      };
    default:
      return { to: `/${view.screen}` };
  }
}

/** The view a matched route names; an unknown path is the connections screen. */
function viewOf(routeId: string, params: Record<string, string>, search: Record<string, string | undefined>): View {
  switch (routeId) {
    case '/users/$userId':
      return { screen: 'user360', userId: params.userId, from: (search.from as UserSource | undefined) ?? 'users' };
    case '/plugins':
      return {
        screen: 'plugins',
        focus: search.collection ? { collection: search.collection, status: search.status ?? null, userId: search.user ?? null } : undefined,
      };
    case '/collections':
      return {
        screen: 'collections',
        place: search.db && search.collection ? { database: search.db, collection: search.collection, filter: search.filter } : undefined,
      };
    default: {
      const screen = PLAIN.find((s) => `/${s}` === routeId);
      return screen ? { screen } : { screen: 'connections' };
    }
  }
}

/**
 * The view the current route names, and a way to open another (a new
 * history entry). Each entry remembers the connection it was opened on
 * (`connection`, an id new at each connect, in the entry's history
 * state; `openedOn` names a connection made in the same event): Back
 * onto a collection or a user of an earlier connection opens that screen
 * without them, never the same names on the database connected now.
 */
export function useRoutedView(connection: string): [View, (view: View, openedOn?: string) => void] {
  const router = useRouter();
  const leaf = useMatches({ select: (matches) => matches[matches.length - 1] });
  const entryOf = useRouterState({ select: (s) => (s.location.state as { connection?: string }).connection });
  const named = viewOf(leaf.routeId, leaf.params as Record<string, string>, leaf.search as Record<string, string | undefined>);
  const view = entryOf === connection ? named : withoutNames(named);
  const go = useCallback(
    (next: View, openedOn = connection) =>
      void router.navigate({ ...routeOf(next), state: (s) => ({ ...s, connection: openedOn }) }),
    [router, connection],
  );
  return [view, go];
}

/** A view with no collection or user named: what an entry of another connection opens. */
function withoutNames(view: View): View {
  switch (view.screen) {
    case 'collections':
      return { screen: 'collections' };
    case 'user360':
      return { screen: view.from };
    case 'plugins':
      return { screen: 'plugins' };
    default:
      return view;
  }
}

/** Back and Forward through the router's history. */
export function useHistoryMoves(): { back: () => void; forward: () => void } {
  const router = useRouter();
  return { back: () => router.history.back(), forward: () => router.history.forward() };
}
