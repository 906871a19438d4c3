import { ActionIcon, AppShell, Box, ColorSwatch, Group, NavLink, ScrollArea, Stack, Text, ThemeIcon, Tooltip } from '@mantine/core';
import { useHotkeys } from '@mantine/hooks';
import {
  IconArrowLeft,
  IconArrowRight,
  IconBell,
  IconChartBar,
  IconDatabaseSearch,
  IconHistory,
  IconLayoutDashboard,
  IconListCheck,
  IconPlugConnected,
  IconPuzzle,
  IconStack2,
  IconUsers,
} from '@tabler/icons-react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { notifications } from '@mantine/notifications';
import { lazy, Suspense, useEffect, useRef, useState, type ComponentType } from 'react';
import * as backend from './backend';
import type { Drill, Overview } from './backend';
import { EnvironmentBadge, ReadOnlyBadge } from './components/badges';
import { CommandPalette, type PaletteTarget } from './components/CommandPalette';
import { RouteBadges } from './components/RouteBadges';
import { RunningExports } from './components/RunningExports';
import { useHistoryMoves, useRoutedView, type Place, type Screen, type UserSource } from './navigation';
import { queryKeys, useConnectionHealth, useOverview, useProfiles } from './queries';
import { SectionSkeleton } from './components/Section';
import { ConnectionsScreen } from './screens/connections/ConnectionsScreen';
import { feedFiltersFromDrill, initialFeedState, type FeedState } from './screens/notifications/feedState';
import { filtersFromDrill, initialUsersState, type UsersListState } from './screens/users/usersState';

// Each screen is its own chunk, loaded when first opened: the first paint
// (connections) carries no chart or editor code.
const AuditScreen = lazy(() => import('./screens/audit/AuditScreen').then((m) => ({ default: m.AuditScreen })));
const CollectionsScreen = lazy(() =>
  import('./screens/collections/CollectionsScreen').then((m) => ({ default: m.CollectionsScreen })),
);
const DashboardScreen = lazy(() => import('./screens/dashboard/DashboardScreen').then((m) => ({ default: m.DashboardScreen })));
const IndexHealthScreen = lazy(() => import('./screens/indexes/IndexHealthScreen').then((m) => ({ default: m.IndexHealthScreen })));
const NotificationsScreen = lazy(() =>
  import('./screens/notifications/NotificationsScreen').then((m) => ({ default: m.NotificationsScreen })),
);
const OverviewScreen = lazy(() => import('./screens/overview/OverviewScreen').then((m) => ({ default: m.OverviewScreen })));
const PluginsScreen = lazy(() => import('./screens/plugins/PluginsScreen').then((m) => ({ default: m.PluginsScreen })));
const User360Screen = lazy(() => import('./screens/user360/User360Screen').then((m) => ({ default: m.User360Screen })));
const UsersScreen = lazy(() => import('./screens/users/UsersScreen').then((m) => ({ default: m.UsersScreen })));

/** Every screen of the navbar; one folder per screen under screens/. */
/** What makes two browsed collections the same history entry. */
const placeKey = (p: Place) => `${p.database}/${p.collection}/${p.filter ?? ''}`;

const BACK_LABELS: Record<UserSource, string> = {
  users: 'Users',
  notifications: 'Notifications',
  collections: 'Collections',
  audit: 'Audit',
};

interface NavItem {
  screen: Screen;
  label: string;
  icon: ComponentType<{ size?: number; stroke?: number }>;
  /** Needs an open connection. */
  needsConnection: boolean;
}

/** The navbar, by section. Later screens (browse, query, metrics) slot in here. */
const NAV: { section: string; items: NavItem[] }[] = [
  {
    section: 'Workspace',
    items: [{ screen: 'connections', label: 'Connections', icon: IconPlugConnected, needsConnection: false }],
  },
  {
    section: 'Database',
    items: [
      { screen: 'overview', label: 'Overview', icon: IconLayoutDashboard, needsConnection: true },
      { screen: 'dashboard', label: 'Dashboard', icon: IconChartBar, needsConnection: true },
      { screen: 'users', label: 'Users', icon: IconUsers, needsConnection: true },
      { screen: 'notifications', label: 'Notifications', icon: IconBell, needsConnection: true },
      { screen: 'plugins', label: 'Plugins', icon: IconPuzzle, needsConnection: true },
      { screen: 'collections', label: 'Collections', icon: IconDatabaseSearch, needsConnection: true },
      { screen: 'indexes', label: 'Index health', icon: IconListCheck, needsConnection: true },
      { screen: 'audit', label: 'Audit', icon: IconHistory, needsConnection: true },
    ],
  },
];

export function App() {
  const queryClient = useQueryClient();
  /** This connection's id, new at each connect (and each page load): history entries of another name nothing on it. */
  const [connection, setConnection] = useState(() => crypto.randomUUID());
  const [view, setView] = useRoutedView(connection);
  const moves = useHistoryMoves();
  const [activeProfileId, setActiveProfileId] = useState<string | null>(null);
  const [usersState, setUsersState] = useState<UsersListState>(initialUsersState);
  const [feedState, setFeedState] = useState<FeedState>(initialFeedState);
  const [paletteOpen, setPaletteOpen] = useState(false);
  /** The collection last browsed, where the navbar's Collections returns. */
  const [lastPlace, setLastPlace] = useState<Place | undefined>(undefined);
  const connected = activeProfileId !== null;
  const session = useOverview(connected).data;
  const production = connected && session?.environment === 'production';
  /** A navbar screen; Collections opens on the collection last browsed. */
  const setScreen = (screen: Screen) => setView(screen === 'collections' ? { screen, place: lastPlace } : { screen });
  /** The navbar entry to highlight: a 360 view belongs to the screen it came from. */
  const navScreen: Screen = view.screen === 'user360' ? view.from : view.screen;

  const onConnected = (overview: Overview) => {
    // Data read through another connection must not show through this one.
    queryClient.removeQueries({ queryKey: queryKeys.db });
    queryClient.removeQueries({ queryKey: queryKeys.health });
    queryClient.setQueryData(queryKeys.overview, overview);
    setActiveProfileId(overview.profile_id);
    setUsersState((s) => ({ ...s, cursors: [] }));
    setFeedState(initialFeedState());
    setLastPlace(undefined);
    const id = crypto.randomUUID();
    setConnection(id);
    setView({ screen: 'overview' }, id);
  };
  const onDisconnected = () => {
    setActiveProfileId(null);
    queryClient.removeQueries({ queryKey: queryKeys.overview });
    queryClient.removeQueries({ queryKey: queryKeys.health });
    queryClient.removeQueries({ queryKey: queryKeys.db });
    setScreen('connections');
  };
  const place = view.screen === 'collections' ? view.place : undefined;
  /** Each collection browsed is a route of its own, so Back returns to the one before. */
  const browse = (next: Place) => {
    if (place && placeKey(place) === placeKey(next)) return;
    setView({ screen: 'collections', place: next });
  };
  // Back or Forward onto a collection: the navbar's Collections returns to it.
  const placeNow = place && placeKey(place);
  useEffect(() => {
    if (view.screen === 'collections') setLastPlace(place);
    // The place's key says when it changed; its object is new each render.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [view.screen, placeNow]);
  // The header names the database browsed, as this deployment calls it.
  const databases = useQuery({
    queryKey: queryKeys.browseDatabases,
    queryFn: backend.browseDatabases,
    enabled: connected && place !== undefined,
  });
  const browsedName = databases.data?.find((d) => d.which === place?.database)?.name;
  const openUser = (from: UserSource) => (userId: string) => setView({ screen: 'user360', userId, from });
  /** A chart bar (or its button): the list it counted, filtered to exactly that. */
  const onDrill = (drill: Drill) => {
    switch (drill.to) {
      case 'users':
        setUsersState((s) => ({ ...s, cursors: [], filters: filtersFromDrill(drill) }));
        setScreen('users');
        break;
      case 'feed':
        setFeedState({ cursors: [], filters: feedFiltersFromDrill(drill.type, drill.read) });
        setScreen('notifications');
        break;
      case 'plugin':
        setView({ screen: 'plugins', focus: { collection: drill.collection, status: drill.status, userId: drill.user_id } });
        break;
    }
  };

  // Ctrl/Cmd+K: the command palette, from anywhere (inputs included).
  useHotkeys([['mod+K', () => setPaletteOpen(true)]], []);
  // Not while typing: there Alt/Option+arrows move the cursor by words.
  useHotkeys(
    [
      ['alt+ArrowLeft', moves.back],
      ['alt+ArrowRight', moves.forward],
    ],
    ['INPUT', 'TEXTAREA', 'SELECT'],
  );
  const paletteScreens = NAV.flatMap(({ items }) => items)
    .filter((item) => connected || !item.needsConnection)
    .map(({ screen, label }) => ({ screen, label }));
  const onPalette = (target: PaletteTarget) => {
    switch (target.kind) {
      case 'screen':
        setScreen(target.screen as Screen);
        break;
      case 'collection': {
        browse({ database: target.database.which, collection: target.collection });
        break;
      }
      case 'user':
        setView({ screen: 'user360', userId: target.userId, from: 'users' });
        break;
    }
  };

  return (
    <AppShell
      header={{ height: production ? 56 : 52 }}
      navbar={{ width: 220, breakpoint: 0 }}
      padding="lg"
      data-production={production || undefined}
    >
      <AppShell.Header
        data-testid="app-header"
        style={production ? { borderTop: '4px solid var(--mantine-color-red-7)' } : undefined}
      >
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="xs" wrap="nowrap">
            <ActionIcon variant="subtle" aria-label="Back" onClick={moves.back} data-testid="nav-back">
              <IconArrowLeft size={18} />
            </ActionIcon>
            <ActionIcon variant="subtle" aria-label="Forward" onClick={moves.forward} data-testid="nav-forward">
              <IconArrowRight size={18} />
            </ActionIcon>
            <ThemeIcon size={28} radius="md" variant="filled">
              <IconStack2 size={18} />
            </ThemeIcon>
            <Text fw={700} size="md">
              mozaiks-admin
            </Text>
            <Text size="sm" c="dimmed" visibleFrom="lg">
              MozaiksCore database console
            </Text>
            <RunningExports />
          </Group>
          {connected && session ? (
            <ActiveConnection
              overview={session}
              // The database the screen reads: the collection browser may be in another one.
              database={browsedName ?? session.database}
            />
          ) : (
            <Text size="sm" c="dimmed">Not connected</Text>
          )}
        </Group>
      </AppShell.Header>

      <AppShell.Navbar p="sm">
        <AppShell.Section grow component={ScrollArea}>
          <Stack gap="md">
            {NAV.map(({ section, items }) => (
              <div key={section}>
                <Text size="xs" fw={600} c="dimmed" tt="uppercase" lts={0.5} px="sm" mb={4}>
                  {section}
                </Text>
                {items.map((item) => {
                  const disabled = item.needsConnection && !connected;
                  const link = (
                    <NavLink
                      key={item.screen}
                      component="button"
                      label={item.label}
                      leftSection={<item.icon size={18} stroke={1.6} />}
                      active={navScreen === item.screen}
                      disabled={disabled}
                      aria-disabled={disabled || undefined}
                      onClick={() => !disabled && setScreen(item.screen)}
                      data-testid={`nav-${item.screen}`}
                      style={{ borderRadius: 'var(--mantine-radius-md)' }}
                    />
                  );
                  return disabled ? (
                    <Tooltip key={item.screen} label="Connect to a database first" position="right">
                      <div>{link}</div>
                    </Tooltip>
                  ) : (
                    link
                  );
                })}
              </div>
            ))}
          </Stack>
        </AppShell.Section>
        <AppShell.Section>
          <Text size="xs" c="dimmed" px="sm" truncate="end">
            {connected && session ? `Connected to ${session.database}` : 'No active connection'}
          </Text>
        </AppShell.Section>
      </AppShell.Navbar>

      <CommandPalette
        opened={paletteOpen}
        onClose={() => setPaletteOpen(false)}
        connected={connected}
        screens={paletteScreens}
        onGo={onPalette}
      />
      <AppShell.Main>
        <Box maw={1200} mx="auto">
          <Suspense fallback={<SectionSkeleton lines={6} testId="screen-loading" />}>
          {!connected || view.screen === 'connections' ? (
            <ConnectionsScreen activeProfileId={activeProfileId} onConnected={onConnected} />
          ) : view.screen === 'overview' ? (
            <OverviewScreen onDisconnected={onDisconnected} />
          ) : view.screen === 'dashboard' ? (
            <DashboardScreen onDrill={onDrill} />
          ) : view.screen === 'users' ? (
            <UsersScreen
              state={usersState}
              onStateChange={setUsersState}
              onOpenUser={openUser('users')}
            />
          ) : view.screen === 'notifications' ? (
            <NotificationsScreen state={feedState} onStateChange={setFeedState} onOpenUser={openUser('notifications')} />
          ) : view.screen === 'plugins' ? (
            // A new focus is a new visit: the screen starts over on it.
            <PluginsScreen key={JSON.stringify(view.focus ?? null)} focus={view.focus ?? null} />
          ) : view.screen === 'collections' ? (
            <CollectionsScreen place={place ?? null} onBrowse={browse} onOpenUser={openUser('collections')} />
          ) : view.screen === 'indexes' ? (
            <IndexHealthScreen />
          ) : view.screen === 'audit' ? (
            <AuditScreen onOpenUser={openUser('audit')} />
          ) : view.screen === 'user360' ? (
            <User360Screen
              key={view.userId}
              userId={view.userId}
              backLabel={BACK_LABELS[view.from]}
              onBack={() => setScreen(view.from)}
              onErased={() => setScreen('users')}
              onDrill={onDrill}
            />
          ) : null}
          </Suspense>
        </Box>
      </AppShell.Main>
    </AppShell>
  );
}

function ActiveConnection({ overview, database }: { overview: Overview; database: string }) {
  const color = useProfiles().data?.find((p) => p.id === overview.profile_id)?.color;
  return (
    <Group gap="sm" wrap="nowrap" data-testid="active-connection" style={{ minWidth: 0 }}>
      <ConnectionHealth />
      {color && <ColorSwatch color={color} size={10} withShadow={false} />}
      <Text size="sm" fw={600} truncate="end" maw={260}>
        {overview.profile_name}
      </Text>
      <Text size="sm" c="dimmed" ff="monospace" truncate="end" maw={200} data-testid="header-database">
        {database}
      </Text>
      <EnvironmentBadge
        environment={overview.environment}
        testId="header-env-badge"
        size={overview.environment === 'production' ? 'md' : 'sm'}
      />
      <ReadOnlyBadge readOnly={overview.read_only} testId="header-read-only-badge" />
      <RouteBadges route={overview.route} />
    </Group>
  );
}

/**
 * The header's dot: green while the server answers, red while it does not.
 * When it answers again every query refetches by itself.
 */
function ConnectionHealth() {
  const queryClient = useQueryClient();
  const health = useConnectionHealth(true).data;
  const lost = health?.state === 'lost';
  const wasLost = useRef(false);
  useEffect(() => {
    if (lost) {
      wasLost.current = true;
    } else if (health && wasLost.current) {
      wasLost.current = false;
      notifications.show({ color: 'teal', title: 'Connection restored', message: 'The server answers again; the data is reloading.' });
      void queryClient.invalidateQueries();
    }
  }, [lost, health, queryClient]);

  return (
    <Tooltip label={health?.state === 'lost' ? health.message : 'The server answers'} multiline maw={320}>
      <Group gap={6} wrap="nowrap" data-testid="connection-health" data-state={lost ? 'lost' : 'connected'}>
        <Box
          w={8}
          h={8}
          style={{ borderRadius: '50%', flexShrink: 0, background: `var(--mantine-color-${lost ? 'red' : 'green'}-6)` }}
        />
        <Text size="xs" c={lost ? 'red' : 'dimmed'} fw={lost ? 600 : undefined} style={{ whiteSpace: 'nowrap' }}>
          {lost ? 'connection lost' : 'connected'}
        </Text>
      </Group>
    </Tooltip>
  );
}
